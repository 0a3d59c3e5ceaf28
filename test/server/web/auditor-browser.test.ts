import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, newPage } from '../../browser/chromium.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who, type TestApp } from '../../helpers.js';

/**
 * Issue 21 in Chromium: the information-governance lead signs in, lands on the access log (not the
 * responders' search), and reaches the person's report in two clicks.
 */
let t: TestApp;
let base = '';
let server: ReturnType<typeof serve> | undefined;
beforeAll(async () => {
  t = await testApp();
  await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-000001', givenNames: 'Nerys', familyName: 'Quillfeather' }))]);
  expect(
    (await t.call(who.officer, 'GET', `/api/v1/plans/${await planIdOf(t.db, 'SB-000001')}`, { purpose: 'INC-2026-0777 welfare check' }))
      .status,
  ).toBe(200);
  server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server!.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
});

describe('the auditor in Chromium', () => {
  it("signs in to the access log, and the person's report is two clicks away", { timeout: 120_000 }, async () => {
    const page = await newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByRole('button', { name: /Information-governance lead/ }).click();
    await page.waitForURL((u) => u.pathname === '/audit');
    expect(await page.textContent('h1')).toBe('Access log');
    // The header offers the auditor's console, by the organisation's name.
    expect(await page.textContent('header')).toContain('Southbank Mental Health Trust');
    expect(await page.isVisible('header nav a[href="/audit"]')).toBe(true);
    await expectAccessible(page, 'access log on arrival');

    await page.getByRole('button', { name: 'Search the log' }).click(); // one
    await page.waitForSelector('table');
    await page.locator('a[href$="/report"]').first().click(); // two
    await page.waitForURL((u) => /^\/audit\/plans\/[^/]+\/report$/.test(u.pathname));
    expect(await page.textContent('main')).toContain('Nerys Quillfeather');
    await expectAccessible(page, "the person's report");
    await page.context().close();
  });
});

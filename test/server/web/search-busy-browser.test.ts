import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, focusOutlinePx, signedInPage, tabTo } from '../../browser/chromium.js';
import { publishPlans, who } from '../../helpers.js';
import { cast, searchTestApp, type SearchTestApp } from '../../search/helpers.js';
import { heldSearchApp } from '../../support/held-search.js';

/** Issue 24 in a real Chromium: the search page of a node too busy to search, and sending it again. */

const PURPOSE = 'INC-2026-0624 concern for welfare';

let t: SearchTestApp;
let base = '';
let hold: Awaited<ReturnType<typeof heldSearchApp>>['hold'];
let server: ReturnType<typeof serve> | undefined;
let bearer = '';
beforeAll(async () => {
  t = await searchTestApp({ meili: false });
  await publishPlans(t.db, cast);
  await t.sync.drain();
  const node = await heldSearchApp(t, { searchConcurrency: { maxInFlight: 1, queue: 0, queueWaitMs: 250 } });
  hold = node.hold;
  const { app, devIssuer } = node;
  bearer = await devIssuer.sign(who.officer, 3600, t.clock());
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server!.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  await t?.close();
});

describe('a busy node in Chromium', () => {
  it('says the search is busy, accessibly, keeps the search as typed, and sends it again with one press', async () => {
    const page = await signedInPage(base, 'demo.officer', { purpose: PURPOSE, size: { width: 1024, height: 768 } });
    const held = hold.holdNext();
    const first = fetch(`${base}/api/v1/search?q=john+smith`, {
      headers: { authorization: `Bearer ${bearer}`, 'x-access-purpose': PURPOSE },
    });
    await held.entered;

    const busy = await page.goto(`${base}/?${new URLSearchParams({ q: 'Robert Pennington', dob: '1980' })}`);
    expect(busy!.status()).toBe(503);
    expect(busy!.headers()['retry-after']).toBe('1');
    expect(await page.title()).toBe('Search is busy, try again in a moment · Crisis response plans');
    expect(await page.locator('h1').textContent()).toBe('Search is busy, try again in a moment');
    expect(await page.locator('#q').inputValue()).toBe('Robert Pennington');
    expect(await page.locator('#dob').inputValue()).toBe('1980');
    await expectAccessible(page, 'search busy');
    await tabTo(page, 'button[type="submit"]');
    expect(await focusOutlinePx(page)).toBeGreaterThanOrEqual(3);

    held.release();
    expect((await first).status).toBe(200);
    // The same search, sent again from the kept form, is answered.
    const [again] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(again!.status()).toBe(200);
    expect(await page.locator('ol.results > li').first().textContent()).toContain('Robert Pennington');
    await page.close();
  });
});

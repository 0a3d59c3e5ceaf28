import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, signedInPage } from '../../browser/chromium.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, type TestApp } from '../../helpers.js';

/**
 * Issue 20 item 1 end to end in Chromium: the Shire force's administrator proposes an agreement with two
 * trusts; each trust's administrator finds it waiting on their home page and accepts; only then can a
 * Shire officer read a trust's plan; one party (Shire) ends it, and the next read is refused. axe in
 * light and dark on every page of the flow.
 */
let t: TestApp;
let base = '';
let server: ReturnType<typeof serve> | undefined;
beforeAll(async () => {
  t = await testApp({});
  await publishPlans(t.db, [
    importRecordFrom(planBody({ externalRef: 'SB-000001', givenNames: 'Siân', familyName: 'Llewelyn-Wiśniewska' })),
  ]);
  server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server!.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
});

async function acceptFromHome(page: Page, label: string) {
  await page.goto(`${base}/admin`);
  await expectAccessible(page, `/admin (${label}, waiting)`);
  await page.click('a:has-text("New agreement SHIRE-TRUSTS-1")');
  await page.waitForURL((u) => u.pathname.startsWith('/admin/agreements/proposals/'));
  await expectAccessible(page, `proposal (${label})`);
  await page.click('form[action$="/accept"] button');
  await page.waitForURL((u) => u.searchParams.has('done'));
}

describe('agreement workflow in a real browser', () => {
  it('propose, each party accepts, in force (a responder reads), one party ends it; axe on every page', { timeout: 300_000 }, async () => {
    const planId = await planIdOf(t.db, 'SB-000001');
    const officer = await signedInPage(base, 'demo.outsider', { purpose: 'INC-2026-7001 concern for welfare' });
    expect((await officer.goto(`${base}/plans/${planId}`))!.status()).toBe(403);

    // Shire proposes, naming both trusts.
    const shire = await signedInPage(base, 'demo.shire-admin');
    await shire.goto(`${base}/admin/agreements/new`);
    await expectAccessible(shire, 'propose');
    await shire.click('form[action="/admin/agreements"] button[type=submit]');
    expect(await shire.textContent('.error-summary')).toContain('Agreement reference');
    await expectAccessible(shire, 'propose (errors)');
    await shire.fill('#reference', 'SHIRE-TRUSTS-1');
    await shire.check('input[name=parties][value="southbank-mh"]');
    await shire.check('input[name=parties][value="northgate-mh"]');
    expect(await shire.isChecked('input[name=parties][value="shire-police"]')).toBe(true);
    for (const [id, d, m, y] of [
      ['from', '1', '1', '2026'],
      ['to', '31', '12', '2027'],
    ] as const) {
      await shire.fill(`#${id}-day`, d);
      await shire.fill(`#${id}-month`, m);
      await shire.fill(`#${id}-year`, y);
    }
    await shire.click('form[action="/admin/agreements"] button[type=submit]');
    await shire.waitForURL((u) => u.pathname.startsWith('/admin/agreements/proposals/'));
    expect(await shire.textContent('.banner')).toContain('Proposal recorded with your acceptance');
    await expectAccessible(shire, 'proposal (proposer)');
    const proposalUrl = shire.url().split('?')[0]!;
    expect((await officer.goto(`${base}/plans/${planId}`))!.status()).toBe(403);

    // Southbank accepts; its decline page is there too (seen, not used).
    const south = await signedInPage(base, 'demo.admin');
    await south.goto(`${proposalUrl}/decline`);
    await expectAccessible(south, 'decline');
    await acceptFromHome(south, 'southbank');
    expect(await south.textContent('.banner')).toContain('Your acceptance is recorded.');
    expect((await officer.goto(`${base}/plans/${planId}`))!.status()).toBe(403);

    // Northgate's acceptance is the last: in force.
    const north = await signedInPage(base, 'demo.northgate-admin');
    await acceptFromHome(north, 'northgate');
    expect(await north.textContent('.banner')).toContain('the agreement is in force');
    await expectAccessible(north, 'proposal (accepted)');
    const read = await officer.goto(`${base}/plans/${planId}`);
    expect(read!.status()).toBe(200);
    expect(await officer.textContent('h1')).toContain('Siân');

    // One party ends it, alone and at once.
    await shire.goto(`${base}/admin/agreements/SHIRE-TRUSTS-1`);
    await expectAccessible(shire, 'agreement');
    await shire.click('a:has-text("End this agreement now")');
    await expectAccessible(shire, 'end agreement');
    await shire.fill('#reason', 'Shire leaves the pilot');
    await shire.click('button.danger');
    await shire.waitForURL((u) => u.pathname === '/admin/agreements/SHIRE-TRUSTS-1');
    expect(await shire.textContent('.banner')).toContain('Agreement ended');
    expect((await officer.goto(`${base}/plans/${planId}`))!.status()).toBe(403);

    const ops = (await t.events())
      .filter((e) => e.action === 'governance')
      .map((e) => [(e.query as { op: string }).op, e.actorSub, e.channel]);
    expect(ops).toEqual([
      ['agreement.propose', 'demo.shire-admin', 'web'],
      ['agreement.accept', 'demo.admin', 'web'],
      ['agreement.accept', 'demo.northgate-admin', 'web'],
      ['agreement.end', 'demo.shire-admin', 'web'],
    ]);
  });
});

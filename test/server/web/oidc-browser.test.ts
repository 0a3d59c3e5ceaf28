import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { importRecordFrom, planBody, publishPlans } from '../../helpers.js';
import { signInInBrowser } from '../auth/oidc-helpers.js';
import { setUp } from '../auth/oidc-app.js';

const CHROMIUM = '/usr/bin/chromium';
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** AUTH_DEV off: a real Chromium signs in through the organisation's provider, searches, opens a plan. */
describe.skipIf(!fs.existsSync(CHROMIUM))('sign-in in a real browser', () => {
  it('signs in through the provider, states a purpose, searches and opens the plan', { timeout: 60_000 }, async () => {
    const { t, appUrl, sync } = await setUp();
    publishPlans(t.db, [importRecordFrom(planBody())]);
    await sync.drain();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
    try {
      const page = await browser.newPage();
      let redirects = 0;
      page.on('response', (r) => {
        if (r.status() >= 300 && r.status() < 400) redirects++;
      });
      const started = performance.now();
      await signInInBrowser(page, appUrl, 'capital-police', 'pc.oidc');
      // The purpose prompt follows sign-in; then the search page, signed in.
      await page.fill('#purpose', 'INC-2026-0042 concern for welfare');
      await page.click('form[action="/purpose"] button');
      await page.waitForSelector('input[name=q]');
      const ms = Math.round(performance.now() - started);
      console.log(`OIDC sign-in in Chromium: ${redirects} redirects, ${ms} ms from /sign-in/capital-police to the signed-in search page (incl. typing the user and the purpose)`);
      await page.fill('input[name=q]', "O'Sullivan-Nowak");
      await page.press('input[name=q]', 'Enter');
      await page.click('a[href^="/plans/"]');
      await page.waitForURL((u) => u.pathname.startsWith('/plans/'));
      expect(await page.textContent('body')).toContain('Speak to Eff by name');
    } finally {
      await browser.close();
    }
  });
});

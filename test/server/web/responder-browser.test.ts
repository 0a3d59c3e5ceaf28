import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPlans } from '../../helpers.js';
import { expectAccessible, focusOutlinePx, newPage, signedInPage, tabTo } from '../../browser/chromium.js';
import { person, searchTestApp, type SearchTestApp } from '../../search/helpers.js';

/** Issue 15 in a real Chromium: the responder's pages at car-terminal and phone sizes. */

const CAR = { width: 1024, height: 768 };
const PHONE = { width: 390, height: 844 };
const PURPOSE = 'INC-2026-0515 concern for welfare';

/** Twelve invented Daniel Smiths, every card field filled: the most a results page holds per card. */
const smiths = Array.from({ length: 12 }, (_, i) =>
  person({
    ref: `S-DS${String(i).padStart(2, '0')}`,
    given: 'Daniel',
    family: 'Smith',
    preferred: 'Danny',
    aliases: ['Dan Smyth', 'DJ'],
    dob: `19${80 + (i % 10)}-04-${String(10 + i).padStart(2, '0')}`,
    homeArea: 'Wandsworth and Battersea riverside',
  }),
);
const withNumbers = (() => {
  const rec = person({ ref: 'S-TEL', given: 'Rhiannon', family: 'Telford', dob: '1989-04-23' });
  rec.plan.summary = 'Crisis line 0800 000 0101, Samaritans 116 123, or 999 if at risk.';
  rec.plan.careTeam = [{ name: 'Duty coordinator', phone: '020 7946 0001', outOfHours: 'night team +44 (0)20 7946 0999' }];
  return rec;
})();

let t: SearchTestApp;
let base = '';
let server: ReturnType<typeof serve> | undefined;
beforeAll(async () => {
  t = await searchTestApp({ meili: false });
  await publishPlans(t.db, [...smiths, withNumbers]);
  await t.sync.drain();
  server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server!.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  await t?.close();
});

const responder = (size: { width: number; height: number }, sub = 'demo.officer') => signedInPage(base, sub, { purpose: PURPOSE, size });

/** Result cards wholly on the first screen, without scrolling. */
const cardsAboveFold = (page: Page) =>
  page.evaluate(
    () => [...document.querySelectorAll('ol.results > li')].filter((li) => li.getBoundingClientRect().bottom <= window.innerHeight).length,
  );

describe('the responder in Chromium', () => {
  for (const [label, size] of [
    ['car 1024×768', CAR],
    ['phone 390×844', PHONE],
  ] as const) {
    it(`${label}: after a search the form is one line and at least three result cards are above the fold`, {
      timeout: 60_000,
    }, async () => {
      const page = await responder(size);
      await page.goto(`${base}/`);
      await page.fill('#q', 'Daniel Smith');
      await page.fill('#dob', '1989');
      await page.press('#q', 'Enter');
      await page.waitForSelector('ol.results');
      expect(await page.textContent('details.searched > summary')).toContain('Daniel Smith · born 1989');
      expect(await page.isVisible('#q')).toBe(false);
      // born 1989 narrows to one; the plain name search is the crowded case.
      await page.goto(`${base}/?q=Daniel+Smith`);
      const visible = await cardsAboveFold(page);
      console.log(`${label}: ${visible} result cards above the fold`);
      expect(visible).toBeGreaterThanOrEqual(3);
      // "change" opens the form in place, filled in, without another search.
      await page.click('details.searched > summary');
      expect(await page.inputValue('#q')).toBe('Daniel Smith');
      await expectAccessible(page, `results at ${label}`);
      await page.context().close();
    });
  }

  it('every date format is accepted; one that cannot be read is one message, with the focus on the field', {
    timeout: 60_000,
  }, async () => {
    const page = await responder(CAR);
    for (const [typed, shown] of [
      ['23/04/1989', '23 Apr 1989'],
      ['23-04-1989', '23 Apr 1989'],
      ['23.4.89', '23 Apr 1989'],
      ['23 Apr 1989', '23 Apr 1989'],
      ['1989-04-23', '23 Apr 1989'],
      ['Apr 1989', 'Apr 1989'],
      ['1989', '1989'],
    ]) {
      await page.goto(`${base}/`);
      await page.fill('#q', 'Telford');
      await page.fill('#dob', typed!);
      await page.press('#dob', 'Enter');
      await page.waitForLoadState('load');
      expect(await page.textContent('details.searched > summary'), typed).toContain(`Telford · born ${shown}`);
      expect(await page.textContent('ol.results'), typed).toContain('Born 23 Apr 1989');
    }
    await page.goto(`${base}/`);
    await page.fill('#q', 'Telford');
    await page.fill('#dob', '31/02/1989');
    await page.press('#dob', 'Enter');
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dob');
    expect(await page.textContent('#dob-error')).toContain('Enter the date of birth like 23 Apr 1989');
    await expectAccessible(page, 'search with a bad date');
    await page.context().close();
  });

  it('every phone number on the plan page is a tel: link; version and review-by are on the first screen', { timeout: 60_000 }, async () => {
    const page = await responder(PHONE, 'demo.paramedic');
    await page.goto(`${base}/?q=Telford`);
    await page.click('ol.results a');
    await page.waitForURL((u) => u.pathname.startsWith('/plans/'));
    // No run of phone-like digits left outside a tel: link.
    const unlinked = await page.evaluate(() => {
      const walker = document.createTreeWalker(document.querySelector('main')!, NodeFilter.SHOW_TEXT);
      const left: string[] = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement?.closest('a[href^="tel:"]')) continue;
        const m = n.textContent!.match(/\+44[\d ()-]{9,}|\b0\d[\d -]{8,}\d|\b116 ?\d{3}\b/g);
        if (m) left.push(...m);
      }
      return left;
    });
    expect(unlinked).toEqual([]);
    expect(await page.$$eval('a[href^="tel:"]', (as) => as.map((a) => a.getAttribute('href')))).toEqual([
      'tel:08000000101',
      'tel:116123',
      // Who to call: the trust's 24/7 line and the care team's out-of-hours number, under the summary.
      'tel:08000000101',
      'tel:+442079460999',
      'tel:02079460001',
      'tel:+442079460999',
      'tel:07700900001', // the nominated person's own phone field
    ]);
    const version = await page.$eval('#version', (el) => ({ text: el.textContent, bottom: el.getBoundingClientRect().bottom }));
    expect(version.text).toMatch(/Version 1 · published \d+ \w{3} 20\d\d · review by \d+ \w{3} 20\d\d/);
    expect(version.bottom).toBeLessThan(PHONE.height);
    expect(await page.isVisible('p.back a')).toBe(true);
    await page.click('p.back a');
    await page.waitForSelector('ol.results');
    await page.goBack();
    await expectAccessible(page, 'plan page');
    await page.context().close();
  });

  for (const [label, size] of [
    ['car 1024×768', CAR],
    ['phone 390×844', PHONE],
  ] as const) {
    it(`${label}: who to call is on the first screen of the plan, with a tel: link; 999 is not a link`, { timeout: 60_000 }, async () => {
      const page = await responder(size, 'demo.paramedic');
      await page.goto(`${base}/?q=Telford`);
      await page.click('ol.results a');
      await page.waitForURL((u) => u.pathname.startsWith('/plans/'));
      const call = await page.$eval('.call a[href^="tel:"]', (a) => ({
        href: a.getAttribute('href'),
        bottom: a.getBoundingClientRect().bottom,
      }));
      console.log(`${label}: the first call link ends ${Math.round(call.bottom)} px down`);
      expect(call.href).toBe('tel:08000000101');
      expect(call.bottom).toBeLessThan(size.height);
      expect(await page.$$('a[href="tel:999"]')).toHaveLength(0);
      // The advice notice is there, but quieter than the summary.
      const sizes = await page.evaluate(() => ({
        advice: parseFloat(getComputedStyle(document.querySelector('.advice')!).fontSize),
        summary: parseFloat(getComputedStyle(document.querySelector('.summary')!).fontSize),
      }));
      expect(sizes.advice).toBeLessThan(sizes.summary);
      await expectAccessible(page, `plan page at ${label}`);
      await page.context().close();
    });
  }

  it('phone 390×844: no sideways scrolling on results; "more than 10" is said at the top', { timeout: 60_000 }, async () => {
    const page = await responder(PHONE);
    await page.goto(`${base}/?q=Daniel+Smith`);
    await page.waitForSelector('ol.results');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.textContent('#found')).toBe('More than 10 people found');
    const more = await page.$eval('#more', (el) => el.getBoundingClientRect().bottom);
    expect(more).toBeLessThan(PHONE.height);
    await page.context().close();
  });

  it('keyboard: the skip link comes first; focus is at least 3 px; purpose focused; sign-in, 404 pages pass axe in dark and light', {
    timeout: 60_000,
  }, async () => {
    const page = await responder(CAR);
    // The results page focuses nothing on load (the keyboard would cover the cards).
    await page.goto(`${base}/?q=Daniel+Smith`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    expect(await focusOutlinePx(page)).toBeGreaterThanOrEqual(3);
    await tabTo(page, 'ol.results a');
    expect(await focusOutlinePx(page)).toBeGreaterThanOrEqual(3);
    await page.goto(`${base}/purpose?return=/`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('purpose');
    await expectAccessible(page, 'purpose');
    await page.goto(`${base}/no/such/page`);
    expect(await page.textContent('h1')).toBe('Page not found');
    await expectAccessible(page, '404');
    const signedOut = await newPage(CAR, 'dark');
    await signedOut.goto(`${base}/sign-in`);
    await expectAccessible(signedOut, 'sign-in');
    await signedOut.goto(`${base}/signed-out`);
    expect(await signedOut.textContent('h1')).toBe('You have signed out');
    await expectAccessible(signedOut, 'signed-out');
    await signedOut.context().close();
    await page.context().close();
  });
});

import fs from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { onFileCleanup } from '../cleanup.js';

import { CHROMIUM, chromiumArgs } from './launch.js';

export { CHROMIUM, chromiumArgs };

/**
 * Browser tests never skip: `npm test` installs Chromium first (scripts/test-setup.ts), so a missing one
 * here is a failure that says how to get it.
 */
function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    return Promise.reject(
      new Error(`Chromium not found at ${CHROMIUM}: run npm test (it installs what the tests need) or apt-get install -y chromium`),
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
}

let shared: Promise<Browser> | undefined;
/** One browser per test file (each test takes its own context), closed after the file. */
export function browser(): Promise<Browser> {
  if (!shared) {
    const launched = (shared = launch());
    onFileCleanup(async () => {
      shared = undefined;
      // A browser that never launched has already failed its tests with the reason.
      await (await launched.catch(() => undefined))?.close();
    });
  }
  return shared;
}

/** A fresh context (own cookies) at a screen size: car terminal 1024×768, phone 390×844, desk 1366×768. */
export async function newPage(
  size: { width: number; height: number } = { width: 1366, height: 768 },
  colorScheme: 'light' | 'dark' = 'light',
): Promise<Page> {
  const context = await (await browser()).newContext({ viewport: size, colorScheme });
  return context.newPage();
}

/**
 * A page signed in through the demo sign-in form (development issuer) of the service at `base`, with a
 * purpose stated when given: the request posts carry this site's Origin, as the form would.
 */
export async function signedInPage(
  base: string,
  sub: string,
  opts: { purpose?: string; size?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await newPage(opts.size);
  const form = (data: Record<string, string>) => ({ form: data, headers: { origin: base }, maxRedirects: 0 });
  expect((await page.context().request.post(`${base}/sign-in`, form({ user: sub, return: '/' }))).status()).toBe(303);
  if (opts.purpose)
    expect((await page.context().request.post(`${base}/purpose`, form({ purpose: opts.purpose, return: '/' }))).status()).toBe(303);
  return page;
}

/**
 * axe-core with the WCAG 2.0/2.1/2.2 A and AA rules, in light and in dark: no violations in either.
 * The page is re-rendered in each scheme (emulateMedia), so call it on the page as the test left it.
 */
export async function expectAccessible(page: Page, label = page.url()): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const axe = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']);
    // A page without frames (all of ours) needs no merging of per-frame results, which opens a blank page
    // and loads axe twice more: axe.run in the page gives the same answer in half the time.
    if (page.frames().length === 1) axe.setLegacyMode();
    const { violations } = await axe.analyze();
    const summary = violations.map(
      (v) =>
        `${v.id} (${v.nodes.length}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
    expect(summary, `${label} in ${colorScheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Tab until `selector` has focus (at most `max` presses): keyboard-only flows. */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The focused element's outline width in px (a visible focus indicator is at least 2 px). */
export async function focusOutlinePx(page: Page): Promise<number> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return 0;
    const style = getComputedStyle(el);
    return style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth);
  });
}

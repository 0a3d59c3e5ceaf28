import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAccessible, focusOutlinePx, newPage, tabTo } from '../../browser/chromium.js';
import { signInInBrowser } from '../auth/oidc-helpers.js';
import { setUp } from '../auth/oidc-app.js';
import { decodePng } from './helpers.js';
import type { Actor } from '../../../src/plans/core/actor.js';
import { findVersion } from '../../../src/plans/versions/store.js';
import { createDraft, createPlan, editDraft, reject, submitForReview } from '../../../src/plans/versions/workflow.js';
import { importRecordFrom, planBody, planIdOf, publishPlans } from '../../helpers.js';

const field = (name: string) => `[name="${name}"]`;
const saveStay = 'button[name=save][value=stay]';

async function consoleSignIn(appUrl: string, user: string, returnTo: string, size?: { width: number; height: number }) {
  const page = await newPage(size);
  // No purpose asked: the console records "care planning" for the trust's own staff.
  await signInInBrowser(page, appUrl, 'southbank-mh', user, returnTo);
  await page.waitForURL((u) => u.pathname === returnTo.split('?')[0]);
  return page;
}

async function writePlan(page: Page, ref: string, familyName: string) {
  await page.goto(new URL('/manage/plans/new', page.url()).href);
  await page.fill(field('externalRef'), ref);
  await page.fill(field('subject.givenNames'), 'Nia');
  await page.fill(field('subject.familyName'), familyName);
  await page.fill(field('subject.dateOfBirth.day'), '14');
  await page.fill(field('subject.dateOfBirth.month'), '3');
  await page.fill(field('subject.dateOfBirth.year'), '1991');
  await page.fill(field('plan.summary'), 'Speak calmly. One responder.');
  await page.selectOption(field('governance.lawfulBasis'), 'public-task');
  await page.fill(field('governance.reviewBy.day'), '1');
  await page.fill(field('governance.reviewBy.month'), '4');
  await page.fill(field('governance.reviewBy.year'), String(new Date().getUTCFullYear() + 1));
}

/**
 * Issue 13 end to end in Chromium, everyone signing in through the OpenID provider: write, review with a
 * comment, revise, publish, find it as a responder, issue a card whose QR opens the plan on a phone.
 */
describe('the authoring console in a real browser', () => {
  it('author writes, approver returns, author revises, approver publishes, responder reads, card opens it on a phone; axe on every console page', {
    timeout: 180_000,
  }, async () => {
    const started = performance.now();
    const { appUrl } = await setUp({ southbank: true });
    const author = await consoleSignIn(appUrl, 'sb.author', '/manage');
    await expectAccessible(author, '/manage');

    await writePlan(author, 'SB-E2E-1', 'Synthetic-Bridgeford');
    await expectAccessible(author, '/manage/plans/new');
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('section') === 'person');
    const planUrl = author.url().replace(/\/edit\?.*$/, '');
    const planId = planUrl.split('/').at(-1)!;
    await expectAccessible(author, 'edit person');

    // Two crisis behaviours, with "add another".
    await author.goto(`${planUrl}/edit?section=behaviours`);
    await author.click('button[name=add][value="plan.crisisBehaviours"]');
    await author.fill(field('plan.crisisBehaviours.0.behaviour'), 'Walks to the bridge');
    await author.click('button[name=add][value="plan.crisisBehaviours"]');
    await author.fill(field('plan.crisisBehaviours.1.behaviour'), 'Stops talking');
    await author.fill(field('plan.crisisBehaviours.1.triggers'), 'Loud voices');
    await expectAccessible(author, 'edit behaviours');
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('saved') === '1');
    expect(await author.inputValue(field('plan.crisisBehaviours.1.behaviour'))).toBe('Stops talking');

    // A nominated person who agreed to be contacted.
    await author.goto(`${planUrl}/edit?section=people`);
    await author.click('button[name=add][value="plan.nominatedPeople"]');
    await author.fill(field('plan.nominatedPeople.0.name'), 'Brother (synthetic)');
    await author.fill(field('plan.nominatedPeople.0.phone'), '07700 900123');
    await author.check(field('plan.nominatedPeople.0.consentToContact'));
    await expectAccessible(author, 'edit people');
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('saved') === '1');

    // A long summary is warned about, then shortened.
    await author.goto(`${planUrl}/edit?section=summary`);
    await author.fill(field('plan.summary'), Array.from({ length: 90 }, (_, i) => `word${i}`).join(' '));
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('saved') === '1');
    expect(await author.textContent('main')).toContain('longer than 75 words');
    await expectAccessible(author, 'edit summary (long)');
    await author.fill(field('plan.summary'), 'Speak calmly. One responder. Offer tea.');
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('saved') === '1');
    expect(await author.textContent('main')).not.toContain('longer than 75 words');

    await author.goto(planUrl);
    await expectAccessible(author, 'plan overview (draft)');
    await author.click('form[action$="/submit"] button');
    await author.waitForURL((u) => u.searchParams.get('done') === 'submitted');

    // The approver, in a second browser context, returns it with a comment.
    const approver = await consoleSignIn(appUrl, 'sb.approver', '/manage/reviews');
    await expectAccessible(approver, '/manage/reviews');
    await approver.click(`a[href="/manage/reviews/${planId}/1"]`);
    await expectAccessible(approver, 'review version 1');
    await approver.click('form[action$="/return"] button');
    expect(await approver.textContent('.error-summary')).toBeTruthy();
    await expectAccessible(approver, 'review (no comment)');
    await approver.fill('#comment', 'Say where the bridge is.');
    await approver.click('form[action$="/return"] button');
    await approver.waitForURL((u) => !u.pathname.endsWith('/return'));

    // The author sees the comment and revises.
    await author.goto(planUrl);
    expect(await author.textContent('main')).toContain('Say where the bridge is.');
    await author.goto(`${planUrl}/edit?section=behaviours`);
    await author.fill(field('plan.crisisBehaviours.0.behaviour'), 'Walks to Hungerford bridge');
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('saved') === '1');
    await author.goto(planUrl);
    await author.click('form[action$="/submit"] button');
    await author.waitForURL((u) => u.searchParams.get('done') === 'submitted');

    // The approver publishes the revised first version.
    await approver.goto(`${appUrl}/manage/reviews`);
    await approver.click(`a[href^="/manage/reviews/${planId}/"]`);
    expect(await approver.textContent('main')).toContain('first version of the plan');
    await approver.click('form[action$="/approve"] button');
    await approver.waitForURL((u) => u.searchParams.get('done') === 'published');

    // A second version: the approver sees the change against the published one highlighted, and publishes.
    await author.goto(planUrl);
    await author.click('form[action$="/drafts"] button');
    await author.goto(`${planUrl}/edit?section=behaviours`);
    await author.fill(field('plan.crisisBehaviours.0.behaviour'), 'Walks to Hungerford bridge at night');
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('saved') === '1');
    await author.goto(planUrl);
    await author.click('form[action$="/submit"] button');
    await author.waitForURL((u) => u.searchParams.get('done') === 'submitted');
    await approver.goto(`${appUrl}/manage/reviews`);
    await approver.click(`a[href="/manage/reviews/${planId}/2"]`);
    expect(await approver.locator('.changed ins', { hasText: 'night' }).count()).toBeGreaterThan(0);
    await expectAccessible(approver, 'review (changes highlighted)');
    await approver.click('form[action$="/approve"] button');
    await approver.waitForURL((u) => u.searchParams.get('done') === 'published');

    // Cards are the author's: the approver is told so on a page.
    await approver.goto(`${planUrl}/cards`);
    expect(await approver.textContent('h1')).toContain('You cannot do this');

    // A responder finds and reads it.
    const officer = await newPage();
    await signInInBrowser(officer, appUrl, 'capital-police', 'pc.oidc');
    await officer.fill('#purpose', 'INC-2026-0042 concern for welfare');
    await officer.click('form[action="/purpose"] button');
    await officer.waitForSelector('input[name=q]');
    await officer.fill('input[name=q]', 'Synthetic-Bridgeford');
    await officer.press('input[name=q]', 'Enter');
    await officer.click(`a[href^="/plans/${planId}"]`);
    await officer.waitForURL((u) => u.pathname.startsWith(`/plans/${planId}`));
    expect(await officer.textContent('body')).toContain('Walks to Hungerford bridge at night');

    // The author issues a card; its QR opens the plan on a phone.
    await author.goto(`${planUrl}/cards`);
    await expectAccessible(author, 'cards');
    await author.click('form[action$="/cards"] button');
    await author.waitForSelector('text=cannot be shown again');
    await expectAccessible(author, 'card issued');
    const png = (await author.getAttribute('a[download$="-qr.png"]', 'href'))!.replace(/^data:image\/png;base64,/, '');
    const qr = decodePng(Buffer.from(png, 'base64'))!;
    expect(qr.startsWith(`${appUrl}/q/`)).toBe(true);
    // Refreshing the issued card's page issues nothing and stops nothing: it was a redirect to a GET.
    await author.reload();
    await author.waitForSelector('text=cannot be shown again');
    await author.goto(`${planUrl}/cards`);
    expect((await author.textContent('table'))!.match(/In use/g)).toHaveLength(1);
    await author.goto(`${planUrl}/cards/revoke`);
    await expectAccessible(author, 'stop the card');

    const phone = await newPage({ width: 390, height: 844 });
    await signInInBrowser(phone, appUrl, 'capital-police', 'pc.oidc', new URL(qr).pathname);
    if (await phone.locator('#purpose').count()) {
      await phone.click('form[action="/purpose"] button');
    }
    await phone.waitForURL((u) => u.pathname.startsWith(`/plans/${planId}`));
    expect(await phone.textContent('body')).toContain('Walks to Hungerford bridge');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    console.log(
      `Console end to end in Chromium (write, return, revise, publish, find, card → phone, axe on each page): ${Math.round(performance.now() - started)} ms`,
    );
  });

  it('keyboard only: the author sends a plan for review and the approver approves it with Tab, Enter and Space; focus is visible', {
    timeout: 120_000,
  }, async () => {
    const { appUrl } = await setUp({ southbank: true });
    const author = await consoleSignIn(appUrl, 'sb.author', '/manage');
    await writePlan(author, 'SB-KEY-1', 'Synthetic-Keyes');
    await author.click(saveStay);
    await author.waitForURL((u) => u.searchParams.get('section') === 'person');
    const planUrl = author.url().replace(/\/edit\?.*$/, '');
    const planId = planUrl.split('/').at(-1)!;
    await author.goto(planUrl);
    await tabTo(author, 'form[action$="/submit"] button');
    expect(await focusOutlinePx(author)).toBeGreaterThanOrEqual(2);
    await author.keyboard.press('Enter');
    await author.waitForURL((u) => u.searchParams.get('done') === 'submitted');

    const approver = await consoleSignIn(appUrl, 'sb.approver', '/manage/reviews');
    await tabTo(approver, `a[href="/manage/reviews/${planId}/1"]`);
    expect(await focusOutlinePx(approver)).toBeGreaterThanOrEqual(2);
    await approver.keyboard.press('Enter');
    await approver.waitForURL((u) => u.pathname === `/manage/reviews/${planId}/1`);
    await tabTo(approver, 'form[action$="/approve"] button');
    expect(await focusOutlinePx(approver)).toBeGreaterThanOrEqual(2);
    await approver.keyboard.press('Space');
    await approver.waitForURL((u) => u.searchParams.get('done') === 'published');
    expect(await approver.textContent('main')).toContain('Published. Responders now see this version.');
  });

  it('the approve button publishes what the page showed: rewritten while the page was open, it publishes nothing until read again', {
    timeout: 120_000,
  }, async () => {
    const { appUrl, t } = await setUp({ southbank: true });
    // Someone who is both author and approver writes a revision, and can return their own version to draft.
    const writer: Actor = { sub: 'both.sb', org: 'southbank-mh', orgKind: 'mental-health', roles: ['author', 'approver'] };
    const body = (summary: string) => {
      const { externalRef: _r, ...b } = planBody({ familyName: 'Synthetic-Hashley', summary });
      return b;
    };
    await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-HASH-1', familyName: 'Synthetic-Hashley' }))]);
    const made = await createDraft(
      t.db,
      writer,
      await planIdOf(t.db, 'SB-HASH-1'),
      body('Speak slowly, first version under review.'),
      t.clock(),
    );
    if (!made.ok) throw new Error(made.detail);
    expect((await submitForReview(t.db, writer, made.value, t.clock())).ok).toBe(true);
    const review = `/manage/reviews/${made.value.planId}/${made.value.version}`;
    const approver = await consoleSignIn(appUrl, 'sb.approver', review);
    expect(await approver.locator('.changed ins', { hasText: 'first version under review' }).count()).toBeGreaterThan(0);

    expect((await reject(t.db, writer, made.value, 'Changing one thing', t.clock())).ok).toBe(true);
    expect((await editDraft(t.db, writer, made.value, body('Rewritten while the approver was reading.'), t.clock())).ok).toBe(true);
    expect((await submitForReview(t.db, writer, made.value, t.clock())).ok).toBe(true);

    await approver.click('form[action$="/approve"] button');
    await approver.waitForSelector('h1:has-text("This version changed after you opened it")');
    expect((await findVersion(t.db, made.value.planId, made.value.version))!.status).toBe('in-review');
    await approver.click('text=Read the version as it is now');
    await approver.waitForURL((u) => u.pathname === review);
    expect(await approver.locator('.changed ins', { hasText: 'Rewritten' }).count()).toBeGreaterThan(0);
    await approver.click('form[action$="/approve"] button');
    await approver.waitForURL((u) => u.searchParams.get('done') === 'published');
    expect(await findVersion(t.db, made.value.planId, made.value.version)).toMatchObject({
      status: 'published',
      approvedBy: 'sb.approver',
    });
  });

  it('the author previews a new plan as each responder kind will see it and sends it from there; the approver reads all of it, as the police and as an ambulance crew, before approving', {
    timeout: 120_000,
  }, async () => {
    const { appUrl, t } = await setUp({ southbank: true });
    const writer: Actor = { sub: 'sb.author', org: 'southbank-mh', orgKind: 'mental-health', roles: ['author'] };
    const made = await createPlan(
      t.db,
      writer,
      planBody({ externalRef: 'SB-READ-1', familyName: 'Synthetic-Readwell', summary: 'Approach alone; she trusts one calm voice.' }),
      t.clock(),
    );
    if (!made.ok) throw new Error(made.detail);
    const planUrl = `/manage/plans/${made.value.planId}`;

    const author = await consoleSignIn(appUrl, 'sb.author', planUrl);
    await author.click('text=Preview as responders will see it');
    await author.waitForURL((u) => u.pathname === `${planUrl}/preview`);
    const authorView = author.locator('#as-responders');
    expect(await authorView.getByText('Recurrent depressive disorder').isVisible()).toBe(true);
    await expectAccessible(author, 'preview (ambulance)');
    await author.click('text=As the police see it');
    await author.waitForURL((u) => u.searchParams.get('as') === 'police');
    expect(await authorView.textContent()).not.toContain('Recurrent depressive disorder');
    expect(await authorView.textContent()).toContain('Not shown to the police: Diagnosis, Mental capacity.');
    await expectAccessible(author, 'preview (police)');
    await author.click('#send form[action$="/submit"] button');
    await author.waitForURL((u) => u.searchParams.get('done') === 'submitted');

    const approver = await consoleSignIn(appUrl, 'sb.approver', '/manage/reviews');
    await approver.click('text=Read and approve');
    await approver.waitForURL((u) => u.pathname === `/manage/reviews/${made.value.planId}/1`);
    const shown = approver.locator('#as-responders');
    // Everything a responder will read, on screen before the decision: summary, behaviours, places, people, numbers.
    for (const text of [
      'Approach alone; she trusts one calm voice.',
      'Stands by the railings',
      'Waterloo Bridge (north end steps)',
      'Riverside Crisis Café (synthetic)',
      'Sister (synthetic)',
      'Duty coordinator',
      'Recurrent depressive disorder',
    ]) {
      expect(await shown.getByText(text).first().isVisible(), text).toBe(true);
    }
    expect(await shown.locator('a[href="tel:07700900001"]').isVisible()).toBe(true);
    expect(await shown.textContent()).not.toContain('Ex-partner');
    await expectAccessible(approver, 'review of a new plan (ambulance)');

    await approver.click('text=As the police see it');
    await approver.waitForURL((u) => u.searchParams.get('as') === 'police');
    expect(await shown.textContent()).not.toContain('Recurrent depressive disorder');
    expect(await shown.getByText('Approach alone; she trusts one calm voice.').isVisible()).toBe(true);
    await expectAccessible(approver, 'review of a new plan (police)');
    await approver.click('text=As emergency departments see it');
    await approver.waitForURL((u) => u.searchParams.get('as') === 'emergency-department');
    expect(await shown.getByText('Has capacity for treatment decisions at last review.').isVisible()).toBe(true);

    await approver.click('form[action$="/approve"] button');
    await approver.waitForURL((u) => u.searchParams.get('done') === 'published');
    expect(await findVersion(t.db, made.value.planId, 1)).toMatchObject({ status: 'published', approvedBy: 'sb.approver' });
  });
});

import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/plans/core/actor.js';
import { findVersion } from '../../../src/plans/versions/store.js';
import { reject } from '../../../src/plans/versions/workflow.js';
import { createDraft, editDraft, submitForReview } from '../../../src/plans/versions/workflow.js';
import {
  approveAsReviewed,
  contentHashOf,
  importRecordFrom,
  planBody,
  planIdOf,
  publishPlans,
  testApp,
  who,
  type TestApp,
} from '../../helpers.js';
import { signedIn } from './helpers.js';

const REVIEW = 'Care plan review with the person';

const mh = (w: { sub: string; org: string; roles: Actor['roles'] }): Actor => ({ ...w, orgKind: 'mental-health' });
/** The approve form's hidden field: the content hash of what the page shows. */
const shownHash = (html: string) => /name="contentHash" value="([0-9a-f]{64})"/.exec(html)![1]!;

/** A published plan and a submitted revision of its summary. */
async function revision(t: TestApp, by: Actor = mh(who.author)) {
  await publishPlans(t.db, [importRecordFrom(planBody())]);
  const planId = await planIdOf(t.db, 'SB-000001');
  const draft = await createDraft(t.db, by, planId, undefined, t.clock());
  if (!draft.ok) throw new Error(draft.detail);
  const { externalRef: _x, ...body } = planBody({ summary: 'Speak to Eff by name, slowly, one responder only. Offer the crisis café.' });
  expect((await editDraft(t.db, by, draft.value, body, t.clock())).ok).toBe(true);
  expect((await submitForReview(t.db, by, draft.value, t.clock())).ok).toBe(true);
  return { planId, version: draft.value.version };
}

describe('the approver console', () => {
  it('queues the revision, shows the words added and removed side by side, returns with a comment the author sees, then publishes', async () => {
    const t = await testApp();
    const { planId, version } = await revision(t);
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const queue = await approver.get('/manage/reviews');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(`/manage/reviews/${planId}/${version}`);
    expect(queue.text).toContain('1 section: 2 words added, 1 removed');

    const review = await approver.get(`/manage/reviews/${planId}/${version}`);
    expect(review.status).toBe(200);
    expect(review.text).toMatch(/<del>calmly<\/del>/);
    expect(review.text).toMatch(/<ins>slowly<\/ins>/);
    expect(review.text).toContain('Yes, agreed on 1 Oct 2026');
    expect(review.text).toContain('How long it takes to read (proposed)');
    expect((await t.events()).at(-1)).toMatchObject({ action: 'view', channel: 'web', planId, outcome: 'allowed' });

    const blank = await approver.post(`/manage/reviews/${planId}/${version}/return`, { comment: '  ' });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('href="#comment"');
    expect(blank.text).toContain('Write a comment for the author');
    expect((await findVersion(t.db, planId, version))!.status).toBe('in-review');

    const back = await approver.post(`/manage/reviews/${planId}/${version}/return`, { comment: 'Say which café and its hours.' });
    expect(back.status).toBe(303);
    expect((await findVersion(t.db, planId, version))!.status).toBe('draft');
    const author = await signedIn(t, 'demo.author', REVIEW);
    const home = await author.get('/manage?filter=returned');
    expect(home.text).toContain('Say which café and its hours.');

    expect((await author.post(`/manage/plans/${planId}/submit`, {})).status).toBe(303);
    const reread = await approver.get(`/manage/reviews/${planId}/${version}`);
    const published = await approver.post(`/manage/reviews/${planId}/${version}/approve`, { contentHash: shownHash(reread.text) });
    expect(published.status).toBe(303);
    expect(published.location).toBe(`/manage/plans/${planId}?done=published`);
    expect((await findVersion(t.db, planId, version))!.status).toBe('published');
  });

  it('four-eyes, the approval race and a stale base each answer with a page, and change nothing', async () => {
    const t = await testApp();
    // demo.approver also wrote part of this version (as an author elsewhere in their work).
    const { planId, version } = await revision(t, mh({ sub: 'demo.approver', org: 'southbank-mh', roles: ['author', 'approver'] }));
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    // Their review page offers no approval (below); a post made by hand is refused by the domain all the same.
    const fourEyes = await approver.post(`/manage/reviews/${planId}/${version}/approve`, {
      contentHash: await contentHashOf(t.db, planId, version),
    });
    expect(fourEyes.status).toBe(403);
    expect(fourEyes.text).toContain('Someone else must approve this version');
    expect(fourEyes.text).toContain('<!doctype html>');
    expect((await findVersion(t.db, planId, version))!.status).toBe('in-review');

    // Another approver publishes while this one still has the page open.
    expect((await approveAsReviewed(t.db, mh(who.approver2), { planId, version }, t.clock())).ok).toBe(true);
    const t2 = await testApp();
    const r2 = await revision(t2);
    const second = await signedIn(t2, 'demo.approver', REVIEW);
    const secondSaw = shownHash((await second.get(`/manage/reviews/${r2.planId}/${r2.version}`)).text);
    expect((await approveAsReviewed(t2.db, mh(who.approver2), r2, t2.clock())).ok).toBe(true);
    const race = await second.post(`/manage/reviews/${r2.planId}/${r2.version}/approve`, { contentHash: secondSaw });
    expect(race.status).toBe(409);
    expect(race.text).toContain('Someone else has already decided on this version');

    const t3 = await testApp();
    const r3 = await revision(t3);
    // The plan is published again (a re-import from the trust's record system) while the revision waits.
    await publishPlans(t3.db, [importRecordFrom(planBody({ summary: 'Published meanwhile by import.' }))]);
    const third = await signedIn(t3, 'demo.approver', REVIEW);
    const staleView = await third.get(`/manage/reviews/${r3.planId}/${r3.version}`);
    expect(staleView.text).toContain('published again after this version was written');
    // Policy refuses the approval, so the page offers none (only the return); one made by hand is refused too.
    expect(staleView.text).not.toContain('/approve"');
    expect(staleView.text).toContain(`/manage/reviews/${r3.planId}/${r3.version}/return"`);
    const stale = await third.post(`/manage/reviews/${r3.planId}/${r3.version}/approve`, {
      contentHash: await contentHashOf(t3.db, r3.planId, r3.version),
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('The plan was published again since this version was written');
    expect((await findVersion(t3.db, r3.planId, r3.version))!.status).toBe('in-review');
  });

  it('approves what the page showed: a version returned and rewritten while the page was open is not published, and the form needs the hash', async () => {
    const t = await testApp();
    // Written by someone who is both author and approver: they can return their own version to draft.
    const writer = mh(who.authorApprover);
    const { planId, version } = await revision(t, writer);
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const opened = await approver.get(`/manage/reviews/${planId}/${version}`);
    expect(opened.status).toBe(200);
    expect(opened.text).toContain('<ins>slowly</ins>');
    const saw = shownHash(opened.text);
    expect(saw).toBe(await contentHashOf(t.db, planId, version));

    // While the page is open, the version goes back to its author, is rewritten and comes back as the same number.
    expect((await reject(t.db, writer, { planId, version }, 'One more thing', t.clock())).ok).toBe(true);
    const { externalRef: _x, ...rewritten } = planBody({ summary: 'Rewritten: approach in a group of three.' });
    expect((await editDraft(t.db, writer, { planId, version }, rewritten, t.clock())).ok).toBe(true);
    expect((await submitForReview(t.db, writer, { planId, version }, t.clock())).ok).toBe(true);

    const changed = await approver.post(`/manage/reviews/${planId}/${version}/approve`, { contentHash: saw });
    expect(changed.status).toBe(409);
    expect(changed.text).toContain('This version changed after you opened it');
    expect(changed.text).toContain(`href="/manage/reviews/${planId}/${version}"`);
    expect(changed.text).not.toContain('Rewritten: approach');
    expect(await findVersion(t.db, planId, version)).toMatchObject({ status: 'in-review', approvedBy: null });

    // A post without the field (a page from before it existed, or made by hand) approves nothing either.
    const bare = await approver.post(`/manage/reviews/${planId}/${version}/approve`, {});
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('Open the review again before approving');
    expect(bare.text).toContain('<!doctype html>');
    expect((await approver.post(`/manage/reviews/${planId}/${version}/approve`, { contentHash: 'not-a-hash' })).status).toBe(400);
    expect((await findVersion(t.db, planId, version))!.status).toBe('in-review');

    // Read again: the page shows the rewrite and its hash, and approving that publishes it.
    const again = await approver.get(`/manage/reviews/${planId}/${version}`);
    expect(again.text).toContain('group of three');
    expect(shownHash(again.text)).not.toBe(saw);
    const done = await approver.post(`/manage/reviews/${planId}/${version}/approve`, { contentHash: shownHash(again.text) });
    expect(done.status).toBe(303);
    expect(await findVersion(t.db, planId, version)).toMatchObject({ status: 'published', approvedBy: 'demo.approver' });
  });

  it('a first version is shown in full on the review page, so the hash its form carries names text the approver saw', async () => {
    const t = await testApp();
    const body = planBody({ externalRef: 'SB-NEW-1', summary: 'Approach alone; she trusts one calm voice.' });
    const made = await t.call(who.author, 'POST', '/api/v1/plans', { body });
    expect((await t.call(who.author, 'POST', `/api/v1/plans/${made.json.planId}/versions/1/submit`)).status).toBe(200);
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const page = await approver.get(`/manage/reviews/${made.json.planId}/1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('every section is shown in full');
    for (const text of [
      'Approach alone; she trusts one calm voice.',
      'Recurrent depressive disorder',
      'Stands by the railings',
      'Waterloo Bridge',
      '07700 900001',
    ]) {
      expect(page.text).toContain(text);
    }
    expect(shownHash(page.text)).toBe(await contentHashOf(t.db, made.json.planId, 1));
  });

  it('refuses authors the queue and the decision with a page', async () => {
    const t = await testApp();
    const { planId, version } = await revision(t);
    const author = await signedIn(t, 'demo.author', REVIEW);
    expect((await author.get('/manage/reviews')).status).toBe(403);
    const tried = await author.post(`/manage/reviews/${planId}/${version}/approve`, {
      contentHash: await contentHashOf(t.db, planId, version),
    });
    expect(tried.status).toBe(403);
    expect(tried.text).toContain('You cannot do this');
    expect((await findVersion(t.db, planId, version))!.status).toBe('in-review');
  });
});

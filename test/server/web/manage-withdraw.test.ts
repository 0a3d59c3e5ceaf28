import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/plans/core/actor.js';
import { findVersion } from '../../../src/plans/versions/store.js';
import { createDraft, editDraft, submitForReview } from '../../../src/plans/versions/workflow.js';
import { approveAsReviewed, importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';
import { signedIn } from './helpers.js';

const REVIEW = 'Care plan review with the person';

const mh = (w: { sub: string; org: string; roles: Actor['roles'] }): Actor => ({ ...w, orgKind: 'mental-health' });

describe('withdraw and history in the console', () => {
  it('confirms what responders will see, needs a reason, withdraws; authors cannot withdraw a published plan', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const author = await signedIn(t, 'demo.author', REVIEW);
    expect((await author.post(`/manage/plans/${planId}/withdraw`, { version: '1', reason: 'moved away' })).status).toBe(403);
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const confirm = await approver.get(`/manage/plans/${planId}/withdraw`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('see only that it was withdrawn and who to contact');
    const blank = await approver.post(`/manage/plans/${planId}/withdraw`, { version: '1', reason: '' });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('href="#reason"');
    expect((await findVersion(t.db, planId, 1))!.status).toBe('published');
    const done = await approver.post(`/manage/plans/${planId}/withdraw`, { version: '1', reason: 'Person moved out of the area' });
    expect(done.status).toBe(303);
    expect((await findVersion(t.db, planId, 1))!.status).toBe('withdrawn');
    const officer = await signedIn(t, 'demo.officer', REVIEW);
    expect((await officer.get(`/plans/${planId}`)).status).toBe(410);
  });

  it('lists every version with who wrote and approved it and why, and compares any two', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const d = await createDraft(t.db, mh(who.author), planId, undefined, t.clock());
    if (!d.ok) throw new Error(d.detail);
    const { externalRef: _x, ...body } = planBody({ summary: 'A calmer, shorter summary.' });
    await editDraft(t.db, mh(who.author), d.value, { ...body, changeSummary: 'Shorter summary, agreed with Eff' }, t.clock());
    await submitForReview(t.db, mh(who.author), d.value, t.clock());
    expect((await approveAsReviewed(t.db, mh(who.approver), d.value, t.clock())).ok).toBe(true);
    const b = await signedIn(t, 'demo.author', REVIEW);
    const h = await b.get(`/manage/plans/${planId}/history?from=1&to=2`);
    expect(h.status).toBe(200);
    expect(h.text).toContain('Shorter summary, agreed with Eff');
    expect(h.text).toContain('approver.a');
    expect(h.text).toMatch(/30-second summary: changed \(\d+ words added, \d+ removed\)/);
    expect((await t.events()).at(-1)).toMatchObject({ action: 'history', channel: 'web', planId, outcome: 'allowed' });
  });
});

import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { findPlan, findVersion, publishVersion, transaction } from '../../../src/plans/versions/store.js';
import {
  approveAfterReading,
  contentHashOf,
  importRecordFrom,
  planBody,
  publishPlans,
  testApp,
  testClock,
  type TestApp,
  type Who,
  who,
} from '../../helpers.js';
import { documentedCalls } from '../../openapi-check.js';

/** Every answer these tests get is also checked against /openapi.json: status, media type and body. */
const checked: { undocumented(): string[] }[] = [];
async function app(opts?: Parameters<typeof testApp>[0]) {
  const t = await documentedCalls(await testApp(opts));
  checked.push(t);
  return t;
}
afterEach(() => {
  expect(checked.splice(0).flatMap((t) => t.undocumented())).toEqual([]);
});

const base = (planId: string, v?: number) => `/api/v1/plans/${planId}${v ? `/versions/${v}` : ''}`;
const editBody = (summary: string) => {
  const { externalRef: _r, ...body } = planBody({ summary });
  return { ...body, changeSummary: 'test edit' };
};

async function draftPlan(t: TestApp, author: Who = who.author, externalRef = 'SB-000001') {
  const res = await t.call(author, 'POST', '/api/v1/plans', { body: planBody({ externalRef }) });
  expect(res.status).toBe(201);
  expect(res.json).toMatchObject({ version: 1, status: 'draft' });
  expect(res.headers.get('location')).toBe(base(res.json.planId, 1));
  return res.json.planId as string;
}

async function step(t: TestApp, actor: Who, planId: string, v: number, action: string, body?: unknown) {
  return t.call(actor, 'POST', `${base(planId, v)}/${action}`, { body });
}

/** Approve naming the version's current content: for refusals that are about who or when, not what. */
const approveStep = async (t: TestApp, actor: Who, planId: string, v: number) =>
  step(t, actor, planId, v, 'approve', { contentHash: await contentHashOf(t.db, planId, v) });

async function publish(t: TestApp, planId: string, v: number) {
  expect((await step(t, who.author, planId, v, 'submit')).status).toBe(200);
  const res = await approveAfterReading(t, who.approver, planId, v);
  expect(res.status).toBe(200);
  expect(res.json.status).toBe('published');
}

type Problem = { code: string; detail: string; reason?: string; errors?: { path: string; message: string }[]; [member: string]: unknown };

/** A refusal: its status and, when given, its code; the body's shape is the document's (checked after each test). */
function expectProblem(res: { status: number; json: unknown; headers: Headers }, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const p = res.json as Problem;
  if (code) expect(p.code).toBe(code);
  return p;
}

describe('publishing workflow', () => {
  it('draft → in-review → published, then a new version supersedes it', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    expectProblem(await t.call(who.officer, 'GET', base(planId)), 404, 'not_found');
    await publish(t, planId, 1);
    const v1 = await t.call(who.officer, 'GET', base(planId));
    expect(v1.status).toBe(200);
    expect(v1.json.version).toBe(1);

    const draft = await t.call(who.author, 'POST', `${base(planId)}/versions`, { body: {} });
    expect(draft.status).toBe(201);
    expect(draft.json.version).toBe(2);
    expect((await t.call(who.author2, 'PUT', base(planId, 2), { body: editBody('Call her sister first.') })).status).toBe(200);
    // Responders keep seeing version 1 until version 2 is approved.
    expect((await t.call(who.officer, 'GET', base(planId))).json.version).toBe(1);
    await publish(t, planId, 2);

    const v2 = await t.call(who.officer, 'GET', base(planId));
    expect(v2.json.version).toBe(2);
    expect(v2.json.content.summary).toBe('Call her sister first.');
    const history = (await t.call(who.author, 'GET', `${base(planId)}/versions`)).json;
    expect(history.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
    ]);
    expect(history.versions[1]!.authors).toEqual(['author.a', 'author.b']);
    expect(history.events.map((e: { action: string }) => e.action)).toEqual([
      'created',
      'submitted',
      'approved',
      'created',
      'edited',
      'submitted',
      'approved',
    ]);
  });

  it('reject sends a version back to draft with the comment recorded; it can be fixed and resubmitted', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await step(t, who.author, planId, 1, 'submit');
    expectProblem(await step(t, who.approver, planId, 1, 'reject', {}), 400, 'invalid');
    const rejected = await step(t, who.approver, planId, 1, 'reject', { comment: 'Summary is too long for a crisis.' });
    expect(rejected.json.status).toBe('draft');
    const history = (await t.call(who.author, 'GET', `${base(planId)}/versions`)).json;
    expect(history.events.at(-1)).toMatchObject({ action: 'rejected', comment: 'Summary is too long for a crisis.' });
    expect((await t.call(who.author, 'PUT', base(planId, 1), { body: editBody('Shorter.') })).status).toBe(200);
    await publish(t, planId, 1);
  });

  it('refuses transitions from the wrong state with 409', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    // Each says which state the version is in now, by reason code and status, never only in words.
    const wrongStatus = (res: Parameters<typeof expectProblem>[0], now: string) =>
      expect(expectProblem(res, 409, 'conflict')).toMatchObject({ reason: 'wrong-status', versionStatus: now });
    wrongStatus(await approveStep(t, who.approver, planId, 1), 'draft'); // not in review
    wrongStatus(await step(t, who.approver, planId, 1, 'reject', { comment: 'x' }), 'draft');
    await step(t, who.author, planId, 1, 'submit');
    wrongStatus(await step(t, who.author, planId, 1, 'submit'), 'in-review'); // already in review
    wrongStatus(await t.call(who.author, 'PUT', base(planId, 1), { body: editBody('late edit') }), 'in-review'); // in review is frozen
    expect((await approveAfterReading(t, who.approver, planId, 1)).status).toBe(200);
    wrongStatus(await approveStep(t, who.approver, planId, 1), 'published');
    wrongStatus(await t.call(who.author, 'PUT', base(planId, 1), { body: editBody('edit published') }), 'published');
    await t.call(who.author, 'POST', `${base(planId)}/versions`, { body: {} });
    const second = await t.call(who.author, 'POST', `${base(planId)}/versions`, { body: {} });
    expect(expectProblem(second, 409, 'conflict')).toMatchObject({ reason: 'open-version', openVersion: 2 });
    await publish(t, planId, 2);
    wrongStatus(await step(t, who.approver, planId, 1, 'withdraw', { reason: 'superseded already' }), 'superseded');
    // One plan per reference in a trust.
    expect(expectProblem(await t.call(who.author, 'POST', '/api/v1/plans', { body: planBody() }), 409, 'conflict').reason).toBe(
      'external-ref-taken',
    );
  });

  it('four-eyes: nobody approves a version they wrote, even holding both roles', async () => {
    const t = await app();
    const planId = await draftPlan(t, who.authorApprover);
    await step(t, who.authorApprover, planId, 1, 'submit');
    const own = expectProblem(await approveAfterReading(t, who.authorApprover, planId, 1), 403, 'forbidden');
    expect(own.reason).toBe('four-eyes');
    // An editor counts as an author too.
    await step(t, who.approver, planId, 1, 'reject', { comment: 'tweak' });
    const editor: Who = { ...who.approver2, roles: ['author', 'approver'] };
    await t.call(editor, 'PUT', base(planId, 1), { body: editBody('edited by a second approver') });
    await step(t, who.author, planId, 1, 'submit');
    expect(expectProblem(await approveAfterReading(t, editor, planId, 1), 403).reason).toBe('four-eyes');
    const ok = await approveAfterReading(t, who.approver, planId, 1);
    expect(ok.status).toBe(200);
    const history = (await t.call(who.author, 'GET', `${base(planId)}/versions`)).json;
    expect(history.versions[0].approvedBy).toBe('approver.a');
  });

  it('an approval names the content read: a version returned, rewritten and resubmitted under its number is not published by an approval of what was read before', async () => {
    const t = await app();
    // An author who is also an approver writes version 1 and sends it for review.
    const planId = await draftPlan(t, who.authorApprover);
    expect((await step(t, who.authorApprover, planId, 1, 'submit')).json.status).toBe('in-review');
    const read = await t.call(who.approver, 'GET', base(planId, 1));
    expect(read.status).toBe(200);
    const seen = read.json.contentHash as string;
    expect(seen).toMatch(/^[0-9a-f]{64}$/);
    expect(read.json.plan.summary).toBe(planBody().plan.summary);

    // Then returns it to draft, rewrites it and resubmits it: still version 1.
    expect((await step(t, who.authorApprover, planId, 1, 'reject', { comment: 'one more change' })).json.status).toBe('draft');
    expect((await t.call(who.authorApprover, 'PUT', base(planId, 1), { body: editBody('Rewritten after review.') })).status).toBe(200);
    const resubmitted = await step(t, who.authorApprover, planId, 1, 'submit');
    expect(resubmitted.json).toMatchObject({ version: 1, status: 'in-review' });
    expect(resubmitted.json.contentHash).not.toBe(seen);

    // The approval of what was read earlier publishes nothing.
    const stale = expectProblem(await step(t, who.approver, planId, 1, 'approve', { contentHash: seen }), 409, 'conflict');
    expect(stale.reason).toBe('content-changed');
    // The refusal does not hand out the new hash: reading the version again is the only way to it.
    expect(JSON.stringify(stale)).not.toContain(resubmitted.json.contentHash);
    expectProblem(await t.call(who.officer, 'GET', base(planId)), 404);
    let history = (await t.call(who.author, 'GET', `${base(planId)}/versions`)).json;
    expect(history.versions[0]).toMatchObject({ status: 'in-review', approvedBy: null });
    expect(history.events.map((e: { action: string }) => e.action)).not.toContain('approved');

    // The author-and-approver still may not approve it: they wrote it, before and after the return.
    expect(expectProblem(await approveAfterReading(t, who.authorApprover, planId, 1), 403).reason).toBe('four-eyes');

    // Read again, approved naming what was read: published, and the approval records that hash.
    const again = await t.call(who.approver, 'GET', base(planId, 1));
    expect(again.json.plan.summary).toBe('Rewritten after review.');
    const approved = await step(t, who.approver, planId, 1, 'approve', { contentHash: again.json.contentHash });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'published', contentHash: again.json.contentHash });
    expect((await t.call(who.officer, 'GET', base(planId))).json.content.summary).toBe('Rewritten after review.');
    history = (await t.call(who.author, 'GET', `${base(planId)}/versions`)).json;
    expect(history.events.filter((e: { action: string }) => e.action === 'approved')).toEqual([
      expect.objectContaining({ actor: 'approver.a', contentHash: again.json.contentHash }),
    ]);
    expect(history.events.find((e: { action: string }) => e.action === 'submitted').contentHash).toBe(seen);
  });

  it('approve requires the contentHash: missing, empty or malformed is a 400 naming it, and nothing is published', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await step(t, who.author, planId, 1, 'submit');
    const url = `${base(planId, 1)}/approve`;
    // As approve was called before it took a body: no body at all.
    const noBody = expectProblem(await t.call(who.approver, 'POST', url), 400, 'invalid');
    expect(noBody.errors).toEqual([{ path: 'contentHash', message: expect.stringContaining('contentHash') }]);
    for (const body of [
      {},
      { contentHash: '' },
      { contentHash: 'ABC' },
      { contentHash: 'g'.repeat(64) },
      { contentHash: await contentHashOf(t.db, planId, 1), version: 1 },
    ]) {
      const res = expectProblem(await t.call(who.approver, 'POST', url, { body }), 400, 'invalid');
      expect(res.errors!.map((e) => e.path).join()).toMatch(/contentHash|\(root\)/);
      expect(res.detail).toMatch(body.contentHash === (await contentHashOf(t.db, planId, 1)) ? /version/ : /contentHash/);
    }
    expect((await t.call(who.author, 'GET', `${base(planId)}/versions`)).json.versions[0].status).toBe('in-review');
  });

  it('the publish statement itself checks the content: a row read before a rewrite does not publish the rewrite', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await step(t, who.author, planId, 1, 'submit');
    // What an approval read before the version went back, was rewritten and came back.
    const readBefore = (await findVersion(t.db, planId, 1))!;
    await step(t, who.approver, planId, 1, 'reject', { comment: 'again' });
    await t.call(who.author, 'PUT', base(planId, 1), { body: editBody('Rewritten meanwhile.') });
    await step(t, who.author, planId, 1, 'submit');
    const plan = (await findPlan(t.db, planId))!;
    const args = { plan, version: readBefore, approvedBy: 'approver.a', expectedCurrent: null, now: t.clock() };
    expect(await transaction(t.db, (tx) => publishVersion(tx, { ...args, contentHash: readBefore.contentHash }))).toBe(false);
    expect((await findPlan(t.db, planId))!.currentVersionId).toBeNull();
    expect(await findVersion(t.db, planId, 1)).toMatchObject({ status: 'in-review', approvedBy: null });
    const contentHash = await contentHashOf(t.db, planId, 1);
    expect(await transaction(t.db, (tx) => publishVersion(tx, { ...args, contentHash }))).toBe(true);
    expect((await findVersion(t.db, planId, 1))!.status).toBe('published');
  });

  it('roles and organisations: each action needs its role in the owning organisation', async () => {
    const t = await app();
    expectProblem(await t.call(who.officer, 'POST', '/api/v1/plans', { body: planBody() }), 403);
    expectProblem(await t.call(who.approver, 'POST', '/api/v1/plans', { body: planBody() }), 403);
    const planId = await draftPlan(t);
    expectProblem(await t.call(who.otherTrustAuthor, 'PUT', base(planId, 1), { body: editBody('not mine') }), 403);
    expectProblem(await step(t, who.otherTrustAuthor, planId, 1, 'submit'), 403);
    await step(t, who.author, planId, 1, 'submit');
    expectProblem(await approveStep(t, who.otherTrustApprover, planId, 1), 403);
    expectProblem(await approveStep(t, who.author2, planId, 1), 403); // author role cannot approve
    expectProblem(await t.call(who.otherTrustAuthor, 'GET', `${base(planId)}/versions`), 403);
    expectProblem(await t.call(who.officer, 'GET', `${base(planId)}/versions/1`), 403);
  });

  it('withdrawing the published plan takes it from responders (410 with the team contact); only approvers may', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await publish(t, planId, 1);
    expect(expectProblem(await step(t, who.author, planId, 1, 'withdraw', { reason: 'Person moved away' }), 403).reason).toBe(
      'approver-withdraws',
    );
    expectProblem(await step(t, who.approver, planId, 1, 'withdraw', {}), 400);
    expect((await step(t, who.approver, planId, 1, 'withdraw', { reason: 'Person moved away' })).json.status).toBe('withdrawn');
    const gone = expectProblem(await t.call(who.officer, 'GET', base(planId)), 410, 'gone');
    expect(gone.contact).toMatch(/Southbank crisis team/);
    expect(JSON.stringify(gone)).not.toContain('Eff'); // no plan content in the withdrawn answer
    // A draft can be withdrawn by its author.
    const p2 = await draftPlan(t, who.author, 'SB-000002');
    expect((await step(t, who.author, p2, 1, 'withdraw', { reason: 'Started in error' })).json.status).toBe('withdrawn');
  });

  it('an approval based on an outdated version is refused rather than silently undoing the newer one', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await publish(t, planId, 1);
    await t.call(who.author, 'POST', `${base(planId)}/versions`, { body: {} });
    await step(t, who.author, planId, 2, 'submit');
    // Meanwhile the trust's migration republishes the plan from its records system.
    const rec = importRecordFrom(planBody({ summary: 'Re-imported text.' }));
    expect((await publishPlans(t.db, [rec])).updated).toBe(1);
    expect(expectProblem(await approveAfterReading(t, who.approver, planId, 2), 409).reason).toBe('stale-base');
  });

  it('two approvers racing on the same version (two processes sharing the file): exactly one wins', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await step(t, who.author, planId, 1, 'submit');
    const other = await app({ dir: t.dir });
    const results = await Promise.all([approveStep(t, who.approver, planId, 1), approveStep(other, who.approver2, planId, 1)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const history = (await t.call(who.author, 'GET', `${base(planId)}/versions`)).json;
    expect(history.events.filter((e: any) => e.action === 'approved')).toHaveLength(1);
  });

  it('published content is immutable in the database itself', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await publish(t, planId, 1);
    // (drizzle wraps the database's refusal: its message is the cause's)
    const refusal = (re: RegExp) => expect.stringMatching(re);
    await expect(t.db.exec(sql`UPDATE plan_versions SET content = '{}' WHERE plan_id = ${planId}`)).rejects.toHaveProperty(
      'cause.message',
      refusal(/immutable/),
    );
    await expect(t.db.exec(sql`DELETE FROM plan_versions WHERE plan_id = ${planId}`)).rejects.toHaveProperty(
      'cause.message',
      refusal(/never deleted/),
    );
  });

  it('a plan past its review-by date is still shown, flagged stale', async () => {
    const clock = testClock('2026-11-23T10:00:00Z');
    const t = await app({ clock });
    const planId = await draftPlan(t);
    await publish(t, planId, 1);
    expect((await t.call(who.officer, 'GET', base(planId))).json.stale).toBe(false);
    clock.set('2027-04-02T09:00:00Z'); // reviewBy 2027-04-01
    const res = await t.call(who.officer, 'GET', base(planId));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ stale: true, reviewBy: '2027-04-01' });
  });

  it('diffs two versions section by section', async () => {
    const t = await app();
    const planId = await draftPlan(t);
    await publish(t, planId, 1);
    await t.call(who.author, 'POST', `${base(planId)}/versions`, { body: editBody('A new summary.') });
    const res = await t.call(who.approver, 'GET', `${base(planId)}/diff?from=1&to=2`);
    const diff = res.json;
    expect(diff.changes).toEqual([
      { section: 'plan.summary', change: 'changed', before: planBody().plan.summary, after: 'A new summary.' },
    ]);
    expect(diff.unchanged).toContain('subject.familyName');
    expectProblem(await t.call(who.approver, 'GET', `${base(planId)}/diff?from=1&to=9`), 404);
    expectProblem(await t.call(who.approver, 'GET', `${base(planId)}/diff?from=1`), 400);
  });
});

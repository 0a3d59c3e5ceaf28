import { describe, expect, it } from 'vitest';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';

/** A plan with two versions, the second a draft with a changed summary. */
async function twoVersions() {
  const t = await testApp();
  await publishPlans(t.db, [importRecordFrom(planBody())]);
  const planId = await planIdOf(t.db, 'SB-000001');
  const draft = await t.call(who.author, 'POST', `/api/v1/plans/${planId}/versions`, { body: {}, purpose: null });
  expect(draft.status, draft.text).toBe(201);
  return { t, planId };
}

describe('auditors and version history', () => {
  it('an auditor of the owning trust sees who changed what and when, but no content and no diff', async () => {
    const { t, planId } = await twoVersions();
    const history = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/versions`);
    expect(history.status).toBe(200);
    expect(history.json.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(history.json.versions[1].authors).toEqual(['author.a']);
    expect(history.text).not.toContain('Recurrent depressive disorder');
    expect(history.text).not.toContain(planBody().plan.summary);

    const full = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/versions/1`);
    expect(full.status).toBe(403);
    expect(full.text).not.toContain('Recurrent depressive disorder');
    const diff = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/diff?from=1&to=2`);
    expect(diff.status).toBe(403);
    // Each refusal is in the access log, like any read.
    expect((await t.events()).slice(-2).map((e) => e.outcome)).toEqual(['denied', 'denied']);
  });

  it('authors and approvers of the trust still read versions in full and their diff', async () => {
    const { t, planId } = await twoVersions();
    for (const w of [who.author, who.approver]) {
      const full = await t.call(w, 'GET', `/api/v1/plans/${planId}/versions/1`);
      expect(full.status).toBe(200);
      expect(full.json.plan.diagnosis.text).toContain('Recurrent depressive disorder');
      expect((await t.call(w, 'GET', `/api/v1/plans/${planId}/diff?from=1&to=2`)).status).toBe(200);
    }
  });
});

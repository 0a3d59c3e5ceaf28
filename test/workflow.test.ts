import { describe, expect, it } from 'vitest';
import { planBody, testApp, who } from './helpers.js';

async function draftPlan(t: Awaited<ReturnType<typeof testApp>>, externalRef = 'SB-000001') {
  const res = await t.call(who.author, 'POST', '/api/v1/plans', { body: planBody({ externalRef }) });
  expect(res.status).toBe(201);
  return res.json.planId as string;
}

async function publish(t: Awaited<ReturnType<typeof testApp>>, planId: string, version: number) {
  expect((await t.call(who.author, 'POST', `/api/v1/plans/${planId}/versions/${version}/submit`)).status).toBe(200);
  const res = await t.call(who.approver, 'POST', `/api/v1/plans/${planId}/versions/${version}/approve`);
  expect(res.status).toBe(200);
  expect(res.json.status).toBe('published');
}

describe('publishing workflow', () => {
  it('draft → in-review → published, then a new version supersedes it', async () => {
    const t = await testApp();
    const planId = await draftPlan(t);
    // Not visible to responders before publication.
    expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).status).toBe(404);
    await publish(t, planId, 1);
    const v1 = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`);
    expect(v1.status).toBe(200);
    expect(v1.json.version).toBe(1);

    const draft = await t.call(who.author, 'POST', `/api/v1/plans/${planId}/versions`, { body: {} });
    expect(draft.status).toBe(201);
    expect(draft.json.version).toBe(2);
    const edited = planBody({ summary: 'Updated summary: call her sister first.' });
    const { externalRef: _r, ...editBody } = edited;
    expect((await t.call(who.author2, 'PUT', `/api/v1/plans/${planId}/versions/2`, { body: { ...editBody, changeSummary: 'Sister first' } })).status).toBe(200);
    await publish(t, planId, 2);

    const v2 = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`);
    expect(v2.json.version).toBe(2);
    expect(v2.json.content.summary).toBe('Updated summary: call her sister first.');
    const history = await t.call(who.author, 'GET', `/api/v1/plans/${planId}/versions`);
    expect(history.json.versions.map((v: any) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
    ]);
    expect(history.json.versions[1].authors).toEqual(['author.a', 'author.b']);
  });
});

import { describe, expect, it } from 'vitest';
import { planBody, testApp, who } from '../../helpers.js';

describe('GET /api/v1/reviews', () => {
  it("gives approvers their trust's queue, records one access event naming the plans, and refuses others", async () => {
    const t = await testApp();
    const made = await t.call(who.author, 'POST', '/api/v1/plans', { body: planBody() });
    expect(made.status).toBe(201);
    expect((await t.call(who.author, 'POST', `/api/v1/plans/${made.json.planId}/versions/1/submit`)).status).toBe(200);

    const res = await t.call(who.approver, 'GET', '/api/v1/reviews');
    expect(res.status).toBe(200);
    expect(res.json.items).toHaveLength(1);
    expect(res.json.items[0]).toMatchObject({ planId: made.json.planId, version: 1, submittedBy: 'author.a', firstVersion: true });
    const event = (await await t.events()).at(-1)!;
    expect(event).toMatchObject({ action: 'search', channel: 'api', outcome: 'allowed', actorSub: 'approver.a' });
    expect(JSON.stringify(event)).toContain(made.json.planId);

    const author = await t.call(who.author, 'GET', '/api/v1/reviews');
    expect(author.status).toBe(403);
    expect(author.headers.get('content-type')).toContain('application/problem+json');
    expect((await t.call(who.approver, 'GET', '/api/v1/reviews', { purpose: null })).status).toBe(400);
    expect((await t.call(who.otherTrustApprover, 'GET', '/api/v1/reviews')).json.items).toEqual([]);
    expect((await await t.events()).at(-1)).toMatchObject({ action: 'search', outcome: 'allowed', actorSub: 'approver.n' });
  });
});

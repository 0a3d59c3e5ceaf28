import { describe, expect, it } from 'vitest';
import { countRows, planBody, testApp, who } from '../../helpers.js';
import { documentedCalls } from '../../openapi-check.js';

type Problem = { status: number; code: string; detail: string; reason?: string; errors?: { path: string; message: string }[] };

describe('errors are problem+json with a useful detail', () => {
  it('401 without a token, 404 for an unknown route, 404 for an unknown plan', async () => {
    const t = await documentedCalls(await testApp());
    const cases = [
      [await t.call(null, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA'), 401, 'unauthenticated'],
      [await t.call(who.officer, 'GET', '/api/v1/nothing-here'), 404, 'route_not_found'],
      [await t.call(who.officer, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA'), 404, 'not_found'],
      [await t.call(who.officer, 'GET', '/api/v1/plans/not-an-id'), 400, 'invalid'],
      [await t.call(who.officer, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA', { purpose: null }), 400, 'purpose_required'],
      [await t.call(who.officer, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA', { purpose: 'x' }), 400, 'purpose_required'],
    ] as const;
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const p = res.json as Problem;
      expect(p).toMatchObject({ status, code });
      expect(p.detail.length).toBeGreaterThan(10);
    }
    // Each is the document's problem shape (an unknown route's too).
    expect(t.undocumented()).toEqual([]);
  });

  it('a bad body names every bad field; unknown fields are rejected; malformed JSON is a 400', async () => {
    const t = await documentedCalls(await testApp());
    const body = planBody() as any;
    const bad = {
      ...body,
      subject: { ...body.subject, dateOfBirth: 'yesterday', eyeColour: 'brown' },
      plan: { ...body.plan, summary: '' },
    };
    const res = await t.call(who.author, 'POST', '/api/v1/plans', { body: bad });
    const p = res.json as Problem;
    expect(res.status).toBe(400);
    expect(p.errors!.map((e) => e.path).sort()).toEqual(['plan.summary', 'subject', 'subject.dateOfBirth']);
    expect(p.detail).toMatch(/subject.dateOfBirth/);
    const malformed = await t.call(who.author, 'POST', '/api/v1/plans', { body: '{"externalRef": ' });
    expect(malformed.status).toBe(400);
    expect((await t.call(who.author, 'GET', '/api/v1/plans?externalRef=')).status).toBe(400);
    const huge = await t.call(who.author, 'POST', '/api/v1/plans', { body: { ...body, padding: 'x'.repeat(300 * 1024) } });
    expect(huge.status).toBe(413);
    expect((huge.json as Problem).detail).toMatch(/over 256 KB/);
    expect(t.undocumented()).toEqual([]);
  });

  it('409 on a duplicate reference, and nothing half-written', async () => {
    const t = await documentedCalls(await testApp());
    expect((await t.call(who.author, 'POST', '/api/v1/plans', { body: planBody() })).status).toBe(201);
    const dup = await t.call(who.author, 'POST', '/api/v1/plans', { body: planBody() });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ code: 'conflict', reason: 'external-ref-taken' });
    // The words say which reference, for the person who sent it.
    expect((dup.json as Problem).detail).toContain('"SB-000001"');
    expect(t.undocumented()).toEqual([]);
    expect(await countRows(t.db, 'plan_versions')).toBe(1);
  });
});

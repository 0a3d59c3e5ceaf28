import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../helpers.js';

async function logged() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
  const t = await testApp({ logger: createLogger('info', sink) });
  await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-000321', familyName: 'Quillfeather' }))]);
  const requests = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
  return { t, lines, requests, planId: await planIdOf(t.db, 'SB-000321') };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request log', () => {
  it('one line per request with id, route pattern, status and duration; the id is in the header and the problem instance', async () => {
    const { t, requests, planId } = await logged();
    const ok = await t.call(who.paramedic, 'GET', `/api/v1/plans/${planId}`);
    const missing = await t.call(who.paramedic, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA');
    const lines = requests();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      method: 'GET',
      route: '/api/v1/plans/:planId',
      status: 200,
      reqId: expect.stringMatching(UUID),
      ms: expect.any(Number),
    });
    expect(lines[1]).toMatchObject({ route: '/api/v1/plans/:planId', status: 404 });
    expect(ok.headers.get('x-request-id')).toBe(lines[0]!.reqId);
    expect(missing.headers.get('x-request-id')).toBe(lines[1]!.reqId);
    expect(missing.json.instance).toBe(`urn:request-id:${lines[1]!.reqId}`);
    expect(lines[0]!.reqId).not.toBe(lines[1]!.reqId);
  });

  it('keeps a safe incoming X-Request-Id and replaces an unsafe one', async () => {
    const { t, requests } = await logged();
    const kept = await t.call(who.officer, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA', { headers: { 'x-request-id': 'cad-2026-11-23.0042' } });
    expect(kept.headers.get('x-request-id')).toBe('cad-2026-11-23.0042');
    expect(kept.json.instance).toBe('urn:request-id:cad-2026-11-23.0042');
    for (const bad of ['short', 'has space in it', 'x'.repeat(65), 'name=Quillfeather;evil']) {
      const res = await t.call(who.officer, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA', { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    }
    expect(requests().map((l) => l.reqId)).not.toContain('name=Quillfeather;evil');
  });

  it('never logs query text, names, references, purposes, tokens or plan content', async () => {
    const { t, lines, planId } = await logged();
    const purpose = 'INC-2026-SECRET-PURPOSE';
    await t.call(who.officer, 'GET', '/api/v1/search?q=Quillfeather%20Aoife&dob=1991-03-14', { purpose });
    await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-000321&org=southbank-mh', { purpose });
    await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose });
    await t.call(
      who.officer,
      'GET',
      `/fhir/R4/CarePlan?identifier=${encodeURIComponent('urn:response-plans:org:southbank-mh|SB-000321')}`,
      { purpose },
    );
    const token = await t.tokenFor(who.officer);
    const text = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const secret of ['Quillfeather', 'Aoife', '1991-03-14', 'SB-000321', purpose, 'Speak to Eff', token.slice(-20), planId]) {
      expect(text, secret).not.toContain(secret);
    }
  });
});

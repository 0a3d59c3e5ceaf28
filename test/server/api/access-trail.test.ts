import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { createLogger } from '../../../src/logger.js';
import { breakAccessLog, importRecordFrom, planBody, planIdOf, publishPlans, testApp, type TestApp, type Who, who } from '../../helpers.js';

const valleyMedic: Who = { sub: 'medic.valley', org: 'valley-ambulance', roles: ['responder'] };
const valleyPolice: Who = { sub: 'pc.valley', org: 'valley-police', roles: ['responder'] };

/** Two published plans (one later withdrawn, one with two versions) and two orgs outside any agreement. */
async function world(opts: Parameters<typeof testApp>[0] = {}) {
  const t = await testApp(opts);
  const now = t.clock();
  await addOrganisation(t.db, { slug: 'valley-ambulance', name: 'Valley Ambulance (no agreement)', kind: 'ambulance' }, now);
  await addOrganisation(t.db, { slug: 'valley-police', name: 'Valley Police (no agreement)', kind: 'police' }, now);
  await publishPlans(t.db, [
    importRecordFrom(planBody({ externalRef: 'SB-000001', familyName: 'Quillfeather' })),
    importRecordFrom(planBody({ externalRef: 'SB-000002', familyName: 'Marrowdale' })),
  ]);
  await publishPlans(t.db, [
    importRecordFrom(planBody({ externalRef: 'SB-000001', familyName: 'Quillfeather', summary: 'Second version.' })),
  ]);
  const planId = await planIdOf(t.db, 'SB-000001');
  const withdrawnId = await planIdOf(t.db, 'SB-000002');
  const w = await t.call(who.approver, 'POST', `/api/v1/plans/${withdrawnId}/versions/1/withdraw`, {
    body: { reason: 'superseded by new care plan' },
  });
  expect(w.status).toBe(200);
  return { t, planId, withdrawnId };
}

/** Calls once and returns the response plus the events that call wrote. */
async function once(t: TestApp, ...args: Parameters<TestApp['call']>) {
  const before = await t.headSeq();
  const res = await t.call(...args);
  return { res, events: await t.events(before) };
}

describe('every read writes exactly one access event', () => {
  it('a plan view records who, what version, why and how', async () => {
    const { t, planId } = await world();
    const { res, events } = await once(t, who.paramedic, 'GET', `/api/v1/plans/${planId}`, { purpose: 'INC-2026-0042 welfare' });
    expect(res.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorSub: 'medic.test',
      actorOrg: 'metro-ambulance',
      actorRoles: ['responder'],
      action: 'view',
      channel: 'api',
      purpose: 'INC-2026-0042 welfare',
      planId,
      versionId: res.json.versionId,
      outcome: 'allowed',
      reason: null,
    });
    expect(res.json.version).toBe(2);
  });

  it('a lookup by external reference records the reference asked for', async () => {
    const { t, planId } = await world();
    const { res, events } = await once(t, who.author, 'GET', '/api/v1/plans?externalRef=SB-000001');
    expect(res.status).toBe(200);
    expect(events).toEqual([
      expect.objectContaining({ planId, query: { externalRef: 'SB-000001', org: 'southbank-mh' }, outcome: 'allowed' }),
    ]);
  });

  it.each([
    ['no purpose', who.officer, (p: string) => `/api/v1/plans/${p}`, null, 400, /^purpose_required/],
    ['no agreement', who.outsider, (p: string) => `/api/v1/plans/${p}`, 'INC-1', 403, /^forbidden \(no-agreement\)/],
    ['no such plan', who.officer, () => '/api/v1/plans/AAAAAAAAAAAAAAAA', 'INC-1', 404, /^not_found/],
    ['malformed id', who.officer, () => '/api/v1/plans/nope', 'INC-1', 400, /^invalid/],
    ['unknown reference', who.officer, () => '/api/v1/plans?externalRef=SB-999999&org=southbank-mh', 'INC-1', 404, /^not_found/],
    ['history by a responder', who.officer, (p: string) => `/api/v1/plans/${p}/versions`, 'INC-1', 403, /^forbidden/],
  ] as const)('a denial is logged as denied: %s', async (_n, caller, url, purpose, status, reason) => {
    const { t, planId } = await world();
    const { res, events } = await once(t, caller, 'GET', url(planId), { purpose });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorSub: caller.sub, outcome: 'denied', purpose });
    expect(events[0]!.reason).toMatch(reason);
    expect(res.text).not.toContain('Quillfeather');
  });

  it('a withdrawn plan: 410, logged as denied against that plan', async () => {
    const { t, withdrawnId } = await world();
    const { res, events } = await once(t, who.nurse, 'GET', `/api/v1/plans/${withdrawnId}`);
    expect(res.status).toBe(410);
    expect(events).toEqual([expect.objectContaining({ planId: withdrawnId, outcome: 'denied', reason: expect.stringMatching(/^gone/) })]);
  });

  it('authoring reads (history, one version, diff) are logged with the version read', async () => {
    const { t, planId } = await world();
    const h = await once(t, who.author, 'GET', `/api/v1/plans/${planId}/versions`);
    expect(h.res.status).toBe(200);
    expect(h.events).toEqual([expect.objectContaining({ action: 'history', planId, outcome: 'allowed' })]);
    const v = await once(t, who.approver, 'GET', `/api/v1/plans/${planId}/versions/1`);
    expect(v.res.status).toBe(200);
    expect(v.events).toEqual([expect.objectContaining({ action: 'view', planId, versionId: v.res.json.versionId, query: { version: 1 } })]);
    const d = await once(t, who.author, 'GET', `/api/v1/plans/${planId}/diff?from=1&to=2`);
    expect(d.res.status).toBe(200);
    expect(d.events).toEqual([expect.objectContaining({ action: 'history', planId, query: { from: '1', to: '2' } })]);
  });
});

describe('sweep: no route returns plan data without an event', () => {
  it('every GET route, as every kind of caller, with and without purpose', { timeout: 90_000 }, async () => {
    const { t, planId } = await world();
    const routes = [...new Set(t.app.routes.filter((r) => r.method === 'GET').map((r) => r.path))];
    expect(routes.length).toBeGreaterThanOrEqual(5);
    const fill = (path: string) =>
      path
        .replace(':planId', planId)
        .replace(':version', '1')
        .replace(':token', 'AAAAAAAAAAAAAAAAAAAAAA')
        .replace(/:file(\{[^}]*\})?/, 'current.pdf') +
      (path.endsWith('/diff') ? '?from=1&to=2' : path === '/api/v1/plans' ? '?externalRef=SB-000001&org=southbank-mh' : '');
    const callers = [who.officer, who.paramedic, who.outsider, who.author, who.approver, who.auditor, who.otherTrustAuthor, valleyMedic];
    let planDataResponses = 0;
    for (const path of routes) {
      for (const caller of callers) {
        for (const purpose of ['INC-2026-0777 sweep', null]) {
          const { res, events } = await once(t, caller, 'GET', fill(path), { purpose });
          const carriesPlan = res.text.includes('Quillfeather') || res.text.includes('Eff by name');
          // Plan, search, QR and audit endpoints log every request; any other route (health, static UI
          // pages) must simply never carry plan data without an event.
          const logsEveryRequest = /^\/(api\/v1\/(plans|search|audit)|q\/)/.test(path);
          if (!logsEveryRequest && !carriesPlan) continue;
          // Anonymous card hits (a bearer token means nothing to /q/) are refusals a stranger can repeat:
          // the first is logged, repeats go into one summary (refusal-summary.ts).
          const summarised =
            path.startsWith('/q/') && !carriesPlan && res.status === 303 && res.headers.get('location')!.startsWith('/sign-in');
          if (summarised) expect(events.length, `${caller.sub} GET ${path}`).toBeLessThanOrEqual(1);
          else expect(events, `${caller.sub} GET ${path} (${res.status})`).toHaveLength(1);
          if (carriesPlan) {
            planDataResponses += 1;
            expect(res.status).toBe(200);
            // Routes that need a purpose refuse without one; the person's access report (which names the
            // person, for posting) takes an optional one: either way the event keeps what was given.
            expect(events[0], `${caller.sub} GET ${path}`).toMatchObject({ outcome: 'allowed', purpose, planId });
          }
          if (res.status >= 400 || summarised) for (const e of events) expect(e.outcome).toBe('denied');
        }
      }
    }
    expect(planDataResponses).toBeGreaterThan(5);
    expect((await verifyAuditLog(t.db, loadAuditSigner(t.keysDir, { create: false })!.publicKeyPem)).ok).toBe(true);
  });
});

describe('emergency access (break-glass)', () => {
  it('a health responder outside any agreement may open the plan with a reason; it is marked emergency', async () => {
    const { t, planId } = await world();
    const refused = await once(t, valleyMedic, 'GET', `/api/v1/plans/${planId}`);
    expect(refused.res.status).toBe(403);
    const opened = await once(t, valleyMedic, 'GET', `/api/v1/plans/${planId}`, {
      headers: { 'x-emergency-access': 'patient unconscious at scene, no agreement with owning trust' },
    });
    expect(opened.res.status).toBe(200);
    expect(opened.res.json.planId).toBe(planId);
    expect(opened.events).toEqual([
      expect.objectContaining({
        outcome: 'emergency',
        actorOrg: 'valley-ambulance',
        reason: 'patient unconscious at scene, no agreement with owning trust',
      }),
    ]);
  });

  it('police get no break-glass; a reason too short is a 400; both logged as denied', async () => {
    const { t, planId } = await world();
    const police = await once(t, valleyPolice, 'GET', `/api/v1/plans/${planId}`, {
      headers: { 'x-emergency-access': 'urgent concern for life' },
    });
    expect(police.res.status).toBe(403);
    expect(police.events).toEqual([
      expect.objectContaining({ outcome: 'denied', reason: expect.stringMatching(/police have no emergency access/) }),
    ]);
    const short = await once(t, valleyMedic, 'GET', `/api/v1/plans/${planId}`, { headers: { 'x-emergency-access': 'x' } });
    expect(short.res.status).toBe(400);
    expect(short.events).toEqual([expect.objectContaining({ outcome: 'denied' })]);
  });

  it('with an agreement in force the header changes nothing: an ordinary allowed view', async () => {
    const { t, planId } = await world();
    const r = await once(t, who.paramedic, 'GET', `/api/v1/plans/${planId}`, { headers: { 'x-emergency-access': 'cardiac arrest' } });
    expect(r.res.status).toBe(200);
    expect(r.events[0]).toMatchObject({ outcome: 'allowed' });
  });
});

describe('never served unlogged; never logged to the application log', () => {
  it('when the log cannot be written the plan is not served (503), and serving resumes after', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const { t, planId } = await world({ logger: createLogger('trace', sink) });
    const repair = await breakAccessLog(t.db);
    const purpose = 'INC-2026-SECRET-PURPOSE';
    const down = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/problem\+json/);
    expect(down.text).not.toMatch(/Quillfeather|Eff by name|SB-000001/);
    const byRef = await t.call(who.author, 'GET', '/api/v1/plans?externalRef=SB-000001', { purpose });
    expect(byRef.status).toBe(503);
    await repair();
    expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose })).status).toBe(200);
    await t.call(who.officer, 'GET', `/api/v1/plans?externalRef=SB-000001`, { purpose });

    const log = lines.join('');
    expect(log).toMatch(/access log write failed/);
    for (const secret of [purpose, 'SB-000001', 'Quillfeather', 'Aoife', planId, 'pc.test']) expect(log).not.toContain(secret);
  });
});

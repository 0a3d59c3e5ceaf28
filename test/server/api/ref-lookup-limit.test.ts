import { describe, expect, it } from 'vitest';
import { DEFAULT_REF_LOOKUP_LIMITS } from '../../../src/config.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logger.js';
import { defaultFlagRules } from '../../../src/plans/access-log/flags.js';
import { createRefusalSummary } from '../../../src/server/access-trail/refusal-summary.js';
import { createRefLookupGuard } from '../../../src/server/guards/ref-lookup-guard.js';
import { importRecordFrom, planBody, publishPlans, testApp, type Who, who } from '../../helpers.js';
import { counterBackends, sharedParts } from '../../support/shared-state.js';

const ambulanceAuditor: Who = { sub: 'auditor.ma', org: 'metro-ambulance', roles: ['auditor'] };
const ORG = 'urn:response-plans:org:southbank-mh';
const ref = (n: number) => `SB-${String(n).padStart(6, '0')}`;

/** Twelve published plans with sequential references, as a trust numbers them; an app whose refusal summary the test can close. */
async function world(refLookupLimits?: { perMinute: number; perHour: number }) {
  const t = await testApp();
  await publishPlans(
    t.db,
    Array.from({ length: 12 }, (_, i) => importRecordFrom(planBody({ externalRef: ref(i + 1), familyName: `Walk${i + 1}` }))),
  );
  const lines: string[] = [];
  const logger = createLogger('warn', new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
  const refusals = createRefusalSummary({ clock: t.clock, record: (e) => t.accessLog.record(e) });
  const app = t.appWith({
    logger,
    refusals,
    refLookupLimits,
  });
  const get = async (w: Who, url: string, purpose: string | null = 'INC-2026-0042 welfare check') => {
    const headers: Record<string, string> = { authorization: `Bearer ${await t.tokenFor(w)}` };
    if (purpose) headers['x-access-purpose'] = purpose;
    return app.request(url, { headers });
  };
  const api = (w: Who, n: number | string) => get(w, `/api/v1/plans?externalRef=${typeof n === 'number' ? ref(n) : n}&org=southbank-mh`);
  const fhir = (w: Who, n: number) => get(w, `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|${ref(n)}`)}`);
  const flags = async (auditor: Who, kind: string) =>
    (
      (await (await get(auditor, `/api/v1/audit/flags?kind=${kind}`, null)).json()) as {
        flags: { kind: string; actor: { sub: string; org: string }; detail: string; planIds: string[]; eventSeqs: number[] }[];
      }
    ).flags;
  const warnings = () =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l.msg).startsWith('look-ups by reference'));
  return { ...t, app, refusals, api, fhir, flags, warnings, lines };
}

describe('looking plans up by reference, per person', () => {
  it('flags a walk through references while it runs, then refuses it with 429 and Retry-After, API and FHIR together', async () => {
    const t = await world();
    // Five different references, by both routes: ordinary so far.
    for (let n = 1; n <= 5; n++) expect((await (n % 2 ? t.api(who.paramedic, n) : t.fhir(who.paramedic, n))).status).toBe(200);
    expect(await t.flags(ambulanceAuditor, 'many-references')).toEqual([]);
    expect(t.warnings()).toEqual([]);

    // The sixth: flagged at once, before anything is refused, for the person's own auditors and the trust's.
    expect((await t.api(who.paramedic, 6)).status).toBe(200);
    const raised = await t.flags(ambulanceAuditor, 'many-references');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'many-references', actor: { sub: 'medic.test', org: 'metro-ambulance' } });
    expect(raised[0]!.detail).toContain('6 different plan references');
    expect(raised[0]!.planIds).toHaveLength(6);
    expect((await t.flags(who.auditor, 'many-references')).map((f) => f.actor.sub)).toEqual(['medic.test']);
    // Operations hear of it at the same moment, with no person or reference in the application log.
    expect(t.warnings()).toEqual([
      expect.objectContaining({ level: 40, org: 'metro-ambulance', channel: 'api', references: 6, withinMinutes: 60 }),
    ]);
    expect(t.lines.join('')).not.toMatch(/medic\.test|SB-0000/);

    // A reference that does not exist counts as much as one that does; reading one again costs nothing.
    for (const n of [7, 8, 9]) expect((await t.api(who.paramedic, n)).status).toBe(200);
    expect((await t.api(who.paramedic, 'SB-999999')).status).toBe(404);
    expect((await t.api(who.paramedic, 1)).status).toBe(200);
    expect((await t.fhir(who.paramedic, 2)).status).toBe(200);

    // The eleventh different reference in a minute is refused, by either route.
    const limited = await t.api(who.paramedic, 10);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { code: string }).code).toBe('rate_limited');
    const viaFhir = await t.fhir(who.paramedic, 11);
    expect(viaFhir.status).toBe(429);
    expect(viaFhir.headers.get('content-type')).toBe('application/fhir+json');
    expect(Number(viaFhir.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await viaFhir.json()) as { issue: { code: string }[] }).issue[0]!.code).toBe('throttled');
    for (let n = 10; n <= 12; n++) for (let i = 0; i < 3; i++) expect((await t.api(who.paramedic, n)).status).toBe(429);
    // Someone else is not affected, nor a plan the paramedic already has open.
    expect((await t.api(who.nurse, 10)).status).toBe(200);
    expect((await t.api(who.paramedic, 3)).status).toBe(200);

    // Refusals: the first per route logged at once, the rest summarised.
    const refused = async () => (await t.events()).filter((e) => e.actorSub === 'medic.test' && e.reason?.startsWith('rate-limited'));
    expect((await refused()).map((e) => [e.channel, e.reason, e.query])).toEqual([
      ['api', 'rate-limited', { externalRef: 'SB-000010', org: 'southbank-mh' }],
      ['fhir', 'rate-limited', { externalRef: 'SB-000011', org: 'southbank-mh' }],
    ]);
    await t.refusals.close();
    expect((await refused()).at(-1)!.reason).toBe('rate-limited (summary): 9 more from this client in this window');

    // One flag for the whole walk, grown with it; and the refusals flagged too.
    const walk = await t.flags(ambulanceAuditor, 'many-references');
    expect(walk.map((f) => f.detail)).toEqual([
      '10 different plan references looked up, each within 60 minutes of the last; 9 plan(s) opened',
    ]);
    expect(walk[0]!.eventSeqs).toHaveLength(13);
    expect(t.warnings()).toHaveLength(1);
    const limits = await t.flags(ambulanceAuditor, 'reference-rate-limited');
    expect(limits.map((f) => f.detail).sort()).toEqual([
      '9 more look-ups by reference refused by the per-person limit in one window',
      'look-ups by reference stopped by the per-person limit',
      'look-ups by reference stopped by the per-person limit',
    ]);
  });

  it('holds the hourly limit across minutes', async () => {
    const t = await world({ perMinute: 3, perHour: 5 });
    for (let n = 1; n <= 3; n++) expect((await t.api(who.paramedic, n)).status).toBe(200);
    expect((await t.api(who.paramedic, 4)).status).toBe(429);
    t.clock.set('2026-11-23T10:01:01Z');
    for (let n = 4; n <= 5; n++) expect((await t.api(who.paramedic, n)).status).toBe(200);
    t.clock.set('2026-11-23T10:02:02Z');
    const limited = await t.fhir(who.paramedic, 6);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(60);
    t.clock.set('2026-11-23T11:00:01Z');
    expect((await t.fhir(who.paramedic, 6)).status).toBe(200);
  });

  it('leaves a shift of ordinary work alone: a handful of people, each opened again and again', async () => {
    const t = await world();
    for (let hour = 0; hour < 12; hour++) {
      t.clock.set(`2026-11-23T${String(8 + hour).padStart(2, '0')}:00:00Z`);
      // A new person every other hour, and the earlier ones looked at again.
      for (let n = 1; n <= Math.min(5, 1 + Math.floor(hour / 2)); n++) {
        expect((await (n % 2 ? t.api(who.officer, n) : t.fhir(who.officer, n))).status, `hour ${hour}, ${ref(n)}`).toBe(200);
      }
    }
    const policeAuditor: Who = { sub: 'auditor.cp', org: 'capital-police', roles: ['auditor'] };
    expect(await t.flags(policeAuditor, 'many-references')).toEqual([]);
    expect(await t.flags(policeAuditor, 'reference-rate-limited')).toEqual([]);
  });
});

describe.each(counterBackends)('the default limits on look-ups by reference, counted in $name', (backend) => {
  it('stop a script walking through references within its first second, and report crossing the flag threshold once', async () => {
    const { clock, db } = await sharedParts(backend);
    const guard = createRefLookupGuard(clock, DEFAULT_REF_LOOKUP_LIMITS, undefined, db ? { kind: 'database', db } : undefined);
    const answers = [];
    for (let i = 0; i < 500; i++) answers.push(await guard.attempt('actor:metro-ambulance/medic', `southbank-mh|${ref(i + 1)}`));
    expect(answers.filter((a) => a.wait !== undefined)).toHaveLength(500 - DEFAULT_REF_LOOKUP_LIMITS.perMinute);
    const crossed = answers.flatMap((a, i) => (a.wait === undefined && a.crossed ? [i + 1] : []));
    expect(crossed).toEqual([defaultFlagRules.refLookups.references]);
    expect(defaultFlagRules.refLookups.references).toBeLessThan(DEFAULT_REF_LOOKUP_LIMITS.perMinute);
    // Opening an already-open plan again neither counts nor crosses anything.
    expect(await guard.attempt('actor:metro-ambulance/medic', `southbank-mh|${ref(3)}`)).toEqual({});
    expect(guard.crossings()).toBe(1);
  });
});

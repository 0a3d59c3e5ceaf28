import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, Bundle, CarePlan, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { assertValidFhir } from './validator.js';
import { breakAccessLog, importRecordFrom, planBody, planIdOf, publishPlans, testApp, type TestApp, type Who, who } from '../../helpers.js';

const FHIR = 'application/fhir+json';
const otherAuditor: Who = { sub: 'auditor.n', org: 'northgate-mh', roles: ['auditor'] };

async function world() {
  const t = await testApp();
  await publishPlans(t.db, [
    importRecordFrom(planBody({ externalRef: 'SB-000001', familyName: 'Quillfeather' })),
    importRecordFrom(planBody({ externalRef: 'SB-000002', familyName: 'Marrowdale' })),
  ]);
  const planId = await planIdOf(t.db, 'SB-000001');
  const withdrawnId = await planIdOf(t.db, 'SB-000002');
  const w = await t.call(who.approver, 'POST', `/api/v1/plans/${withdrawnId}/versions/1/withdraw`, { body: { reason: 'superseded' } });
  expect(w.status).toBe(200);
  return { t, planId, withdrawnId };
}

async function fhir(t: TestApp, w: Who | null, url: string, opts: Parameters<TestApp['call']>[3] = {}) {
  const before = await t.headSeq();
  const res = await t.call(w, 'GET', url, opts);
  expect(res.headers.get('content-type')).toBe(FHIR);
  assertValidFhir(res.json);
  return { ...res, events: await t.events(before) };
}

const ORG = 'urn:response-plans:org:southbank-mh';

describe('FHIR CarePlan', () => {
  it('a paramedic reads the current plan as a valid CarePlan, logged on channel fhir', async () => {
    const { t, planId } = await world();
    const res = await fhir(t, who.paramedic, `/fhir/R4/CarePlan/${planId}`, { purpose: 'INC-2026-0042 welfare' });
    expect(res.status).toBe(200);
    const cp = res.json as CarePlan;
    expect(cp).toMatchObject({
      resourceType: 'CarePlan',
      id: planId,
      status: 'active',
      intent: 'plan',
      subject: { reference: '#subject' },
    });
    expect(cp.identifier).toEqual([{ system: ORG, value: 'SB-000001' }]);
    expect(cp.period).toEqual({ start: expect.any(String), end: '2027-04-01' });
    expect(cp.description).toMatch(/^Speak to Eff/);
    const patient = cp.contained!.find((r) => r.resourceType === 'Patient') as Patient;
    expect(patient.identifier).toEqual([{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }]);
    expect(patient.birthDate).toBe('1991-03-14');
    expect(patient.name).toEqual(
      expect.arrayContaining([
        { use: 'official', family: 'Quillfeather', given: ['Aoife', 'Niamh'] },
        { use: 'nickname', text: 'Blue' },
      ]),
    );
    expect(cp.author).toMatchObject({ reference: '#owner' });
    expect(res.text).toContain('Recurrent depressive disorder');
    expect(cp.meta?.security).toBeUndefined();
    expect(cp.activity!.find((a) => a.detail?.code?.coding?.[0]?.code === 'whatToAvoid')?.detail).toMatchObject({
      description: 'Crowding',
      doNotPerform: true,
    });
    // Nominated people who did not consent are not shared outside the care team, in FHIR too.
    expect(res.text).not.toContain('Ex-partner');
    expect(res.events).toEqual([
      expect.objectContaining({
        action: 'view',
        channel: 'fhir',
        planId,
        outcome: 'allowed',
        purpose: 'INC-2026-0042 welfare',
        actorSub: 'medic.test',
      }),
    ]);
  });

  it('police never receive diagnosis or capacity; the withheld sections are declared', async () => {
    const { t, planId } = await world();
    const res = await fhir(t, who.officer, `/fhir/R4/CarePlan/${planId}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Recurrent depressive disorder');
    expect(res.text).not.toContain('Low mood');
    expect(res.text).not.toContain('Has capacity');
    const cp = res.json as CarePlan;
    expect(cp.meta?.security).toEqual([expect.objectContaining({ code: 'REDACTED' })]);
    expect(cp.extension!.filter((e) => e.url.endsWith('withheld-section')).map((e) => e.valueCode)).toEqual(['diagnosis', 'capacity']);
    const search = await fhir(t, who.officer, `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|SB-000001`)}`);
    expect(search.text).not.toContain('Recurrent depressive disorder');
    expect(search.text).not.toContain('Has capacity');
  });

  it('searches by identifier: a match, no match, a withdrawn plan as revoked', async () => {
    const { t, planId, withdrawnId } = await world();
    const hit = await fhir(t, who.nurse, `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|SB-000001`)}`);
    const bundle = hit.json as Bundle<CarePlan>;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(bundle.entry![0]!.resource).toMatchObject({ id: planId, status: 'active' });
    expect(hit.events).toEqual([
      expect.objectContaining({
        action: 'view',
        channel: 'fhir',
        planId,
        outcome: 'allowed',
        query: { identifier: `${ORG}|SB-000001`, externalRef: 'SB-000001', org: 'southbank-mh' },
      }),
    ]);

    const none = await fhir(t, who.nurse, `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|SB-999999`)}`);
    expect(none.json).toMatchObject({ type: 'searchset', total: 0, entry: [] });

    const revoked = await fhir(t, who.nurse, `/fhir/R4/CarePlan/${withdrawnId}`);
    expect(revoked.json).toMatchObject({ id: withdrawnId, status: 'revoked' });
    expect(revoked.text).not.toContain('Marrowdale');
  });

  it('answers a search for a plan the caller may not read exactly as one for a missing reference; the log keeps the truth', async () => {
    const { t, planId } = await world();
    const known = await fhir(t, who.outsider, `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|SB-000001`)}`);
    const unknown = await fhir(t, who.outsider, `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|SB-999999`)}`);
    expect([known.status, unknown.status]).toEqual([200, 200]);
    // Identical but for the reference asked for, which the Bundle's self link repeats.
    const asked = (text: string, ref: string) => text.replaceAll(ref, 'REF');
    expect(asked(known.text, 'SB-000001')).toBe(asked(unknown.text, 'SB-999999'));
    expect(known.json).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] });
    const headers = (r: typeof known) => [...r.headers].filter(([k]) => k !== 'date' && k !== 'x-request-id');
    expect(headers(known)).toEqual(headers(unknown));
    expect(known.events).toEqual([
      expect.objectContaining({ channel: 'fhir', planId, outcome: 'denied', reason: expect.stringContaining('no-agreement') }),
    ]);
    expect(unknown.events).toEqual([expect.objectContaining({ channel: 'fhir', planId: null })]);
    // A responder with an agreement still finds it.
    expect((await fhir(t, who.officer, `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|SB-000001`)}`)).json).toMatchObject({
      total: 1,
    });
  });

  it.each([
    // Refused tokens are logged too (issue 10: summarised per address and reason), on channel fhir.
    ['no token', null, (p: string) => `/fhir/R4/CarePlan/${p}`, undefined, 401, 'login', 1],
    ['no purpose', who.officer, (p: string) => `/fhir/R4/CarePlan/${p}`, null, 400, 'required', 1],
    ['no agreement', who.outsider, (p: string) => `/fhir/R4/CarePlan/${p}`, undefined, 403, 'forbidden', 1],
    ['no such plan', who.officer, () => '/fhir/R4/CarePlan/AAAAAAAAAAAAAAAA', undefined, 404, 'not-found', 1],
    ['bad identifier system', who.officer, () => '/fhir/R4/CarePlan?identifier=urn:other|SB-000001', undefined, 400, 'invalid', 1],
    [
      'unsupported search parameter',
      who.officer,
      () => `/fhir/R4/CarePlan?identifier=${encodeURIComponent(`${ORG}|SB-000001`)}&name=x`,
      undefined,
      400,
      'invalid',
      1,
    ],
    ['unsupported resource', who.officer, () => '/fhir/R4/Patient/1', undefined, 404, 'not-supported', 0],
  ] as const)('%s: an OperationOutcome', async (_label, w, url, purpose, status, code, logged) => {
    const { t, planId } = await world();
    const res = await fhir(t, w, url(planId), purpose === null ? { purpose: null } : {});
    expect(res.status).toBe(status);
    const outcome = res.json as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code });
    expect(res.events).toHaveLength(logged);
    for (const e of res.events) expect(e).toMatchObject({ channel: 'fhir', outcome: 'denied' });
  });

  it('when the access log cannot be written: 503 OperationOutcome and no plan data', async () => {
    const { t, planId } = await world();
    await breakAccessLog(t.db);
    const res = await fhir(t, who.paramedic, `/fhir/R4/CarePlan/${planId}`);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'transient' }] });
    expect(res.text).not.toMatch(/Quillfeather|Eff by name|SB-000001/);
  });

  it('metadata is a valid CapabilityStatement of exactly the supported interactions', async () => {
    const { t } = await world();
    const res = await fhir(t, null, '/fhir/R4/metadata');
    expect(res.status).toBe(200);
    const rest = res.json.rest[0];
    expect(rest.resource.map((r: { type: string; interaction: { code: string }[] }) => [r.type, r.interaction.map((i) => i.code)])).toEqual(
      [
        ['CarePlan', ['read', 'search-type']],
        ['AuditEvent', ['search-type']],
      ],
    );
  });
});

describe('FHIR AuditEvent', () => {
  async function auditWorld() {
    const w = await world();
    const { t, planId } = w;
    await t.call(who.paramedic, 'GET', `/api/v1/plans/${planId}`, { purpose: 'INC-2026-0100 welfare' });
    await t.call(who.outsider, 'GET', `/fhir/R4/CarePlan/${planId}`, { purpose: 'INC-2026-0101' });
    // A search that listed the plan (written as the search route writes it).
    await t.accessLog.record({
      actor: { sub: 'pc.test', org: 'capital-police', roles: ['responder'] },
      action: 'search',
      channel: 'api',
      purpose: 'INC-2026-0102',
      query: { q: 'synthetic' },
      resultPlanIds: [planId],
      outcome: 'allowed',
    });
    return w;
  }

  it("the owning trust's auditor gets the plan's events as BALP AuditEvents with chain position and hash", async () => {
    const { t, planId } = await auditWorld();
    const res = await fhir(t, who.auditor, `/fhir/R4/AuditEvent?entity=CarePlan/${planId}&date=ge2026-11-23&date=le2026-11-23`);
    expect(res.status).toBe(200);
    const bundle = res.json as Bundle<AuditEvent>;
    expect(bundle.type).toBe('searchset');
    const stored = new Map(
      (await t.db.many<{ seq: number; hash: string }>(sql`SELECT seq, hash FROM access_events`)).map((r) => [String(r.seq), r.hash]),
    );
    const events = bundle.entry!.map((e) => e.resource!);
    expect(events.map((e) => [e.subtype![0]!.code, e.outcome])).toEqual([
      ['search', '0'],
      ['read', '4'],
      ['read', '0'],
    ]);
    for (const e of events) {
      const query = e.action === 'E';
      expect(e.meta!.profile).toEqual([
        `https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.${query ? 'PatientQuery' : 'PatientRead'}`,
      ]);
      expect(e.type).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' });
      expect(e.subtype![0]!.system).toBe('http://hl7.org/fhir/restful-interaction');
      // BALP agents: the user (requestor, with purpose of use), the client as Source Role, the server as Destination Role.
      const [user, client, server] = e.agent;
      expect(user).toMatchObject({ requestor: true, purposeOfUse: [{ text: expect.stringMatching(/^INC-2026-01/) }] });
      expect(client!.type!.coding![0]).toMatchObject({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153' });
      expect(server!.type!.coding![0]).toMatchObject({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110152' });
      expect(e.source.type![0]).toMatchObject({ code: '4' });
      const patient = e.entity!.find((x) => x.role?.code === '1')!;
      expect(patient).toMatchObject({ type: { code: '1' }, what: { identifier: { system: ORG, value: 'SB-000001' } } });
      const data = e.entity!.find((x) => x.role?.code === (query ? '24' : '4'))!;
      expect(data.type).toMatchObject({ code: '2' });
      if (!query) expect(data.what).toEqual({ reference: `CarePlan/${planId}` });
      const entry = e.entity!.find((x) => x.what?.identifier?.system === 'urn:response-plans:access-log')!;
      const seq = entry.what!.identifier!.value!;
      expect(entry.detail!.find((d) => d.type === 'hash')!.valueString).toBe(stored.get(seq));
      expect(e.id).toBe(seq);
    }
    // The query itself never carries the search words.
    expect(res.text).not.toContain('synthetic');
    expect(res.events).toEqual([expect.objectContaining({ action: 'audit-read', channel: 'fhir', planId, outcome: 'allowed' })]);
  });

  it('filters by date and pages with a next link', async () => {
    const { t, planId } = await auditWorld();
    const none = await fhir(t, who.auditor, `/fhir/R4/AuditEvent?entity=CarePlan/${planId}&date=le2026-11-22`);
    expect(none.json.entry).toEqual([]);
    const page = await fhir(t, who.auditor, `/fhir/R4/AuditEvent?entity=CarePlan/${planId}&_count=2`);
    expect(page.json.entry).toHaveLength(2);
    const next = (page.json as Bundle).link!.find((l) => l.relation === 'next')!.url;
    const rest = await fhir(t, who.auditor, new URL(next).pathname + new URL(next).search);
    expect(rest.json.entry.map((e: { resource: AuditEvent }) => Number(e.resource.id))).toEqual(
      expect.arrayContaining([Math.min(...page.json.entry.map((e: { resource: AuditEvent }) => Number(e.resource.id))) - 1]),
    );
  });

  it.each([
    ['a responder', who.paramedic, 403],
    ["another trust's auditor", otherAuditor, 403],
  ] as const)('%s is refused with an OperationOutcome', async (_l, w, status) => {
    const { t, planId } = await auditWorld();
    if (w === otherAuditor) await addOrganisation(t.db, { slug: 'northgate-mh', name: 'Northgate', kind: 'mental-health' }, t.clock());
    const res = await fhir(t, w, `/fhir/R4/AuditEvent?entity=CarePlan/${planId}`);
    expect(res.status).toBe(status);
    expect(res.json.resourceType).toBe('OperationOutcome');
    expect(res.events).toEqual([expect.objectContaining({ action: 'audit-read', channel: 'fhir', outcome: 'denied' })]);
  });

  it('rejects searches it does not support', async () => {
    const { t, planId } = await auditWorld();
    for (const q of [
      '',
      `entity=Patient/${planId}`,
      `entity=CarePlan/${planId}&date=gt2026-01-01`,
      `entity=CarePlan/${planId}&date=ge2026-01-01&date=ge2026-02-01`,
    ]) {
      const res = await fhir(t, who.auditor, `/fhir/R4/AuditEvent?${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});

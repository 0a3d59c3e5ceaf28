import { describe, expect, it } from 'vitest';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, type Who, who } from '../../helpers.js';

const valleyMedic: Who = { sub: 'medic.valley', org: 'valley-ambulance', roles: ['responder'] };
const northAuditor: Who = { sub: 'auditor.n', org: 'northgate-mh', roles: ['auditor'] };

async function world(opts: Parameters<typeof testApp>[0] = {}) {
  const t = await testApp(opts);
  await addOrganisation(t.db, { slug: 'valley-ambulance', name: 'Valley Ambulance (no agreement)', kind: 'ambulance' }, t.clock());
  await publishPlans(
    t.db,
    Array.from({ length: 12 }, (_, i) =>
      importRecordFrom(planBody({ externalRef: `SB-${String(i + 1).padStart(6, '0')}`, familyName: `Testperson${i}` })),
    ),
  );
  const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => planIdOf(t.db, `SB-${String(i + 1).padStart(6, '0')}`)));
  return { t, ids, planId: ids[0]! };
}

describe('auditor API: events', () => {
  it("lists events newest first, filtered and paginated, and logs the auditor's own read", async () => {
    const { t, planId, ids } = await world();
    await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose: 'INC-100 welfare' });
    await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`, { purpose: 'INC-101 curiosity' });
    await t.call(who.nurse, 'GET', `/api/v1/plans/${planId}`, { purpose: 'ED-555 triage' });
    await t.call(who.nurse, 'GET', `/api/v1/plans/${ids[1]}`, { purpose: 'ED-556 triage' });

    const page1 = await t.call(who.auditor, 'GET', `/api/v1/audit/events?planId=${planId}&limit=2`, { purpose: 'SAR-2026-07' });
    expect(page1.status).toBe(200);
    expect(page1.json.events.map((e: any) => e.actor.sub)).toEqual(['nurse.test', 'pc.outsider']);
    expect(page1.json.events[1]).toMatchObject({ outcome: 'denied', purpose: 'INC-101 curiosity', planId });
    const page2 = await t.call(who.auditor, 'GET', `/api/v1/audit/events?planId=${planId}&limit=2&cursor=${page1.json.nextCursor}`);
    expect(page2.json.events.map((e: any) => e.actor.sub)).toEqual(['pc.test']);
    expect(page2.json.nextCursor).toBeNull();

    const byOrg = await t.call(who.auditor, 'GET', '/api/v1/audit/events?org=st-brigid-ed&purpose=triage');
    expect(byOrg.json.events).toHaveLength(2);
    const byTime = await t.call(who.auditor, 'GET', '/api/v1/audit/events?actor=pc.test&from=2026-11-23&to=2026-11-23');
    expect(byTime.json.events).toHaveLength(1);
    const none = await t.call(who.auditor, 'GET', '/api/v1/audit/events?actor=pc.test&from=2026-11-24');
    expect(none.json.events).toHaveLength(0);

    const reads = (await t.events()).filter((e) => e.action === 'audit-read');
    expect(reads).toHaveLength(5);
    expect(reads[0]).toMatchObject({ actorSub: 'auditor.a', purpose: 'SAR-2026-07', planId, outcome: 'allowed' });
    expect(reads[0]!.query).toMatchObject({ endpoint: 'events', planId, limit: 2 });
  });

  it("auditors see only their own organisation's scope; other roles are refused, and that is logged", async () => {
    const { t, planId } = await world();
    await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`);
    const north = await t.call(northAuditor, 'GET', `/api/v1/audit/events?planId=${planId}`);
    expect(north.status).toBe(200);
    expect(north.json.events).toEqual([]);
    const officer = await t.call(who.officer, 'GET', '/api/v1/audit/events');
    expect(officer.status).toBe(403);
    expect((await t.events()).at(-1)).toMatchObject({ action: 'audit-read', outcome: 'denied', actorSub: 'pc.test' });
    expect((await t.call(who.auditor, 'GET', '/api/v1/audit/events?limit=0')).status).toBe(400);
  });
});

describe('access report for the person', () => {
  it('says who looked, when and why, counts searches, and marks emergency access', async () => {
    const { t, planId, ids } = await world();
    await t.call(who.paramedic, 'GET', `/api/v1/plans/${planId}`, { purpose: 'CAD-4471 <script>alert(1)</script>' });
    await t.call(valleyMedic, 'GET', `/api/v1/plans/${planId}`, {
      purpose: 'CAD-9001',
      headers: { 'x-emergency-access': 'unconscious at scene' },
    });
    await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`);
    await t.accessLog.record({
      actor: who.officer,
      action: 'search',
      channel: 'api',
      purpose: 'INC-7',
      query: { q: 'testperson' },
      resultPlanIds: [ids[1]!, planId],
      outcome: 'allowed',
    });
    await t.accessLog.record({
      actor: who.officer,
      action: 'search',
      channel: 'api',
      purpose: 'INC-8',
      query: { q: 'other' },
      resultPlanIds: [ids[2]!],
      outcome: 'allowed',
    });

    const r = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/access-report`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      planId,
      externalRef: 'SB-000001',
      searchAppearances: 1,
      emergencyAccesses: 1,
      refusedAttempts: 1,
      namesPolicy: 'role-only',
    });
    expect(r.json.accesses).toHaveLength(2);
    expect(r.json.accesses[0]).toMatchObject({
      organisation: 'Metro Ambulance Service',
      role: 'a responder',
      person: null,
      emergency: false,
    });
    expect(r.json.accesses[1]).toMatchObject({
      organisation: 'Valley Ambulance (no agreement)',
      emergency: true,
      emergencyReason: 'unconscious at scene',
      why: 'CAD-9001',
    });
    expect(r.json.summary).toContain('Your record appeared in 1 search by responders.');

    const text = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/access-report?format=text`);
    expect(text.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text.text).toMatch(
      /On 23 November 2026 at 10:00 GMT, a responder from Metro Ambulance Service \(ambulance service\) looked at your plan/,
    );
    expect(text.text).toMatch(/in an emergency, without a data-sharing agreement/);
    const page = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/access-report?format=html`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;script&gt;');

    expect((await t.call(northAuditor, 'GET', `/api/v1/plans/${planId}/access-report`)).status).toBe(403);
    expect((await t.call(who.author, 'GET', `/api/v1/plans/${planId}/access-report`)).status).toBe(403);
  });

  it('names individuals only when the policy says so', async () => {
    const { t, planId } = await world({ accessReportNames: 'individual' });
    await t.call(who.nurse, 'GET', `/api/v1/plans/${planId}`);
    const r = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/access-report`);
    expect(r.json.accesses[0]).toMatchObject({ person: 'nurse.test' });
  });
});

describe('unusual-access flags', () => {
  it('flags bursts, refusals, reused or missing incident references, idle searches and emergency access', async () => {
    const { t, ids } = await world();
    for (const id of ids.slice(0, 10)) await t.call(who.officer, 'GET', `/api/v1/plans/${id}`, { purpose: 'INC-2026-0001 patrol' });
    await t.call(who.outsider, 'GET', `/api/v1/plans/${ids[0]}`, { purpose: 'INC-2026-0002' });
    await t.call(who.nurse, 'GET', `/api/v1/plans/${ids[11]}`, { purpose: 'just checking' });
    await t.call(valleyMedic, 'GET', `/api/v1/plans/${ids[11]}`, {
      purpose: 'CAD-1234',
      headers: { 'x-emergency-access': 'collapsed in street' },
    });
    await t.accessLog.record({
      actor: who.paramedic,
      action: 'search',
      channel: 'api',
      purpose: 'CAD-77',
      query: { q: 'x' },
      resultPlanIds: [ids[5]!],
      outcome: 'allowed',
    });
    await t.accessLog.record({
      actor: who.nurse,
      action: 'search',
      channel: 'api',
      purpose: 'ED-88',
      query: { q: 'y' },
      resultPlanIds: [ids[11]!],
      outcome: 'allowed',
    });
    await t.call(who.nurse, 'GET', `/api/v1/plans/${ids[11]}`, { purpose: 'ED-88' });

    // "Searched, none opened" is raised only once the 30-minute follow-up window has passed.
    t.clock.set('2026-11-23T10:31:00Z');
    const r = await t.call(who.auditor, 'GET', '/api/v1/audit/flags');
    expect(r.status).toBe(200);
    const kinds = (k: string) => r.json.flags.filter((f: any) => f.kind === k);
    expect(kinds('many-plans')).toEqual([expect.objectContaining({ actor: { sub: 'pc.test', org: 'capital-police' } })]);
    expect(kinds('many-plans')[0].planIds).toHaveLength(10);
    expect(kinds('purpose-reused')).toEqual([expect.objectContaining({ actor: { sub: 'pc.test', org: 'capital-police' } })]);
    expect(kinds('denied-no-agreement')).toEqual([
      expect.objectContaining({ actor: { sub: 'pc.outsider', org: 'shire-police' }, planIds: [ids[0]] }),
    ]);
    expect(kinds('no-incident-reference')).toEqual([expect.objectContaining({ actor: { sub: 'nurse.test', org: 'st-brigid-ed' } })]);
    expect(kinds('search-no-open')).toEqual([
      expect.objectContaining({ actor: { sub: 'medic.test', org: 'metro-ambulance' }, planIds: [ids[5]] }),
    ]);
    expect(kinds('emergency-access')).toEqual([
      expect.objectContaining({ actor: { sub: 'medic.valley', org: 'valley-ambulance' }, planIds: [ids[11]] }),
    ]);

    const only = await t.call(who.auditor, 'GET', '/api/v1/audit/flags?kind=emergency-access');
    expect(only.json.flags.map((f: any) => f.kind)).toEqual(['emergency-access']);
    expect((await t.call(northAuditor, 'GET', '/api/v1/audit/flags')).json.flags).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, type Who, who } from '../../helpers.js';

const valleyMedic: Who = { sub: 'medic.valley', org: 'valley-ambulance', roles: ['responder'] };
const northAuditor: Who = { sub: 'auditor.n', org: 'northgate-mh', roles: ['auditor'] };

async function world() {
  const t = await testApp();
  await addOrganisation(t.db, { slug: 'valley-ambulance', name: 'Valley Ambulance (no agreement)', kind: 'ambulance' }, t.clock());
  await publishPlans(t.db, [
    importRecordFrom(planBody({ externalRef: 'SB-000001' })),
    importRecordFrom(planBody({ externalRef: 'SB-000002', familyName: 'Quillfeather' })),
  ]);
  const planId = await planIdOf(t.db, 'SB-000001');
  await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`, { purpose: 'INC-2026-0002' });
  t.clock.set('2026-11-23T10:05:00.000Z');
  await t.call(valleyMedic, 'GET', `/api/v1/plans/${planId}`, {
    purpose: 'CAD-1234',
    headers: { 'x-emergency-access': 'collapsed in street' },
  });
  t.clock.set('2026-11-23T10:10:00.000Z');
  await t.call(who.nurse, 'GET', `/api/v1/plans/${planId}`, { purpose: 'just checking' });
  t.clock.set('2026-11-23T11:00:00.000Z');
  return { t, planId };
}

describe('flag reviews', () => {
  it('lists flags with stable ids, open emergency access first; a review closes one and is kept with who, when and why', async () => {
    const { t } = await world();
    const first = await t.call(who.auditor, 'GET', '/api/v1/audit/flags');
    expect(first.status).toBe(200);
    expect(first.json.flags.map((f: any) => [f.kind, f.state])).toEqual([
      ['emergency-access', 'open'],
      ['no-incident-reference', 'open'],
      ['denied-no-agreement', 'open'],
    ]);
    const again = await t.call(who.auditor, 'GET', '/api/v1/audit/flags');
    expect(again.json.flags.map((f: any) => f.id)).toEqual(first.json.flags.map((f: any) => f.id));
    const emergency = first.json.flags[0];

    const review = await t.call(who.auditor, 'POST', `/api/v1/audit/flags/${emergency.id}/review`, {
      body: { outcome: 'appropriate', comment: 'Cardiac arrest at scene; CAD log confirms.' },
    });
    expect(review.status).toBe(201);
    expect(review.json.flag).toMatchObject({
      id: emergency.id,
      state: 'closed',
      review: { by: { sub: 'auditor.a', org: 'southbank-mh' }, outcome: 'appropriate' },
    });
    expect(
      (
        await t.call(who.auditor, 'POST', `/api/v1/audit/flags/${emergency.id}/review`, {
          body: { outcome: 'reported', comment: 'second go' },
        })
      ).status,
    ).toBe(409);

    const after = await t.call(who.auditor, 'GET', '/api/v1/audit/flags');
    expect(after.json.flags.map((f: any) => [f.kind, f.state])).toEqual([
      ['no-incident-reference', 'open'],
      ['denied-no-agreement', 'open'],
      ['emergency-access', 'closed'],
    ]);
    expect(after.json.flags[2].review).toMatchObject({
      at: '2026-11-23T11:00:00.000Z',
      comment: 'Cardiac arrest at scene; CAD log confirms.',
    });
    expect((await t.call(who.auditor, 'GET', '/api/v1/audit/flags?state=closed')).json.flags).toHaveLength(1);

    const events = (await t.events()).filter((e) => e.action === 'flag-review');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorSub: 'auditor.a',
      outcome: 'allowed',
      reason: 'Cardiac arrest at scene; CAD log confirms.',
      query: { flagId: emergency.id, kind: 'emergency-access', outcome: 'appropriate' },
    });
    const r = await verifyAuditLog(t.db, loadAuditSigner(t.keysDir)!.publicKeyPem);
    expect(r.ok).toBe(true);
  });

  it("refuses other roles, flags outside the auditor's scope, and bad input naming the field", async () => {
    const { t } = await world();
    const id = (await t.call(who.auditor, 'GET', '/api/v1/audit/flags')).json.flags[0].id;
    expect(
      (await t.call(who.admin, 'POST', `/api/v1/audit/flags/${id}/review`, { body: { outcome: 'appropriate', comment: 'looks fine' } }))
        .status,
    ).toBe(403);
    expect((await t.call(who.admin, 'GET', '/api/v1/audit/flags')).status).toBe(403);
    expect(
      (await t.call(northAuditor, 'POST', `/api/v1/audit/flags/${id}/review`, { body: { outcome: 'appropriate', comment: 'not ours' } }))
        .status,
    ).toBe(404);
    const bad = await t.call(who.auditor, 'POST', `/api/v1/audit/flags/${id}/review`, { body: { outcome: 'fine', comment: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(bad.json.errors.map((e: any) => e.path)).toEqual(['outcome', 'comment']);
    expect(
      (await t.call(who.auditor, 'POST', '/api/v1/audit/flags/short/review', { body: { outcome: 'appropriate', comment: 'fine' } })).json
        .errors[0].path,
    ).toBe('id');
    expect((await t.events()).filter((e) => e.action === 'flag-review')).toHaveLength(0);
  });
});

describe('auditor event search: person, channel, CSV', () => {
  it("finds events by the person's name or reference (searches that surfaced them too) and by channel", async () => {
    const { t, planId } = await world();
    const other = await planIdOf(t.db, 'SB-000002');
    await t.accessLog.record({
      actor: who.officer,
      action: 'search',
      channel: 'web',
      purpose: 'INC-9',
      query: { q: 'o sullivan' },
      resultPlanIds: [planId],
      outcome: 'allowed',
    });
    await t.call(who.officer, 'GET', `/api/v1/plans/${other}`, { purpose: 'INC-10' });
    const byName = await t.call(who.auditor, 'GET', `/api/v1/audit/events?person=${encodeURIComponent("o'sullivan")}`);
    expect(byName.status).toBe(200);
    expect(byName.json.events.map((e: any) => e.action)).toEqual(['search', 'view', 'view', 'view']);
    const byRef = await t.call(who.auditor, 'GET', '/api/v1/audit/events?person=SB-000002');
    expect(byRef.json.events.map((e: any) => e.planId)).toEqual([other]);
    expect((await t.call(who.auditor, 'GET', '/api/v1/audit/events?channel=web')).json.events.map((e: any) => e.action)).toEqual([
      'search',
    ]);
    expect((await t.call(northAuditor, 'GET', '/api/v1/audit/events?person=SB-000002')).json.events).toEqual([]);
    expect((await t.call(who.auditor, 'GET', '/api/v1/audit/events?channel=fax')).json.errors[0].path).toBe('channel');
  });

  it('exports CSV with a filename, RFC 4180 quoting and formula cells neutralised', async () => {
    const { t, planId } = await world();
    await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose: '=HYPERLINK("http://x.invalid","click"), INC-5' });
    await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose: '@SUM(A1) INC-6' });
    const r = await t.call(who.auditor, 'GET', '/api/v1/audit/events?format=csv&actor=pc.test');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="access-events-2026-11-23\.csv"$/);
    const lines = r.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^seq,at,actor,actor_org/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(",'@SUM(A1) INC-6,");
    expect(lines[2]).toContain(`,"'=HYPERLINK(""http://x.invalid"",""click""), INC-5",`);
  });
});

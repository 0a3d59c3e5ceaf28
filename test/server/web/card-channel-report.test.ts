import { describe, expect, it } from 'vitest';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';
import { signedIn } from './helpers.js';

/** A published plan, its card, and a paramedic who scanned it with the pre-filled card purpose. */
async function scanned() {
  const t = await testApp();
  await publishPlans(t.db, [importRecordFrom(planBody())]);
  const planId = await planIdOf(t.db, 'SB-000001');
  const card = await t.call(who.author, 'POST', `/api/v1/plans/${planId}/cards`, { body: {}, purpose: null });
  expect(card.status).toBe(201);
  const q = new URL(card.json.url as string).pathname;
  const b = await signedIn(t, 'demo.paramedic');
  await b.post('/purpose', { purpose: 'scanned patient card', return: q });
  const scan = await b.get(q);
  expect(scan.location).toBe(`/plans/${planId}?via=qr`);
  expect((await b.get(scan.location!)).status).toBe(200);
  return { t, planId, b };
}

describe('card scans in the log, the report and the flags', () => {
  it('logs the plan page as qr only when a scan really led there; ?via=qr typed by hand is web', async () => {
    const { t, planId, b } = await scanned();
    expect((await b.get(`/plans/${planId}?via=qr`)).status).toBe(200); // a reload, or the link typed by hand
    const views = (await t.events()).filter((e) => e.action === 'view');
    expect(views.map((e) => e.channel)).toEqual(['qr', 'web']);
  });

  it("counts each scan once in the person's access report", async () => {
    const { t, planId } = await scanned();
    const r = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/access-report`, { purpose: null });
    expect(r.status).toBe(200);
    const looks = r.json.accesses.filter((a: { what: string }) => a.what !== 'printed your plan'); // the card's own printing
    expect(looks).toHaveLength(1);
    expect(looks[0].how).toBe('QR code');
    expect(r.json.accesses).toHaveLength(2);
  });

  it('does not flag the pre-filled card purpose as "no incident reference", but does when typed for a web view', async () => {
    const { t, planId, b } = await scanned();
    const flags = async () =>
      (await t.call(who.auditor, 'GET', '/api/v1/audit/flags?kind=no-incident-reference', { purpose: null })).json.flags;
    expect(await flags()).toEqual([]);
    await b.get(`/plans/${planId}`);
    expect((await flags()).map((f: { eventSeqs: number[] }) => f.eventSeqs.length)).toEqual([1]);
  });

  it('raises "searched, none opened" only once the follow-up window has passed', async () => {
    const { t } = await scanned();
    expect((await t.call(who.paramedic, 'GET', '/api/v1/search?q=sullivan')).status).toBe(200);
    const ambulanceAuditor = { sub: 'auditor.ma', org: 'metro-ambulance', roles: ['auditor' as const] };
    const noOpen = async () =>
      (await t.call(ambulanceAuditor, 'GET', '/api/v1/audit/flags?kind=search-no-open', { purpose: null })).json.flags;
    expect(await noOpen()).toEqual([]);
    t.clock.set('2026-11-23T10:31:00Z');
    expect(await noOpen()).toHaveLength(1);
  });
});

import { sql } from 'drizzle-orm';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_DSA } from '../../../src/plans/demo/demo.js';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { configureOidc, oidcConfigInputSchema, sealClientSecret } from '../../../src/plans/oidc-config.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, tempDir, testApp, who, type Who } from '../../helpers.js';
import { pdfText, signedIn, type Browser } from './helpers.js';

const valleyMedic: Who = { sub: 'medic.valley', org: 'valley-ambulance', roles: ['responder'] };

/** A trust with two plans, a responder's view by purpose, a search, and an emergency access by a medic with no agreement. */
async function world() {
  const t = await testApp();
  await addOrganisation(t.db, { slug: 'valley-ambulance', name: 'Valley Ambulance (no agreement)', kind: 'ambulance' }, t.clock());
  await publishPlans(t.db, [
    importRecordFrom(planBody({ externalRef: 'SB-000001' })),
    importRecordFrom(planBody({ externalRef: 'SB-000002', familyName: 'Quillfeather' })),
  ]);
  const planId = await planIdOf(t.db, 'SB-000001');
  expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose: 'INC-2026-7788 welfare check' })).status).toBe(200);
  // A search as the search routes record it: every plan it returned, one of another trust.
  await t.accessLog.record({
    actor: who.officer,
    action: 'search',
    channel: 'web',
    purpose: 'INC-2026-7789',
    query: { q: 'quill' },
    resultPlanIds: [await planIdOf(t.db, 'SB-000002'), 'OtherTrustPlan01'],
    outcome: 'allowed',
  });
  t.clock.set('2026-11-23T10:05:00.000Z');
  await t.call(valleyMedic, 'GET', `/api/v1/plans/${planId}`, {
    purpose: 'CAD-1234',
    headers: { 'x-emergency-access': 'collapsed in street' },
  });
  t.clock.set('2026-11-23T11:00:00.000Z');
  return { t, planId };
}

const webAuditReads = async (t: Awaited<ReturnType<typeof testApp>>) => {
  await t.accessLog.planLookup();
  return (await t.events()).filter((e) => e.action === 'audit-read' && e.channel === 'web');
};

describe('auditor console /audit', () => {
  it("finds a responder's view by purpose text, shows who/why/how and what a search surfaced; each view is one audit-read event", async () => {
    const { t, planId } = await world();
    const b = await signedIn(t, 'demo.auditor');
    expect((await b.get('/audit')).status).toBe(200);
    expect(await webAuditReads(t)).toHaveLength(0); // the bare form shows nothing
    const res = await b.get('/audit?purpose=7788');
    expect(res.status).toBe(200);
    expect(res.text).toContain('pc.test');
    expect(res.text).toContain('INC-2026-7788 welfare check');
    expect(res.text).toContain(`/audit?planId=${planId}`);
    expect(res.text).toContain('Aoife Niamh O&#39;Sullivan-Nowak</a> (SB-000001)');
    // The person's report is one click from every event about them; the version is the plan's own number.
    expect(res.text).toContain(`href="/audit/plans/${planId}/report"`);
    expect(res.text).toMatch(/, version 1</);
    expect(res.text).not.toMatch(/version \d{2,}/);
    // The header offers this person's consoles, by the organisation's name.
    expect(res.text).toContain('<a href="/audit">Access log</a>');
    expect(res.text).toContain('Southbank Mental Health Trust');
    expect(res.text).not.toContain('INC-2026-7789');
    const search = await b.get('/audit?action=search');
    expect(search.text).toContain('Search: surfaced 2 people');
    expect(search.text).toContain('1 of other organisations, not named here');
    expect(search.text).toContain('(SB-000002)');
    const reads = await webAuditReads(t);
    expect(reads).toHaveLength(2);
    expect(reads[0]).toMatchObject({ actorSub: 'demo.auditor', outcome: 'allowed', query: { page: 'events', purpose: '7788' } });
    const csv = await b.get('/audit/events.csv?purpose=7788');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(2);
    expect(csv.text.split('\r\n')[0]).toContain(',plan_id,version,');
    expect(csv.text.split('\r\n')[1]).toContain(`,${planId},1,`);
    expect(csv.text).toContain('INC-2026-7788 welfare check');
  });

  it('paginates by cursor, newest first, and refuses bad filters with an error summary naming the field', async () => {
    const { t } = await world();
    const b = await signedIn(t, 'demo.auditor');
    const bad = await b.get('/audit?from-day=31&from-month=2&from-year=2026&outcome=maybe');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('There is a problem');
    expect(bad.text).toContain('href="#from-day"');
    expect(bad.text).toContain('href="#outcome"');
    const first = await b.get('/audit?org=capital-police');
    const older = /href="(\/audit\?[^"]*cursor=\d+)"/.exec(first.text.replace(/&amp;/g, '&'));
    expect(first.text).toContain('events');
    if (older) expect((await b.get(older[1]!)).status).toBe(200);
  });

  it('refuses other roles with a page, and logs the refusal', async () => {
    const { t } = await world();
    const b = await signedIn(t, 'demo.officer');
    const res = await b.get('/audit?purpose=7788');
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('INC-2026-7788');
    const reads = await webAuditReads(t);
    expect(reads).toMatchObject([{ actorSub: 'demo.officer', outcome: 'denied' }]);
    expect((await b.get('/audit/flags')).status).toBe(403);
    expect((await (await signedIn(t, 'demo.admin')).get('/audit/plans/x/report')).status).toBe(403);
  });
});

describe('unusual access /audit/flags', () => {
  it('lists open emergency access first; closing one needs an outcome and comment, is logged on the web channel and shown as closed', async () => {
    const { t } = await world();
    const b = await signedIn(t, 'demo.auditor');
    const list = await b.get('/audit/flags');
    expect(list.status).toBe(200);
    const ids = [...list.text.matchAll(/href="\/audit\/flags\/([A-Za-z0-9_-]{22})"/g)].map((m) => m[1]!);
    expect(list.text.indexOf('Emergency access')).toBeLessThan(
      list.text.indexOf('Refused: no data-sharing agreement') === -1 ? Infinity : list.text.indexOf('Refused: no data-sharing agreement'),
    );
    const id = ids[0]!;
    const detail = await b.get(`/audit/flags/${id}`);
    expect(detail.text).toContain('collapsed in street');
    expect(detail.text).toContain('medic.valley');
    const empty = await b.post(`/audit/flags/${id}/review`, { comment: 'x' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('href="#outcome-appropriate"');
    expect(empty.text).toContain('href="#comment"');
    const forged = await b.post(
      `/audit/flags/${id}/review`,
      { outcome: 'appropriate', comment: 'Cardiac arrest; CAD log confirms.' },
      { origin: 'https://evil.example' },
    );
    expect(forged.status).toBe(403);
    const done = await b.post(`/audit/flags/${id}/review`, { outcome: 'appropriate', comment: 'Cardiac arrest; CAD log confirms.' });
    expect(done.status).toBe(303);
    const after = await b.get(done.location!);
    expect(after.text).toContain('Flag closed');
    expect(after.text).toContain('Cardiac arrest; CAD log confirms.');
    expect((await t.events()).filter((e) => e.action === 'flag-review')).toMatchObject([
      { channel: 'web', actorSub: 'demo.auditor', reason: 'Cardiac arrest; CAD log confirms.' },
    ]);
    expect((await b.post(`/audit/flags/${id}/review`, { outcome: 'reported', comment: 'second go' })).status).toBe(409);
  });
});

describe("the person's access report /audit/plans/:id/report", () => {
  it('shows the chosen period in plain language and downloads the same as an A4 PDF', async () => {
    const { t, planId } = await world();
    const b = await signedIn(t, 'demo.auditor');
    const all = await b.get(`/audit/plans/${planId}/report`);
    expect(all.status).toBe(200);
    expect(all.text).toContain('Who looked at your response plan');
    expect(all.text).toContain('Reason given: &quot;INC-2026-7788 welfare check&quot;');
    expect(all.text).toContain('Emergency access.');
    const later = await b.get(`/audit/plans/${planId}/report?from-day=24&from-month=11&from-year=2026`);
    expect(later.text).toContain('Since 24 November 2026:');
    expect(later.text).toContain('Nobody outside your care team looked at your plan.');
    const bad = await b.get(`/audit/plans/${planId}/report?to-day=40&to-month=1&to-year=2026`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#to-day"');
    const pdf = await fetchBytes(
      t,
      b,
      `/audit/plans/${planId}/report.pdf?from-day=23&from-month=11&from-year=2026&to-day=23&to-month=11&to-year=2026`,
    );
    const txt = pdfText(pdf, tempDir()).replace(/\s+/g, ' ');
    expect(txt).toContain('Who looked at your response plan');
    expect(txt).toContain('Between 23 November 2026 and 23 November 2026');
    expect(txt).toContain('INC-2026-7788 welfare check');
    expect(txt).toContain('EMERGENCY ACCESS');
    expect(txt).toContain('page 1 of 1');
    const reads = (await webAuditReads(t)).filter((e) => (e.query as { page?: string }).page === 'access-report');
    expect(reads.map((e) => e.outcome)).toEqual(['allowed', 'allowed', 'denied', 'allowed']);
  });
});

describe("the person's access report: grouped, refused attempts listed, London time, the trust's data-protection contact", () => {
  it('folds nine care-team saves into one line, keeps their lists apart, lists a refusal with who and why, and prints a posting block', async () => {
    const { t, planId } = await world();
    // The care team's work: their plan list, then nine looks in under a minute, as saving sections does.
    const author = await signedIn(t, 'demo.author');
    expect((await author.get('/manage')).status).toBe(200);
    for (let i = 0; i < 9; i++) {
      t.clock.set(`2026-11-23T11:01:${String(i * 5).padStart(2, '0')}.000Z`);
      expect((await author.get(`/manage/plans/${planId}`)).status).toBe(200);
    }
    // A medic with no agreement, without claiming an emergency: refused.
    t.clock.set('2026-11-23T11:30:00.000Z');
    expect((await t.call(valleyMedic, 'GET', `/api/v1/plans/${planId}`, { purpose: 'CAD-5555' })).status).toBe(403);
    // The trust's own admin gives its data-protection contact on the organisation page.
    const admin = await signedIn(t, 'demo.admin');
    const set = await admin.post('/admin/organisations/southbank-mh', {
      name: 'Southbank Mental Health Trust',
      kind: 'mental-health',
      contact: 'Southbank crisis team, 24/7: 0800 000 0101',
      dataProtectionContact: 'Data Protection Officer, 1 Example Row, London SE1 0XX, dpo@southbank.example',
      reason: 'DPO for access reports',
    });
    expect(set.status, set.text).toBe(303);

    const b = await signedIn(t, 'demo.auditor');
    const res = await b.get(`/audit/plans/${planId}/report`);
    expect(res.status).toBe(200);
    const text = res.text.replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    // Nine looks in a minute are one line, the care team's list pages are counted, not listed.
    expect(text.match(/worked on your plan/g)).toHaveLength(1);
    expect(text).toContain(
      'On 23 November 2026 at 11:01 GMT, a member of your care team writing your plan from Southbank Mental Health Trust (mental-health trust) worked on your plan (9 changes and views).',
    );
    expect(text).toContain('your name was in their own lists once.');
    // The care team's list is their work, not a responder's search.
    expect(text).toContain('Your record appeared in 0 searches by responders.');
    // The refusal, listed: who (organisation and role), when, why.
    expect(text).toContain(
      'On 23 November 2026 at 11:30 GMT, a responder from Valley Ambulance (no agreement) (ambulance service) tried to look at your plan (reason given: "CAD-5555"). It was refused because their organisation has no data-sharing agreement with your care team, and your plan was not shown.',
    );
    // London time with the zone, never UTC.
    expect(text).toContain('On 23 November 2026 at 10:05 GMT, a responder from Valley Ambulance');
    expect(text).not.toContain('UTC');
    // The data-protection contact, not the crisis line.
    expect(text).toContain(
      'contact the data-protection officer at Southbank Mental Health Trust: Data Protection Officer, 1 Example Row, London SE1 0XX, dpo@southbank.example.',
    );
    expect(text).not.toContain('0800 000 0101');

    // Filtered by kind: refused attempts only.
    const refusedOnly = (await b.get(`/audit/plans/${planId}/report?show=refused`)).text;
    expect(refusedOnly).toContain('It was refused because');
    expect(refusedOnly).not.toContain('worked on your plan');
    expect(refusedOnly).not.toContain('INC-2026-7788');
    const careOnly = (await b.get(`/audit/plans/${planId}/report?show=care-team`)).text;
    expect(careOnly).toContain('worked on your plan');
    expect(careOnly).not.toContain('It was refused because');
    const bad = await b.get(`/audit/plans/${planId}/report?show=everyone`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#show"');

    const pdf = pdfText(await fetchBytes(t, b, `/audit/plans/${planId}/report.pdf`), tempDir());
    const lines = pdf
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    // For posting: the sender, the report's date, then the person's name and room for the address by hand.
    expect(lines[0]).toBe('From Southbank Mental Health Trust');
    expect(lines[1]).toBe('23 November 2026');
    expect(lines[2]).toBe("Aoife Niamh O'Sullivan-Nowak");
    expect(lines[3]).toBe('Address: write it on the lines above before posting');
    expect(lines[4]).toBe('Who looked at your response plan');
    const flat = pdf.replace(/\s+/g, ' ');
    expect(flat).toContain('(9 changes and views)');
    expect(flat).toContain('Attempts that were refused');
    expect(flat).toContain('11:30 GMT');
    expect(flat).toContain('dpo@southbank.example');
    expect(flat).not.toContain('0800 000 0101');
  });

  it("falls back to the trust's data-protection officer, never the crisis line, when no contact is recorded", async () => {
    const { t, planId } = await world();
    const b = await signedIn(t, 'demo.auditor');
    const res = await b.get(`/audit/plans/${planId}/report`);
    expect(res.text).toContain('contact the trust&#39;s data-protection officer at Southbank Mental Health Trust.');
    expect(res.text).not.toContain('0800 000 0101');
    const flat = pdfText(await fetchBytes(t, b, `/audit/plans/${planId}/report.pdf`), tempDir()).replace(/\s+/g, ' ');
    expect(flat).toContain("contact the trust's data-protection officer at Southbank Mental Health Trust.");
    expect(flat).not.toContain('0800 000 0101');
  });
});

async function fetchBytes(t: Awaited<ReturnType<typeof testApp>>, b: Browser, url: string) {
  const res = await t.app.request(url, { headers: { cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  return new Uint8Array(await res.arrayBuffer());
}

describe('administrator pages /admin', () => {
  it('ends an agreement early with a reason: the next read by a responder of a party is refused, and the auditor sees the change', async () => {
    const { t, planId } = await world();
    const admin = await signedIn(t, 'demo.admin');
    expect((await admin.get('/admin')).text).toContain(DEMO_DSA);
    expect((await admin.get('/admin/agreements/matrix')).status).toBe(200);
    const confirm = await admin.get(`/admin/agreements/${DEMO_DSA}/end`);
    expect(confirm.text).toContain('End agreement now');
    expect((await admin.post(`/admin/agreements/${DEMO_DSA}/end`, { reason: '' })).status).toBe(400);
    const ended = await admin.post(`/admin/agreements/${DEMO_DSA}/end`, { reason: 'Partner withdrew from the pilot' });
    expect(ended.status).toBe(303);
    expect((await admin.get(ended.location!)).text).toContain('Ended early');
    expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose: 'INC-2026-7790' })).status).toBe(403);
    const auditor = await signedIn(t, 'demo.auditor');
    const log = await auditor.get('/audit?action=governance');
    expect(log.text).toContain(`agreement.end ${DEMO_DSA}`);
    expect(log.text).toContain('demo.admin');
  });

  it("refuses non-admins, cross-site posts, the operator's acts and bad input; edits an organisation; stores an OIDC secret 0600 as a governance event", async () => {
    const { t } = await world();
    expect((await (await signedIn(t, 'demo.auditor')).get('/admin')).status).toBe(403);
    const admin = await signedIn(t, 'demo.admin');
    expect(
      (await admin.post('/admin/organisations', { slug: 'x', name: 'X', kind: 'police' }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    // Adding an organisation and changing a kind are the operator's (policy): not offered, and refused if posted.
    expect((await admin.get('/admin/organisations')).text).not.toContain('href="/admin/organisations/new"');
    expect((await admin.get('/admin/organisations/new')).status).toBe(403);
    const add = await admin.post('/admin/organisations', { slug: 'north-police', name: 'North Police (synthetic)', kind: 'police' });
    expect(add.status).toBe(403);
    expect(add.text).toContain('operator of the service');
    const badAdd = await admin.post('/admin/organisations', { slug: 'Not A Slug', name: '', kind: 'police' });
    expect(badAdd.status).toBe(403);
    expect(badAdd.text).not.toContain('value="Not A Slug"');
    const own = await admin.get('/admin/organisations/southbank-mh');
    expect(own.text).not.toContain('name="kind"');
    const kind = await admin.post('/admin/organisations/southbank-mh', {
      name: 'Southbank Mental Health Trust',
      kind: 'emergency-department',
      reason: 'forged form',
    });
    expect(kind.status).toBe(403);
    await addOrganisation(t.db, { slug: 'north-police', name: 'North Police (synthetic)', kind: 'police' }, t.clock());
    // Another organisation's record: the policy says only its own administrators.
    expect((await admin.post('/admin/organisations/north-police', { name: 'Renamed', reason: 'typo' })).status).toBe(403);
    const bad = await admin.post('/admin/organisations/southbank-mh', { name: '', reason: 'typo' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#name"');
    expect(
      (
        await admin.post('/admin/organisations/southbank-mh', {
          name: 'Southbank Mental Health (synthetic)',
          contact: '020 7946 0000',
          reason: 'new switchboard',
        })
      ).status,
    ).toBe(303);
    // An issuer that is no URL, or not https, is a field error on the page (it was a 500).
    for (const issuer of ['', 'not a url', 'http://idp.southbank.example']) {
      const wrong = await admin.post('/admin/organisations/southbank-mh/oidc', {
        'oidc-issuer': issuer,
        'oidc-client-id': 'rpl',
        'oidc-client-secret': 's3cret-synthetic',
      });
      expect(wrong.status, issuer).toBe(400);
      expect(wrong.text).toContain('href="#oidc-issuer"');
      expect(wrong.text).toContain('Provider issuer URL:');
    }
    const noSecret = await admin.post('/admin/organisations/southbank-mh/oidc', {
      'oidc-issuer': 'http://evil.example',
      'oidc-client-id': 'rpl',
      'oidc-client-secret': '',
    });
    expect(noSecret.status).toBe(400);
    expect(noSecret.text).toContain('href="#oidc-issuer"');
    expect(noSecret.text).toContain('href="#oidc-client-secret"');
    const oidc = await admin.post('/admin/organisations/southbank-mh/oidc', {
      'oidc-issuer': 'https://idp.southbank.example/realms/staff',
      'oidc-client-id': 'rpl',
      'oidc-client-secret': 'synthetic-secret-987',
      'oidc-roles-claim': 'groups',
      'oidc-role-map': 'ig=auditor',
      'oidc-scopes': 'openid profile',
    });
    expect(oidc.status).toBe(303);
    // Kept sealed in the database (issue 23), never in clear: no file, no column holding it.
    expect(fs.existsSync(path.join(t.dir, 'oidc'))).toBe(false);
    expect(JSON.stringify(await t.db.many(sql`SELECT * FROM organisation_oidc`))).not.toContain('synthetic-secret-987');
    const gov = (await t.events()).filter((e) => e.action === 'governance');
    expect(gov.map((e) => [(e.query as { op: string }).op, e.outcome, e.channel])).toEqual([
      ['organisation.add', 'denied', 'web'],
      ['organisation.change', 'denied', 'web'],
      ['organisation.change', 'denied', 'web'],
      ['organisation.change', 'allowed', 'web'],
      ['organisation.oidc', 'allowed', 'web'],
    ]);
    expect(JSON.stringify(t.events())).not.toContain('synthetic-secret-987');
    // The organisation now signs in through its own provider: this demo (development issuer) session ends at once.
    expect((await admin.get('/admin')).status).toBe(303);
  });

  it('the sign-in form: a provider another organisation uses needs the claim naming the organisation, each its own value', async () => {
    const { t } = await world();
    const national = 'https://idp.national.example';
    const cap = oidcConfigInputSchema.parse({
      org: 'capital-police',
      issuer: national,
      clientId: 'rpl-cap',
      orgClaim: 'org_code',
      orgCode: 'XCP01',
    });
    expect((await configureOidc(t.db, cap, sealClientSecret(t.secrets, 'capital-police', 'synthetic-secret'), t.clock())).ok).toBe(true);
    const admin = await signedIn(t, 'demo.admin');
    const form = (over: Record<string, string>) =>
      admin.post('/admin/organisations/southbank-mh/oidc', {
        'oidc-issuer': national,
        'oidc-client-id': 'rpl-sb',
        'oidc-client-secret': 'synthetic-secret-2',
        ...over,
      });
    const noClaim = await form({});
    expect(noClaim.status).toBe(409);
    expect(noClaim.text).toContain('href="#oidc-org-claim"');
    expect(noClaim.text).toContain('capital-police');
    const half = await form({ 'oidc-org-claim': 'org_code' });
    expect(half.status).toBe(400);
    expect(half.text).toContain('href="#oidc-org-code"');
    const taken = await form({ 'oidc-org-claim': 'org_code', 'oidc-org-code': 'XCP01' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('href="#oidc-org-code"');
    expect(taken.text).toContain('value="org_code"'); // nothing typed is lost
    // A disabled organisation: only the operator enables it again, so the page does not offer it.
    await t.db.exec(sql`UPDATE organisations SET disabled_at = '2026-11-30T10:00:00.000Z' WHERE slug = 'northgate-mh'`);
    const disabled = await admin.get('/admin/organisations/northgate-mh');
    expect(disabled.text).toContain('Only the operator of this service can enable');
    expect(disabled.text).not.toContain('/admin/organisations/northgate-mh/enable');
    expect((await admin.post('/admin/organisations/northgate-mh/enable', { reason: 'merger called off' })).status).toBe(403);
    expect((await form({ 'oidc-org-claim': 'org_code', 'oidc-org-code': 'XSB01' })).status).toBe(303);
  });
});

describe('administrator forms sent empty (issue 21)', () => {
  it("say what to enter, in the form's words, and a hand-made post with no fields is a 400, never a 500", async () => {
    const { t } = await world();
    const admin = await signedIn(t, 'demo.admin');
    const agreement = await admin.post('/admin/agreements', {});
    expect(agreement.status).toBe(400);
    expect(agreement.text).toContain('Agreement reference: enter the agreement reference');
    expect(agreement.text).not.toMatch(/Invalid input|Too small|expected string/);
    const org = await admin.post('/admin/organisations/southbank-mh', {});
    expect(org.status).toBe(400);
    expect(org.text).toContain('There is a problem');
    expect((await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { name: undefined } })).status).toBe(400);
  });
});

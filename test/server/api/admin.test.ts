import { describe, expect, it } from 'vitest';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import {
  addOrganisationGoverned,
  changeOrganisationKind,
  enableOrganisation,
  getAgreement,
} from '../../../src/plans/governance/governance.js';
import { addOrganisation } from '../../../src/plans/organisations.js';
import type { Operator } from '../../../src/plans/policy.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, type TestApp, type Who, who } from '../../helpers.js';
import { browser } from '../web/helpers.js';

const northAdmin: Who = { sub: 'admin.n', org: 'northgate-mh', roles: ['admin'] };
const policeAdmin: Who = { sub: 'admin.p', org: 'capital-police', roles: ['admin'] };
const shireAdmin: Who = { sub: 'admin.s', org: 'shire-police', roles: ['admin'] };

/** Proposes an agreement as `by` and has every other party's admin accept it (issue 20: all parties agree). */
async function agreed(
  t: TestApp,
  body: { reference: string; parties: string[]; validFrom: string; validTo: string },
  by: Who,
  others: Who[],
) {
  const r = await t.call(by, 'POST', '/api/v1/admin/agreements', { body });
  if (r.status !== 201) return r;
  for (const w of others) await t.call(w, 'POST', `/api/v1/admin/agreement-proposals/${r.json.proposal.id}/accept`);
  return r;
}

/** The service's operator at the command line (src/cli/governance.ts), as the domain sees it. */
const cliOp: Operator = { via: 'cli', user: 'ops' };
const deps = (t: TestApp) => ({ db: t.db, log: t.accessLog, clock: t.clock });
const governance = async (t: TestApp) => (await t.events()).filter((e) => e.action === 'governance');
async function expectChainClean(t: TestApp) {
  const r = await verifyAuditLog(t.db, loadAuditSigner(t.keysDir)!.publicKeyPem);
  expect(r.ok, JSON.stringify(r.problem)).toBe(true);
}
function expectNamesField(res: { status: number; headers: Headers; json: any }, field: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(res.json.errors.map((e: any) => e.path)).toContain(field);
}

describe('admin API: organisations', () => {
  it('lists, adds and changes organisations; each write is a governance event verify-audit covers', async () => {
    const t = await testApp();
    const list = await t.call(who.admin, 'GET', '/api/v1/admin/organisations');
    expect(list.status).toBe(200);
    expect(list.json.organisations.map((o: any) => o.slug)).toContain('southbank-mh');
    expect(list.json.organisations[0]).toHaveProperty('state', 'active');

    // Organisations are added by the operator (the command line), never an organisation's administrator.
    const added = await addOrganisationGoverned(deps(t), cliOp, { slug: 'valley-ambulance', name: 'Valley Ambulance', kind: 'ambulance' });
    expect(added).toMatchObject({ ok: true, value: { slug: 'valley-ambulance', state: 'active' } });
    expect((await addOrganisationGoverned(deps(t), cliOp, { slug: 'valley-ambulance', name: 'Again', kind: 'ambulance' })).ok).toBe(false);

    const changed = await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', {
      body: { name: 'Southbank NHS Foundation Trust', contact: 'Crisis line 0800 000 0111', reason: 'renamed after merger' },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.organisation).toMatchObject({ name: 'Southbank NHS Foundation Trust', contact: 'Crisis line 0800 000 0111' });

    const events = await governance(t);
    expect(events.map((e) => [e.query!.op, e.outcome])).toEqual([
      ['organisation.add', 'allowed'],
      ['organisation.change', 'allowed'],
    ]);
    expect(events[0]).toMatchObject({ actorSub: 'cli:ops', channel: 'cli' });
    expect(events[1]).toMatchObject({ actorSub: 'admin.a', actorOrg: 'southbank-mh', channel: 'api', reason: 'renamed after merger' });
    expect(events[1]!.query).toMatchObject({
      target: 'southbank-mh',
      orgs: ['southbank-mh'],
      changes: { name: { from: 'Southbank Mental Health Trust', to: 'Southbank NHS Foundation Trust' } },
    });

    // Auditors see governance events by or about their organisation; others' auditors do not.
    const seen = await t.call(who.auditor, 'GET', '/api/v1/audit/events?action=governance');
    // (valley-ambulance's addition by the operator concerns only valley-ambulance.)
    expect(seen.json.events.map((e: any) => e.query.op)).toEqual(['organisation.change']);
    const north = await t.call(
      { sub: 'auditor.n', org: 'northgate-mh', roles: ['auditor'] },
      'GET',
      '/api/v1/audit/events?action=governance',
    );
    expect(north.json.events).toEqual([]);
    await expectChainClean(t);
  });

  it('sets the data-protection contact by PATCH (its own admin only), kept apart from the crisis contact', async () => {
    const t = await testApp();
    const set = await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', {
      body: { dataProtectionContact: 'DPO, Southbank, dpo@southbank.example', reason: 'DPO named' },
    });
    expect(set.status).toBe(200);
    expect(set.json.organisation).toMatchObject({
      dataProtectionContact: 'DPO, Southbank, dpo@southbank.example',
      contact: 'Southbank crisis team, 24/7: 0800 000 0101',
    });
    expect(
      (await t.call(northAdmin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { dataProtectionContact: 'Someone else' } }))
        .status,
    ).toBe(403);
    expectNamesField(
      await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { dataProtectionContact: '' } }),
      'dataProtectionContact',
    );
    const removed = await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { dataProtectionContact: null } });
    expect(removed.json.organisation.dataProtectionContact).toBeNull();
  });

  it("refuses other roles and other organisations' records (logged), and names the bad field", async () => {
    const t = await testApp();
    for (const w of [who.auditor, who.officer]) {
      expect((await t.call(w, 'GET', '/api/v1/admin/organisations')).status).toBe(403);
      expect((await t.call(w, 'GET', '/api/v1/admin/agreements')).status).toBe(403);
      expect((await t.call(w, 'POST', '/api/v1/admin/organisations', { body: { slug: 'x-org', name: 'X', kind: 'police' } })).status).toBe(
        403,
      );
    }
    const other = await t.call(northAdmin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { name: 'Taken over' } });
    expect(other.status).toBe(403);
    expect(
      (await t.call(northAdmin, 'POST', '/api/v1/admin/organisations/southbank-mh/disable', { body: { reason: 'hostile' } })).status,
    ).toBe(403);
    expect((await governance(t)).filter((e) => e.outcome === 'denied').map((e) => e.actorSub)).toEqual([
      'auditor.a',
      'pc.test',
      'admin.n',
      'admin.n',
    ]);
    expect(
      (await t.call(who.admin, 'GET', '/api/v1/admin/organisations')).json.organisations.find((o: any) => o.slug === 'southbank-mh').name,
    ).toBe('Southbank Mental Health Trust');

    expectNamesField(
      await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { issuer: 'not a url' } }),
      'issuer',
    );
    expectNamesField(
      await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { issuer: 'http://idp.example' } }),
      'issuer',
    );
    expectNamesField(await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { name: '' } }), 'name');
    expectNamesField(await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { colour: 'red' } }), '(root)');
    expectNamesField(await t.call(who.admin, 'POST', '/api/v1/admin/organisations/southbank-mh/disable', { body: {} }), 'reason');
    expect((await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/no-such-org', { body: { name: 'N' } })).status).toBe(404);
    await expectChainClean(t);
  });

  it("a disabled organisation's people are refused at once, even with a token already in use", async () => {
    const t = await testApp();
    const token = await t.tokenFor(policeAdmin);
    const call = (url: string, init: RequestInit = {}) =>
      t.app.request(url, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-access-purpose': 'INC-1 test' },
      });
    expect((await call('/api/v1/admin/organisations')).status).toBe(200);
    const disabled = await call('/api/v1/admin/organisations/capital-police/disable', {
      method: 'POST',
      body: JSON.stringify({ reason: 'force merged into another' }),
    });
    expect(disabled.status).toBe(200);
    expect(((await disabled.json()) as any).organisation.state).toBe('disabled');
    expect((await call('/api/v1/admin/organisations')).status).toBe(401);
    expect((await t.call(who.officer, 'GET', '/api/v1/search?q=anyone')).status).toBe(401);
    expect((await governance(t)).at(-1)).toMatchObject({
      outcome: 'allowed',
      reason: 'force merged into another',
      query: { op: 'organisation.disable', target: 'capital-police' },
    });
    // The demo sign-in refuses it too.
    const signIn = await t.app.request('/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' },
      body: 'user=demo.officer',
    });
    expect(signIn.status).toBe(403);
    expect(await signIn.text()).toMatch(/switched off/);
    await expectChainClean(t);
  });
});

describe("admin API: the register's operator-only acts (issue 20)", () => {
  const shireAdmin: Who = { sub: 'admin.shire', org: 'shire-police', roles: ['admin'] };
  const shireOfficer: Who = { sub: 'pc.shire', org: 'shire-police', roles: ['responder'] };

  it("an administrator cannot change its organisation's kind, add an organisation or enable one: 403 operator-only, logged, nothing changed", async () => {
    const t = await testApp();
    const kind = await t.call(shireAdmin, 'PATCH', '/api/v1/admin/organisations/shire-police', {
      body: { kind: 'emergency-department', reason: 'we are an ED now' },
    });
    expect(kind.status).toBe(403);
    expect(kind.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(kind.json.reason).toBe('operator-only');
    // Even alongside a change the admin may make: nothing of it is applied.
    const mixed = await t.call(shireAdmin, 'PATCH', '/api/v1/admin/organisations/shire-police', {
      body: { name: 'Shire ED', kind: 'emergency-department' },
    });
    expect([mixed.status, mixed.json.reason]).toEqual([403, 'operator-only']);
    const add = await t.call(shireAdmin, 'POST', '/api/v1/admin/organisations', {
      body: { slug: 'shire-ed', name: 'Shire ED', kind: 'emergency-department' },
    });
    expect([add.status, add.json.reason]).toEqual([403, 'operator-only']);
    const list = (await t.call(shireAdmin, 'GET', '/api/v1/admin/organisations')).json.organisations;
    expect(list.find((o: any) => o.slug === 'shire-police')).toMatchObject({ kind: 'police', name: 'Shire Constabulary (no agreement)' });
    expect(list.map((o: any) => o.slug)).not.toContain('shire-ed');

    // A disabled organisation is re-admitted by the operator only (its own admins can no longer sign in).
    expect(
      (await t.call(northAdmin, 'POST', '/api/v1/admin/organisations/northgate-mh/disable', { body: { reason: 'trust dissolved' } }))
        .status,
    ).toBe(200);
    const enable = await t.call(who.admin, 'POST', '/api/v1/admin/organisations/northgate-mh/enable', {
      body: { reason: 'merger called off' },
    });
    expect([enable.status, enable.json.reason]).toEqual([403, 'operator-only']);
    expect((await governance(t)).map((e) => [e.query!.op, e.outcome, e.actorSub])).toEqual([
      ['organisation.change', 'denied', 'admin.shire'],
      ['organisation.change', 'denied', 'admin.shire'],
      ['organisation.add', 'denied', 'admin.shire'],
      ['organisation.disable', 'allowed', 'admin.n'],
      ['organisation.enable', 'denied', 'admin.a'],
    ]);
    await expectChainClean(t);
  });

  it('the operator enables a disabled organisation again: its tokens work at once, as a governance event with the reason', async () => {
    const t = await testApp();
    const token = await t.tokenFor(northAdmin);
    const list = () => t.app.request('/api/v1/admin/organisations', { headers: { authorization: `Bearer ${token}` } });
    expect(
      (await t.call(northAdmin, 'POST', '/api/v1/admin/organisations/northgate-mh/disable', { body: { reason: 'trust dissolved' } }))
        .status,
    ).toBe(200);
    expect((await list()).status).toBe(401);
    const r = await enableOrganisation(deps(t), cliOp, 'northgate-mh', { reason: 'merger called off' });
    expect(r).toMatchObject({ ok: true, value: { state: 'active', disabledAt: null } });
    expect((await list()).status).toBe(200);
    expect(await enableOrganisation(deps(t), cliOp, 'northgate-mh', { reason: 'again' })).toMatchObject({ ok: false, code: 'conflict' });
    expect((await governance(t)).at(-1)).toMatchObject({
      outcome: 'allowed',
      actorSub: 'cli:ops',
      reason: 'merger called off',
      query: { op: 'organisation.enable', target: 'northgate-mh', orgs: ['northgate-mh'] },
    });
    await expectChainClean(t);
  });

  it("the operator's change of kind applies at once to a token already verified and to a web session already signed in", async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const token = await t.tokenFor(shireOfficer);
    const emergency = () =>
      t.app.request(`/api/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-2026-0101', 'x-emergency-access': 'collapsed in the street' },
      });
    // Police: no emergency access (and the token is now verified and remembered).
    expect((await emergency()).status).toBe(403);
    // A web session of a police officer with an agreement: the clinical sections are withheld.
    const web = browser(t);
    await web.signIn('demo.officer');
    await web.statePurpose();
    expect((await web.get(`/plans/${planId}`)).text).not.toContain('Recurrent depressive disorder');

    const toAmbulance = await changeOrganisationKind(deps(t), cliOp, 'shire-police', {
      kind: 'ambulance',
      reason: 'mis-registered: this is an ambulance service',
    });
    expect(toAmbulance).toMatchObject({ ok: true, value: { kind: 'ambulance' } });
    const now = await emergency();
    expect(now.status).toBe(200);
    expect(((await now.json()) as any).content.diagnosis).toBeDefined();
    expect(
      (await changeOrganisationKind(deps(t), cliOp, 'capital-police', { kind: 'emergency-department', reason: 'test of sessions' })).ok,
    ).toBe(true);
    expect((await web.get(`/plans/${planId}`)).text).toContain('Recurrent depressive disorder');
    // And back: the session loses them again at once.
    expect((await changeOrganisationKind(deps(t), cliOp, 'capital-police', { kind: 'police', reason: 'undo the test' })).ok).toBe(true);
    expect((await web.get(`/plans/${planId}`)).text).not.toContain('Recurrent depressive disorder');
    expect((await governance(t)).find((e) => e.query!.op === 'organisation.kind')).toMatchObject({
      outcome: 'allowed',
      actorSub: 'cli:ops',
      channel: 'cli',
      reason: 'mis-registered: this is an ambulance service',
      query: { target: 'shire-police', changes: { kind: { from: 'police', to: 'ambulance' } } },
    });
    await expectChainClean(t);
  });
});

describe('admin API: a token issuer shared by several organisations (issue 20)', () => {
  it('needs the claim naming the organisation, each its own value (409 with a reason code, 400 naming the field)', async () => {
    const t = await testApp();
    const national = 'https://idp.national.example';
    const jwks = 'https://idp.national.example/jwks';
    await addOrganisation(
      t.db,
      { slug: 'river-mh', name: 'River MH (synthetic)', kind: 'mental-health', issuer: national, jwks, orgClaim: 'ods', orgCode: 'XRV01' },
      t.clock(),
    );
    const patch = (body: Record<string, unknown>) =>
      t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', {
        body: { issuer: national, jwks, reason: 'national provider', ...body },
      });
    const bare = await patch({});
    expect([bare.status, bare.json.reason]).toEqual([409, 'org-claim-required']);
    expectNamesField(await patch({ orgClaim: 'ods' }), 'orgCode');
    const taken = await patch({ orgClaim: 'ods', orgCode: 'XRV01' });
    expect([taken.status, taken.json.reason]).toEqual([409, 'org-code-taken']);
    const ok = await patch({ orgClaim: 'ods', orgCode: 'XSB01' });
    expect(ok.status).toBe(200);
    expect(ok.json.organisation).toMatchObject({ issuer: national, orgClaim: 'ods', orgCode: 'XSB01' });
  });
});

describe('admin API: agreements', () => {
  async function world() {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    return { t, planId: await planIdOf(t.db, 'SB-000001') };
  }

  it('lists with parties and state, adds, extends, and shows who can see whose plans', async () => {
    const { t } = await world();
    const add = (reference: string, validFrom: string, validTo: string) =>
      agreed(t, { reference, parties: ['southbank-mh', 'shire-police'], validFrom, validTo }, who.admin, [shireAdmin]);
    expect((await add('DSA-OLD', '2020-01-01', '2021-01-01')).status).toBe(201);
    expect((await add('DSA-SOON', '2027-01-01', '2028-01-01')).status).toBe(201);
    expect((await add('DSA-SOON', '2027-01-01', '2028-01-01')).status).toBe(409);
    const list = await t.call(who.admin, 'GET', '/api/v1/admin/agreements');
    expect(list.status).toBe(200);
    expect(list.json.agreements.map((a: any) => [a.reference, a.state])).toEqual([
      ['DSA-DEMO-001', 'in-force'],
      ['DSA-OLD', 'expired'],
      ['DSA-SOON', 'future'],
    ]);
    expect(list.json.agreements[1].parties).toEqual(['shire-police', 'southbank-mh']);
    expect((await t.call(who.admin, 'GET', '/api/v1/admin/agreements?state=future')).json.agreements).toHaveLength(1);

    const before = await t.call(who.admin, 'GET', '/api/v1/admin/agreements/matrix');
    expect(before.json.canSee['shire-police']).toEqual(['shire-police']);
    const extended = await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-OLD/extend', {
      body: { to: '2027-06-30', reason: 'renewed by both boards' },
    });
    expect(extended.status).toBe(201);
    expect(extended.json.proposal).toMatchObject({ validTo: '2027-06-30', state: 'pending', current: { state: 'expired' } });
    expect(
      (await t.call(shireAdmin, 'POST', `/api/v1/admin/agreement-proposals/${extended.json.proposal.id}/accept`)).json.proposal.state,
    ).toBe('accepted');
    const after = await t.call(who.admin, 'GET', '/api/v1/admin/agreements/matrix');
    expect(after.json.canSee['shire-police']).toEqual(['shire-police', 'southbank-mh']);
    expect(after.json.canSee['capital-police']).toContain('southbank-mh');

    expect((await governance(t)).map((e) => [e.query!.op, e.outcome])).toEqual([
      ['agreement.propose', 'allowed'],
      ['agreement.accept', 'allowed'],
      ['agreement.propose', 'allowed'],
      ['agreement.accept', 'allowed'],
      ['agreement.propose-change', 'allowed'],
      ['agreement.accept', 'allowed'],
    ]);
    expect((await governance(t)).at(-2)!.query).toMatchObject({
      changes: { validTo: { from: '2021-01-01', to: '2027-06-30' } },
      orgs: ['shire-police', 'southbank-mh'],
    });
    await expectChainClean(t);
  });

  it('ending an agreement early stops the very next read, with the read cache warm', async () => {
    const { t, planId } = await world();
    for (let i = 0; i < 3; i++) expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
    const ended = await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/end', {
      body: { reason: 'police force withdrew from the scheme' },
    });
    expect(ended.status).toBe(200);
    expect(ended.json.agreement).toMatchObject({ state: 'ended', endReason: 'police force withdrew from the scheme' });
    const refused = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`);
    expect(refused.status).toBe(403);
    expect((await governance(t)).at(-1)).toMatchObject({ outcome: 'allowed', query: { op: 'agreement.end', target: 'DSA-DEMO-001' } });
    expect((await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/end', { body: { reason: 'again' } })).status).toBe(409);
    expect(
      (await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/extend', { body: { to: '2030-01-01', reason: 'undo' } }))
        .status,
    ).toBe(409);
    await expectChainClean(t);
  });

  it('refuses other roles, non-parties and bad input, naming the field', async () => {
    const { t, planId } = await world();
    expect(
      (await t.call(who.auditor, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/end', { body: { reason: 'not mine to end' } })).status,
    ).toBe(403);
    const add = await t.call(who.admin, 'POST', '/api/v1/admin/agreements', {
      body: { reference: 'DSA-X', parties: ['capital-police', 'shire-police'], validFrom: '2026-01-01', validTo: '2027-01-01' },
    });
    expect(add.status).toBe(403);
    await agreed(
      t,
      { reference: 'DSA-P', parties: ['capital-police', 'shire-police'], validFrom: '2026-01-01', validTo: '2027-01-01' },
      policeAdmin,
      [shireAdmin],
    );
    expect((await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-P/end', { body: { reason: 'not a party' } })).status).toBe(403);
    expect((await t.call(who.admin, 'POST', '/api/v1/admin/agreements/NO-SUCH/end', { body: { reason: 'gone' } })).status).toBe(404);
    expectNamesField(await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/end', { body: {} }), 'reason');
    expectNamesField(
      await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/extend', { body: { to: '2020-01-01', reason: 'shorter' } }),
      'to',
    );
    expectNamesField(
      await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/extend', { body: { to: 'soon', reason: 'x y z' } }),
      'to',
    );
    expectNamesField(
      await t.call(who.admin, 'POST', '/api/v1/admin/agreements', {
        body: { reference: 'DSA-Y', parties: ['southbank-mh'], validFrom: '2026-01-01', validTo: '2027-01-01' },
      }),
      'parties',
    );
    expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
    expect((await governance(t)).filter((e) => e.outcome === 'denied').map((e) => e.actorSub)).toEqual(['auditor.a', 'admin.a', 'admin.a']);
    await expectChainClean(t);
  });

  it('changes nothing when its governance event cannot be written', async () => {
    const { t } = await world();
    await t.accessLog.close();
    const r = await t.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/end', { body: { reason: 'log is down' } });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await getAgreement(t.db, 'DSA-DEMO-001', '2026-11-23'))!.endedAt).toBeNull();
  });
});

describe('admin API: governance overview', () => {
  it('per organisation: agreements in force and expiring, plans past review or not co-produced, unreviewed emergency access', async () => {
    const t = await testApp();
    const stale = importRecordFrom(planBody({ externalRef: 'SB-000002', reviewBy: '2026-10-01' }));
    const notCoProduced = importRecordFrom(planBody({ externalRef: 'SB-000003' }));
    notCoProduced.governance = { coProduced: false, lawfulBasis: 'public-task', reviewBy: '2027-04-01' };
    await publishPlans(t.db, [importRecordFrom(planBody()), stale, notCoProduced]);
    await addOrganisation(t.db, { slug: 'valley-ambulance', name: 'Valley Ambulance', kind: 'ambulance' }, t.clock());
    await agreed(
      t,
      { reference: 'DSA-SHORT', parties: ['southbank-mh', 'shire-police'], validFrom: '2026-01-01', validTo: '2026-12-10' },
      who.admin,
      [shireAdmin],
    );
    const planId = await planIdOf(t.db, 'SB-000001');
    const valley: Who = { sub: 'medic.valley', org: 'valley-ambulance', roles: ['responder'] };
    expect((await t.call(valley, 'GET', `/api/v1/plans/${planId}`, { headers: { 'x-emergency-access': 'not breathing' } })).status).toBe(
      200,
    );

    const r = await t.call(who.admin, 'GET', '/api/v1/admin/overview');
    expect(r.status).toBe(200);
    const southbank = r.json.organisations.find((o: any) => o.slug === 'southbank-mh');
    expect(southbank).toMatchObject({
      agreementsInForce: ['DSA-DEMO-001', 'DSA-SHORT'],
      agreementsExpiringWithin30Days: [{ reference: 'DSA-SHORT', validTo: '2026-12-10' }],
      plansPastReviewDate: 1,
      plansWithoutCoProduction: 1,
      unreviewedEmergencyAccesses: 1,
    });
    expect(r.json.organisations.find((o: any) => o.slug === 'shire-police').agreementsInForce).toEqual(['DSA-SHORT']);

    const flag = (await t.call(who.auditor, 'GET', '/api/v1/audit/flags?kind=emergency-access')).json.flags[0];
    await t.call(who.auditor, 'POST', `/api/v1/audit/flags/${flag.id}/review`, {
      body: { outcome: 'appropriate', comment: 'confirmed by CAD' },
    });
    const after = await t.call(who.admin, 'GET', '/api/v1/admin/overview');
    expect(after.json.organisations.find((o: any) => o.slug === 'southbank-mh').unreviewedEmergencyAccesses).toBe(0);
    expect((await t.call(who.auditor, 'GET', '/api/v1/admin/overview')).status).toBe(403);
  });
});

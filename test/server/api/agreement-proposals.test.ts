import { describe, expect, it } from 'vitest';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, type TestApp, type Who, who } from '../../helpers.js';
import { responseChecker } from '../../openapi-check.js';

/** Issue 20 item 1: an agreement binds only those who accepted it. */

const shireAdmin: Who = { sub: 'admin.shire', org: 'shire-police', roles: ['admin'] };
const northAdmin: Who = { sub: 'admin.north', org: 'northgate-mh', roles: ['admin'] };
const southAdmin = who.admin;
const capitalAdmin: Who = { sub: 'admin.capital', org: 'capital-police', roles: ['admin'] };
const ambulanceAdmin: Who = { sub: 'admin.metro', org: 'metro-ambulance', roles: ['admin'] };

const governance = async (t: TestApp) => (await t.events()).filter((e) => e.action === 'governance');
async function expectChainClean(t: TestApp) {
  const r = await verifyAuditLog(t.db, loadAuditSigner(t.keysDir)!.publicKeyPem);
  expect(r.ok, JSON.stringify(r.problem)).toBe(true);
}

async function world() {
  const t = await testApp();
  await publishPlans(t.db, [
    importRecordFrom(planBody({ externalRef: 'SB-000001' })),
    importRecordFrom(planBody({ externalRef: 'NG-000001', familyName: 'Northfield' }), 'northgate-mh'),
  ]);
  return { t, south: await planIdOf(t.db, 'SB-000001'), north: await planIdOf(t.db, 'NG-000001', 'northgate-mh') };
}

const self1 = {
  reference: 'SELF-1',
  parties: ['shire-police', 'northgate-mh', 'southbank-mh'],
  validFrom: '2026-01-01',
  validTo: '2027-12-31',
};
const read = (t: TestApp, planId: string, w: Who = who.outsider) => t.call(w, 'GET', `/api/v1/plans/${planId}`).then((r) => r.status);

describe('agreements are proposals until every party accepts', () => {
  it("the reproduction: one party's admin proposing gives its officers nothing; all parties accepting puts it in force", async () => {
    const { t, south, north } = await world();
    // Warm the read cache with the refusals, so acceptance must invalidate it.
    expect([await read(t, south), await read(t, north)]).toEqual([403, 403]);

    const proposed = await t.call(shireAdmin, 'POST', '/api/v1/admin/agreements', { body: self1 });
    expect(proposed.status).toBe(201);
    expect(proposed.json.proposal).toMatchObject({
      reference: 'SELF-1',
      kind: 'new',
      state: 'pending',
      parties: ['northgate-mh', 'shire-police', 'southbank-mh'],
      proposedBy: { org: 'shire-police', sub: 'admin.shire' },
      awaiting: ['northgate-mh', 'southbank-mh'],
      decisions: [{ org: 'shire-police', decision: 'accepted', by: 'admin.shire', via: 'api' }],
    });
    const id = proposed.json.proposal.id as number;
    expect([await read(t, south), await read(t, north)]).toEqual([403, 403]);
    expect((await t.call(southAdmin, 'GET', '/api/v1/admin/agreements')).json.agreements.map((a: any) => a.reference)).toEqual([
      'DSA-DEMO-001',
    ]);
    const matrix = await t.call(southAdmin, 'GET', '/api/v1/admin/agreements/matrix');
    expect(matrix.json.canSee['shire-police']).toEqual(['shire-police']);

    // What waits, for whom.
    const waiting = await t.call(southAdmin, 'GET', '/api/v1/admin/agreement-proposals');
    expect(waiting.status).toBe(200);
    expect(waiting.json.awaitingYourAcceptance.map((p: any) => p.id)).toEqual([id]);
    expect(waiting.json.proposedByYou).toEqual([]);
    const mine = await t.call(shireAdmin, 'GET', '/api/v1/admin/agreement-proposals');
    expect(mine.json.awaitingYourAcceptance).toEqual([]);
    expect(mine.json.proposedByYou.map((p: any) => p.id)).toEqual([id]);

    // The proposer has answered already (a 409 on the state, not a refusal by policy: not logged as one).
    const again = await t.call(shireAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/accept`);
    expect(again.status).toBe(409);
    expect(again.json.reason).toBe('already-answered');

    const one = await t.call(southAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/accept`);
    expect(one.status).toBe(200);
    expect(one.json.proposal).toMatchObject({ state: 'pending', awaiting: ['northgate-mh'] });
    expect([await read(t, south), await read(t, north)]).toEqual([403, 403]);

    const last = await t.call(northAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/accept`);
    expect(last.status).toBe(200);
    expect(last.json.proposal).toMatchObject({ state: 'accepted', awaiting: [] });
    expect([await read(t, south), await read(t, north)]).toEqual([200, 200]);
    const agreement = (await t.call(southAdmin, 'GET', '/api/v1/admin/agreements')).json.agreements.find(
      (a: any) => a.reference === 'SELF-1',
    );
    expect(agreement).toEqual({
      reference: 'SELF-1',
      parties: ['northgate-mh', 'shire-police', 'southbank-mh'],
      validFrom: '2026-01-01',
      validTo: '2027-12-31',
      state: 'in-force',
      endedAt: null,
      endReason: null,
      createdAt: expect.any(String),
    });

    // Each step a governance event, on the chain.
    expect((await governance(t)).map((e) => [e.query!.op, e.actorOrg, e.outcome, (e.query as any).changes?.inForce])).toEqual([
      ['agreement.propose', 'shire-police', 'allowed', false],
      ['agreement.accept', 'southbank-mh', 'allowed', false],
      ['agreement.accept', 'northgate-mh', 'allowed', true],
    ]);
    expect((await governance(t))[0]!.query).toMatchObject({
      target: 'SELF-1',
      orgs: ['northgate-mh', 'shire-police', 'southbank-mh'],
      changes: { acceptedBy: ['shire-police'] },
    });
    // The northgate auditor sees the proposal and its acceptance: they concern northgate.
    const northAuditor = await t.call(
      { sub: 'auditor.n', org: 'northgate-mh', roles: ['auditor'] },
      'GET',
      '/api/v1/audit/events?action=governance',
    );
    expect(northAuditor.json.events.map((e: any) => e.query.op)).toContain('agreement.propose');
    await expectChainClean(t);
  });

  it('a non-party cannot accept or decline, nor propose for others; a party cannot answer for another', async () => {
    const { t } = await world();
    const id = (
      await t.call(shireAdmin, 'POST', '/api/v1/admin/agreements', { body: { ...self1, parties: ['shire-police', 'southbank-mh'] } })
    ).json.proposal.id;
    for (const path of [`/api/v1/admin/agreement-proposals/${id}/accept`, `/api/v1/admin/agreement-proposals/${id}/decline`]) {
      const r = await t.call(capitalAdmin, 'POST', path, { body: path.endsWith('decline') ? { reason: 'not ours but no' } : undefined });
      expect(r.status).toBe(403);
      expect(r.json.reason).toBe('not-a-party');
    }
    // Not an admin at all.
    expect((await t.call(who.auditor, 'POST', `/api/v1/admin/agreement-proposals/${id}/accept`)).status).toBe(403);
    // Proposing an agreement one is not party to.
    const forOthers = await t.call(capitalAdmin, 'POST', '/api/v1/admin/agreements', {
      body: { ...self1, reference: 'OTHERS-1', parties: ['northgate-mh', 'southbank-mh'] },
    });
    expect(forOthers.status).toBe(403);
    expect(forOthers.json.reason).toBe('not-a-party');
    expect((await t.call(southAdmin, 'GET', `/api/v1/admin/agreement-proposals/${id}`)).json.proposal).toMatchObject({
      state: 'pending',
      awaiting: ['southbank-mh'],
    });
    expect((await t.call(southAdmin, 'GET', '/api/v1/admin/agreement-proposals/99999')).status).toBe(404);
    expect((await t.call(southAdmin, 'POST', '/api/v1/admin/agreement-proposals/abc/accept')).status).toBe(400);
    expect((await governance(t)).filter((e) => e.outcome === 'denied').map((e) => [e.query!.op, e.actorSub])).toEqual([
      ['agreement.accept', 'admin.capital'],
      ['agreement.decline', 'admin.capital'],
      ['agreement.accept', 'auditor.a'],
      ['agreement.propose', 'admin.capital'],
    ]);
    await expectChainClean(t);
  });

  it('a party declines with a reason: the proposal closes and nothing comes into force', async () => {
    const { t, south } = await world();
    const id = (
      await t.call(shireAdmin, 'POST', '/api/v1/admin/agreements', { body: { ...self1, parties: ['shire-police', 'southbank-mh'] } })
    ).json.proposal.id;
    const noReason = await t.call(southAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/decline`, { body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.json.errors.map((e: any) => e.path)).toContain('reason');
    const declined = await t.call(southAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/decline`, {
      body: { reason: 'no signed agreement from our Caldicott Guardian' },
    });
    expect(declined.status).toBe(200);
    expect(declined.json.proposal).toMatchObject({
      state: 'declined',
      outcomeNote: 'no signed agreement from our Caldicott Guardian',
      awaiting: [],
    });
    expect(declined.json.proposal.decisions.map((d: any) => [d.org, d.decision])).toEqual([
      ['shire-police', 'accepted'],
      ['southbank-mh', 'declined'],
    ]);
    const late = await t.call(southAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/accept`);
    expect(late.status).toBe(409);
    expect(late.json.reason).toBe('not-pending');
    expect(await read(t, south)).toBe(403);
    expect((await governance(t)).find((e) => e.query!.op === 'agreement.decline')).toMatchObject({
      outcome: 'allowed',
      actorOrg: 'southbank-mh',
      reason: 'no signed agreement from our Caldicott Guardian',
      query: { op: 'agreement.decline', target: 'SELF-1' },
    });
    // Declined, the reference is free for a new proposal.
    expect(
      (await t.call(shireAdmin, 'POST', '/api/v1/admin/agreements', { body: { ...self1, parties: ['shire-police', 'southbank-mh'] } }))
        .status,
    ).toBe(201);
    expect(
      (await t.call(southAdmin, 'POST', '/api/v1/admin/agreements', { body: { ...self1, parties: ['shire-police', 'southbank-mh'] } })).json
        .reason,
    ).toBe('proposal-pending');
    expect(
      (await t.call(southAdmin, 'POST', '/api/v1/admin/agreements', { body: { ...self1, reference: 'DSA-DEMO-001' } })).json.reason,
    ).toBe('reference-taken');
  });

  it('a change is a proposal too: the agreement in force keeps its terms until every party (added ones included) accepts', async () => {
    const { t, south } = await world();
    const dsa = { reference: 'DSA-SHORT', parties: ['capital-police', 'southbank-mh'], validFrom: '2026-01-01', validTo: '2026-12-10' };
    const id0 = (await t.call(southAdmin, 'POST', '/api/v1/admin/agreements', { body: dsa })).json.proposal.id;
    await t.call(capitalAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id0}/accept`);

    // Extending: a proposal; the old end date holds until the other party accepts.
    const ext = await t.call(southAdmin, 'POST', '/api/v1/admin/agreements/DSA-SHORT/extend', {
      body: { to: '2027-06-30', reason: 'renewed by our board' },
    });
    expect(ext.status).toBe(201);
    expect(ext.json.proposal).toMatchObject({
      kind: 'change',
      validTo: '2027-06-30',
      awaiting: ['capital-police'],
      current: { validTo: '2026-12-10', state: 'in-force' },
    });
    const list = async () =>
      (await t.call(southAdmin, 'GET', '/api/v1/admin/agreements')).json.agreements.find((a: any) => a.reference === 'DSA-SHORT');
    expect((await list()).validTo).toBe('2026-12-10');
    expect(
      (
        await t.call(southAdmin, 'POST', '/api/v1/admin/agreements/DSA-SHORT/changes', {
          body: { validTo: '2028-01-01', reason: 'longer still' },
        })
      ).json.reason,
    ).toBe('proposal-pending');
    await t.call(capitalAdmin, 'POST', `/api/v1/admin/agreement-proposals/${ext.json.proposal.id}/accept`);
    expect((await list()).validTo).toBe('2027-06-30');

    // Adding a party: the added party must accept too; its responders see nothing until then.
    const add = await t.call(capitalAdmin, 'POST', '/api/v1/admin/agreements/DSA-SHORT/changes', {
      body: { parties: ['capital-police', 'southbank-mh', 'shire-police'], reason: 'county force joins' },
    });
    expect(add.status).toBe(201);
    expect(add.json.proposal.awaiting).toEqual(['shire-police', 'southbank-mh']);
    await t.call(southAdmin, 'POST', `/api/v1/admin/agreement-proposals/${add.json.proposal.id}/accept`);
    expect(await read(t, south)).toBe(403);
    expect((await list()).parties).toEqual(['capital-police', 'southbank-mh']);
    await t.call(shireAdmin, 'POST', `/api/v1/admin/agreement-proposals/${add.json.proposal.id}/accept`);
    expect(await read(t, south)).toBe(200);
    expect((await list()).parties).toEqual(['capital-police', 'shire-police', 'southbank-mh']);

    // A party leaves by ending, never by a change that drops it.
    const drop = await t.call(southAdmin, 'POST', '/api/v1/admin/agreements/DSA-SHORT/changes', {
      body: { parties: ['capital-police', 'southbank-mh'], reason: 'drop the county force' },
    });
    expect(drop.status).toBe(400);
    expect(drop.json.reason).toBe('party-removed');
    expect(
      (
        await t.call(southAdmin, 'POST', '/api/v1/admin/agreements/DSA-SHORT/changes', {
          body: { validFrom: '2027-01-01', validTo: '2026-06-01', reason: 'backwards' },
        })
      ).status,
    ).toBe(400);
    expect((await t.call(southAdmin, 'POST', '/api/v1/admin/agreements/DSA-SHORT/changes', { body: { reason: 'nothing' } })).status).toBe(
      400,
    );
    expect(
      (
        await t.call(ambulanceAdmin, 'POST', '/api/v1/admin/agreements/DSA-SHORT/changes', {
          body: { validTo: '2030-01-01', reason: 'not mine' },
        })
      ).status,
    ).toBe(403);
    expect((await governance(t)).filter((e) => e.outcome === 'allowed').map((e) => e.query!.op)).toEqual([
      'agreement.propose',
      'agreement.accept',
      'agreement.propose-change',
      'agreement.accept',
      'agreement.propose-change',
      'agreement.accept',
      'agreement.accept',
    ]);
    expect((await governance(t)).find((e) => e.query!.op === 'agreement.propose-change')).toMatchObject({
      reason: 'renewed by our board',
      query: { changes: { validTo: { from: '2026-12-10', to: '2027-06-30' } } },
    });
    await expectChainClean(t);
  });

  it('a party disabled while the proposal waits keeps it out of force', async () => {
    const { t } = await world();
    const id = (await t.call(southAdmin, 'POST', '/api/v1/admin/agreements', { body: self1 })).json.proposal.id;
    expect((await t.call(shireAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/accept`)).status).toBe(200);
    expect(
      (await t.call(shireAdmin, 'POST', '/api/v1/admin/organisations/shire-police/disable', { body: { reason: 'force merged' } })).status,
    ).toBe(200);
    const last = await t.call(northAdmin, 'POST', `/api/v1/admin/agreement-proposals/${id}/accept`);
    expect(last.status).toBe(409);
    expect(last.json.reason).toBe('disabled-party');
    expect((await t.call(southAdmin, 'GET', '/api/v1/admin/agreements')).json.agreements.map((a: any) => a.reference)).toEqual([
      'DSA-DEMO-001',
    ]);
  });

  it('any one party ends it at once, without the others; a pending change lapses with it', async () => {
    const { t, south } = await world();
    for (let i = 0; i < 3; i++) expect(await read(t, south, who.officer)).toBe(200);
    const ext = await t.call(southAdmin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/extend', {
      body: { to: '2035-01-01', reason: 'a long renewal' },
    });
    expect(ext.status).toBe(201);
    const ended = await t.call(capitalAdmin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/end', {
      body: { reason: 'force leaves the scheme' },
    });
    expect(ended.status).toBe(200);
    expect(ended.json.agreement).toMatchObject({ state: 'ended', endReason: 'force leaves the scheme' });
    expect(await read(t, south, who.officer)).toBe(403);
    const lapsed = await t.call(southAdmin, 'GET', `/api/v1/admin/agreement-proposals/${ext.json.proposal.id}`);
    expect(lapsed.json.proposal).toMatchObject({ state: 'lapsed', outcomeNote: 'the agreement was ended' });
    expect((await t.call(northAdmin, 'POST', `/api/v1/admin/agreement-proposals/${ext.json.proposal.id}/accept`)).json.reason).toBe(
      'not-pending',
    );
    expect((await governance(t)).find((e) => e.query!.op === 'agreement.end')).toMatchObject({
      actorOrg: 'capital-police',
      query: { changes: { lapsedProposal: ext.json.proposal.id } },
    });
  });
});

describe("the agreements' answers are what /openapi.json says (issue 20 item 13)", () => {
  it('lists, proposals, accept, decline, extend, change and end answer the documented shapes, `reference` and all', async () => {
    const { t } = await world();
    const doc = await (await t.app.request('/openapi.json')).json();
    const check = responseChecker(doc);
    const problems: string[] = [];
    const call = async (w: Who, method: string, url: string, route: string, body?: unknown) => {
      const res = await t.call(w, method, url, body === undefined ? {} : { body });
      problems.push(...check(method, route, res));
      return res;
    };
    const agreementSchema = doc.paths['/api/v1/admin/agreements'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(agreementSchema)).not.toMatch(/"ref"/);
    await call(southAdmin, 'GET', '/api/v1/admin/agreements', '/api/v1/admin/agreements');
    const p = await call(shireAdmin, 'POST', '/api/v1/admin/agreements', '/api/v1/admin/agreements', {
      ...self1,
      parties: ['shire-police', 'southbank-mh'],
    });
    await call(southAdmin, 'GET', '/api/v1/admin/agreement-proposals', '/api/v1/admin/agreement-proposals');
    await call(southAdmin, 'GET', `/api/v1/admin/agreement-proposals/${p.json.proposal.id}`, '/api/v1/admin/agreement-proposals/:id');
    await call(
      southAdmin,
      'POST',
      `/api/v1/admin/agreement-proposals/${p.json.proposal.id}/accept`,
      '/api/v1/admin/agreement-proposals/:id/accept',
    );
    const ext = await call(southAdmin, 'POST', '/api/v1/admin/agreements/SELF-1/extend', '/api/v1/admin/agreements/:ref/extend', {
      to: '2029-01-01',
      reason: 'renewal',
    });
    await call(
      shireAdmin,
      'POST',
      `/api/v1/admin/agreement-proposals/${ext.json.proposal.id}/decline`,
      '/api/v1/admin/agreement-proposals/:id/decline',
      { reason: 'too long' },
    );
    await call(shireAdmin, 'POST', '/api/v1/admin/agreements/SELF-1/changes', '/api/v1/admin/agreements/:ref/changes', {
      validTo: '2028-01-01',
      reason: 'a year more',
    });
    await call(capitalAdmin, 'POST', '/api/v1/admin/agreements/SELF-1/changes', '/api/v1/admin/agreements/:ref/changes', {
      validTo: '2028-01-01',
      reason: 'not ours',
    });
    await call(shireAdmin, 'POST', '/api/v1/admin/agreements/SELF-1/end', '/api/v1/admin/agreements/:ref/end', { reason: 'pilot over' });
    const list = await call(southAdmin, 'GET', '/api/v1/admin/agreements', '/api/v1/admin/agreements');
    expect(list.json.agreements.map((a: any) => a.reference)).toEqual(['DSA-DEMO-001', 'SELF-1']);
    expect(problems).toEqual([]);
  });
});

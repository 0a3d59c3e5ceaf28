import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { addDataSharingAgreement, addOrganisation } from '../../src/plans/organisations.js';
import type { Actor } from '../../src/plans/core/actor.js';
import {
  authoriseApproval,
  authoriseBase,
  authoriseOperatorAct,
  authoriseOrganisationChange,
  authoriseWithdrawal,
  consoleActions,
  operatorActs,
  type VersionFacts,
} from '../../src/plans/policy.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, testClock, who } from '../helpers.js';
import { answerChecker } from '../openapi-check.js';

async function withPublishedPlan(clock = testClock()) {
  const t = await testApp({ clock });
  await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-000001' }))]);
  return { t, planId: await planIdOf(t.db, 'SB-000001') };
}

/**
 * A refusal as the API gives it: the status, the problem's code, and why: its `reason` where the service
 * names one, else the detail it gives.
 */
function expectRefused(res: { status: number; json: any }, status: number, code: string, why: { reason?: string; detail?: RegExp }) {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ status, code });
  if (why.reason !== undefined) expect(res.json.reason).toBe(why.reason);
  if (why.detail) expect(res.json.detail).toMatch(why.detail);
}
const noAgreement = { reason: 'no-agreement', detail: /no data-sharing agreement in force between/ };

describe('data-sharing agreements scope every read, per plan', () => {
  it('a responder of a party to an agreement in force sees the plan', async () => {
    const { t, planId } = await withPublishedPlan();
    const documented = await answerChecker(t.app);
    for (const w of [who.officer, who.paramedic, who.nurse]) {
      const res = await t.call(w, 'GET', `/api/v1/plans/${planId}`);
      expect(res.status).toBe(200);
      expect(documented('GET', `/api/v1/plans/${planId}`, res)).toEqual([]);
    }
  });

  it('an organisation that is not a party is refused, with the reason', async () => {
    const { t, planId } = await withPublishedPlan();
    const res = await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`);
    expectRefused(res, 403, 'forbidden', { reason: 'no-agreement' });
    expect((await answerChecker(t.app))('GET', `/api/v1/plans/${planId}`, res)).toEqual([]);
    // People read the refusal: it names both organisations (the access log keeps their slugs).
    expect(res.json.detail).toMatch(/Shire Constabulary \(no agreement\) and Southbank Mental Health Trust/);
  });

  it('an expired agreement no longer gives access, nor does one not yet in force', async () => {
    const clock = testClock();
    const { t, planId } = await withPublishedPlan(clock);
    const year = clock().getUTCFullYear();
    clock.set(`${year + 3}-01-02T09:00:00Z`); // demo agreement ends 31 Dec of year+2
    expectRefused(await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', noAgreement);
    await addDataSharingAgreement(
      t.db,
      { reference: 'DSA-FUTURE', parties: ['shire-police', 'southbank-mh'], validFrom: `${year + 4}-01-01`, validTo: `${year + 5}-01-01` },
      clock(),
    );
    expectRefused(await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', noAgreement);
    clock.set(`${year + 4}-06-01T09:00:00Z`);
    expect((await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
  });

  it('an agreement between other parties does not open this plan', async () => {
    const { t, planId } = await withPublishedPlan();
    await addDataSharingAgreement(
      t.db,
      { reference: 'DSA-OTHER', parties: ['shire-police', 'northgate-mh'], validFrom: '2026-01-01', validTo: '2027-12-31' },
      t.clock(),
    );
    expectRefused(await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', noAgreement);
  });

  it("auditors, admins and other trusts' authors get no plan content", async () => {
    const { t, planId } = await withPublishedPlan();
    for (const w of [who.auditor, who.admin]) {
      expectRefused(await t.call(w, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', {
        detail: /^your role does not give access to plan content$/,
      });
    }
    expectRefused(await t.call(who.otherTrustAuthor, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', {
      detail: /^authors and approvers may only read their own organisation's plans$/,
    });
    expect((await t.call(who.author, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
  });

  it("finds a plan by the owning organisation's own reference, with the same checks", async () => {
    const { t, planId } = await withPublishedPlan();
    const own = await t.call(who.author, 'GET', '/api/v1/plans?externalRef=SB-000001');
    expect(own.json.planId).toBe(planId);
    const officer = await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-000001&org=southbank-mh');
    expect(officer.json.planId).toBe(planId);
    // No agreement: the same 404 as an unknown reference (test/input-hygiene.test.ts), so refs cannot be probed.
    const unknown = await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-999999&org=southbank-mh');
    expectRefused(unknown, 404, 'not_found', { detail: /^no such plan$/ });
    const noAgreementRef = await t.call(who.outsider, 'GET', '/api/v1/plans?externalRef=SB-000001&org=southbank-mh');
    expect(noAgreementRef.json).toEqual({ ...unknown.json, instance: noAgreementRef.json.instance });
    expectRefused(await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-000001'), 404, 'not_found', { detail: /^no such plan$/ }); // not capital-police's ref
    expectRefused(await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-000001&bogus=1'), 400, 'invalid', {
      detail: /Unrecognized key: "bogus"/,
    });
  });
});

describe('section audience', () => {
  it('police do not see diagnosis or capacity; health responders do', async () => {
    const { t, planId } = await withPublishedPlan();
    const police = (await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).json;
    expect(police.content.diagnosis).toBeUndefined();
    expect(police.content.capacity).toBeUndefined();
    expect(police.withheldSections.sort()).toEqual(['capacity', 'diagnosis']);
    expect(JSON.stringify(police)).not.toContain('Recurrent depressive disorder');
    for (const w of [who.paramedic, who.nurse]) {
      const health = (await t.call(w, 'GET', `/api/v1/plans/${planId}`)).json;
      expect(health.content.diagnosis.text).toBe('Recurrent depressive disorder');
      expect(health.withheldSections).toEqual([]);
    }
  });

  it('nominated people who did not consent to contact are shown only to the care team', async () => {
    const { t, planId } = await withPublishedPlan();
    const officer = (await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).json;
    expect(officer.content.nominatedPeople.map((p: any) => p.name)).toEqual(['Sister (synthetic)']);
    const careTeam = (await t.call(who.author, 'GET', `/api/v1/plans/${planId}`)).json;
    expect(careTeam.content.nominatedPeople).toHaveLength(2);
  });

  it('says a plan is advice, never an order', async () => {
    const { t, planId } = await withPublishedPlan();
    expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).json.notice).toMatch(/advice, not an instruction/);
  });
});

describe("identity: tokens are verified against each organisation's own issuer", () => {
  async function withOrgIssuer() {
    const { t, planId } = await withPublishedPlan();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
    await addOrganisation(
      t.db,
      { slug: 'river-police', name: 'River Police (synthetic)', kind: 'police', issuer: 'https://idp.river-police.example', jwks },
      t.clock(),
    );
    await addDataSharingAgreement(
      t.db,
      { reference: 'DSA-RIVER', parties: ['river-police', 'southbank-mh'], validFrom: '2026-01-01', validTo: '2027-12-31' },
      t.clock(),
    );
    const sign = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: number } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(opts.iss ?? 'https://idp.river-police.example')
        .setAudience(opts.aud ?? 'response-plans')
        .setSubject('pc.river')
        .setIssuedAt(Math.floor(t.clock().getTime() / 1000))
        .setExpirationTime(opts.exp ?? Math.floor(t.clock().getTime() / 1000) + 600)
        .sign(privateKey);
    const get = async (token: string) => {
      const res = await t.app.request(`/api/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-9' },
      });
      return { status: res.status, headers: res.headers, json: (await res.json()) as any };
    };
    return { t, sign, get };
  }

  it("accepts a token from the organisation's own identity provider", async () => {
    const { sign, get } = await withOrgIssuer();
    expect((await get(await sign({ org: 'river-police', roles: ['responder'] }))).status).toBe(200);
  });

  it('refuses a token that claims another organisation, wrong audience, expiry, tampering, or no role', async () => {
    const { t, sign, get } = await withOrgIssuer();
    const now = Math.floor(t.clock().getTime() / 1000);
    expectRefused(await get(await sign({ org: 'capital-police', roles: ['responder'] })), 401, 'unauthenticated', {
      detail: /^tokens for capital-police must come from its own identity provider$/,
    });
    expectRefused(await get(await sign({ org: 'river-police', roles: ['responder'] }, { aud: 'other-app' })), 401, 'unauthenticated', {
      detail: /"aud" claim/,
    });
    expectRefused(await get(await sign({ org: 'river-police', roles: ['responder'] }, { exp: now - 120 })), 401, 'unauthenticated', {
      detail: /"exp" claim/,
    });
    const good = await sign({ org: 'river-police', roles: ['responder'] });
    const [h, p, s] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['approver'] })).toString(
      'base64url',
    );
    expectRefused(await get(`${h}.${forged}.${s}`), 401, 'unauthenticated', { detail: /signature verification failed/ });
    expectRefused(await get(await sign({ org: 'river-police', roles: ['superuser'] })), 403, 'forbidden', {
      detail: /^the token grants no role in this service$/,
    });
    const none = await get('not-a-jwt');
    expectRefused(none, 401, 'unauthenticated', { detail: /^the bearer token is not a JWT$/ });
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
  });

  it('the development issuer cannot sign for anyone when it is off', async () => {
    const { t, get } = await withOrgIssuer();
    const { createApp } = await import('../../src/server/app.js');
    const { silentLogger } = await import('../../src/logger.js');
    const prodLike = createApp({ db: t.db, clock: t.clock, logger: silentLogger(), publicBaseUrl: 'http://x' });
    const devToken = await t.tokenFor(who.officer);
    expect((await get(devToken)).status).toBe(200); // the test app has it on
    const planId = await planIdOf(t.db, 'SB-000001');
    const res = await prodLike.request(`/api/v1/plans/${planId}`, {
      headers: { authorization: `Bearer ${devToken}`, 'x-access-purpose': 'INC-9' },
    });
    expectRefused({ status: res.status, json: await res.json() }, 401, 'unauthenticated', {
      detail: /^tokens for capital-police must come from its own identity provider$/,
    });
  });
});

describe("the register: the operator's acts (issue 20)", () => {
  it('adding an organisation, changing a kind and enabling again are for the command line only, never an administrator', () => {
    const ownAdmin = {
      via: 'api' as const,
      actor: { sub: 'admin.p', org: 'shire-police', orgKind: 'police' as const, roles: ['admin' as const] },
    };
    for (const act of operatorActs) {
      expect(authoriseOperatorAct({ via: 'cli', user: 'ops' }, act)).toEqual({ ok: true, value: true });
      expect(authoriseOperatorAct(ownAdmin, act)).toMatchObject({ ok: false, code: 'forbidden', extra: { reason: 'operator-only' } });
      expect(authoriseOperatorAct({ ...ownAdmin, via: 'web' }, act)).toMatchObject({ ok: false, extra: { reason: 'operator-only' } });
    }
    // The rest of its own record stays the administrator's.
    expect(authoriseOrganisationChange(ownAdmin, 'shire-police').ok).toBe(true);
  });
});

describe('the publishing workflow: four-eyes, stale base, who withdraws, and what the console offers', () => {
  const mh = (w: { sub: string; org: string; roles: Actor['roles'] }): Actor => ({ ...w, orgKind: 'mental-health' });
  const [author, approver, authorApprover, otherApprover] = [
    mh(who.author),
    mh(who.approver),
    mh(who.authorApprover),
    mh(who.otherTrustApprover),
  ];
  const plan = { owningOrg: 'southbank-mh', currentVersionId: 7 };
  const version = (v: Partial<VersionFacts> = {}): VersionFacts => ({ status: 'in-review', authors: [author.sub], baseVersionId: 7, ...v });

  it('four-eyes: no one approves a version they wrote or edited, whatever roles they hold', () => {
    expect(authoriseApproval(approver, plan, version())).toEqual({ ok: true, value: true });
    expect(authoriseApproval(authorApprover, plan, version({ authors: [author.sub, authorApprover.sub] }))).toMatchObject({
      ok: false,
      code: 'forbidden',
      extra: { reason: 'four-eyes' },
    });
    // Not an approver, or another trust's: refused before four-eyes is asked.
    expect(authoriseApproval(author, plan, version({ authors: ['someone.else'] }))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(authoriseApproval(otherApprover, plan, version())).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('stale base: a version written from a version responders no longer see is not approved', () => {
    expect(authoriseBase(plan, { baseVersionId: 7 }).ok).toBe(true);
    expect(authoriseBase(plan, { baseVersionId: 6 })).toMatchObject({ ok: false, code: 'conflict', extra: { reason: 'stale-base' } });
    // Withdrawn since (nothing published now), and a first version while something was published meanwhile.
    expect(authoriseBase({ ...plan, currentVersionId: null }, { baseVersionId: 7 })).toMatchObject({ extra: { reason: 'stale-base' } });
    expect(authoriseBase(plan, { baseVersionId: null })).toMatchObject({ extra: { reason: 'stale-base' } });
    expect(authoriseBase({ ...plan, currentVersionId: null }, { baseVersionId: null }).ok).toBe(true);
    expect(authoriseApproval(approver, plan, version({ baseVersionId: 6 }))).toMatchObject({
      ok: false,
      code: 'conflict',
      extra: { reason: 'stale-base' },
    });
  });

  it('who withdraws: the published version only an approver; an open version its authors or approvers', () => {
    expect(authoriseWithdrawal(approver, 'southbank-mh', 'published').ok).toBe(true);
    expect(authoriseWithdrawal(author, 'southbank-mh', 'published')).toMatchObject({
      ok: false,
      code: 'forbidden',
      extra: { reason: 'approver-withdraws' },
    });
    for (const status of ['draft', 'in-review', undefined] as const) {
      expect(authoriseWithdrawal(author, 'southbank-mh', status).ok).toBe(true);
      expect(authoriseWithdrawal(approver, 'southbank-mh', status).ok).toBe(true);
    }
    // Another trust's approver is refused as not theirs, not told this is an approver's act.
    for (const status of ['published', 'draft'] as const) {
      const refused = authoriseWithdrawal(otherApprover, 'southbank-mh', status);
      expect(refused).toMatchObject({ ok: false, code: 'forbidden' });
      expect(!refused.ok && refused.extra?.reason).toBeFalsy();
    }
  });

  it('the console offers only what these rules and the workflow allow', () => {
    const draft = version({ status: 'draft' });
    expect(consoleActions(author, plan, draft)).toEqual({
      edit: true,
      submit: true,
      startDraft: false,
      review: false,
      withdraw: false,
      cards: true,
    });
    expect(consoleActions(approver, plan, draft)).toEqual({
      edit: false,
      submit: false,
      startDraft: false,
      review: false,
      withdraw: true,
      cards: false,
    });
    expect(consoleActions(approver, plan, version())).toMatchObject({ review: true, withdraw: true });
    expect(consoleActions(author, plan, version({ status: 'published' }))).toMatchObject({
      startDraft: true,
      edit: false,
      withdraw: false,
    });
    // Nothing published yet: no new draft from it, no cards, nothing to withdraw.
    expect(
      consoleActions(authorApprover, { ...plan, currentVersionId: null }, version({ status: 'withdrawn', baseVersionId: null })),
    ).toEqual({
      edit: false,
      submit: false,
      startDraft: false,
      review: false,
      withdraw: false,
      cards: false,
    });
    // Another trust's staff are offered nothing.
    expect(Object.values(consoleActions(otherApprover, plan, version())).some(Boolean)).toBe(false);
  });
});

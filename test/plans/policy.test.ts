import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { addDataSharingAgreement, addOrganisation } from '../../src/plans/organisations.js';
import { authoriseOperatorAct, authoriseOrganisationChange, operatorActs } from '../../src/plans/policy.js';
import { planViewResponse, problemResponse } from '../../src/server/responses.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, testClock, who } from '../helpers.js';

async function withPublishedPlan(clock = testClock()) {
  const t = await testApp({ clock });
  publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-000001' }))]);
  return { t, planId: planIdOf(t.db, 'SB-000001') };
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
    for (const w of [who.officer, who.paramedic, who.nurse]) {
      const res = await t.call(w, 'GET', `/api/v1/plans/${planId}`);
      expect(res.status).toBe(200);
      planViewResponse.parse(res.json);
    }
  });

  it('an organisation that is not a party is refused, with the reason', async () => {
    const { t, planId } = await withPublishedPlan();
    const res = await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`);
    expectRefused(res, 403, 'forbidden', { reason: 'no-agreement' });
    expect(problemResponse.parse(res.json).detail).toMatch(/no data-sharing agreement in force between Shire Constabulary \(no agreement\) and Southbank Mental Health Trust/);
  });

  it('an expired agreement no longer gives access, nor does one not yet in force', async () => {
    const clock = testClock();
    const { t, planId } = await withPublishedPlan(clock);
    const year = clock().getUTCFullYear();
    clock.set(`${year + 3}-01-02T09:00:00Z`); // demo agreement ends 31 Dec of year+2
    expectRefused(await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', noAgreement);
    addDataSharingAgreement(t.db, { reference: 'DSA-FUTURE', parties: ['shire-police', 'southbank-mh'], validFrom: `${year + 4}-01-01`, validTo: `${year + 5}-01-01` }, clock());
    expectRefused(await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', noAgreement);
    clock.set(`${year + 4}-06-01T09:00:00Z`);
    expect((await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
  });

  it('an agreement between other parties does not open this plan', async () => {
    const { t, planId } = await withPublishedPlan();
    addDataSharingAgreement(t.db, { reference: 'DSA-OTHER', parties: ['shire-police', 'northgate-mh'], validFrom: '2026-01-01', validTo: '2027-12-31' }, t.clock());
    expectRefused(await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', noAgreement);
  });

  it('auditors, admins and other trusts\' authors get no plan content', async () => {
    const { t, planId } = await withPublishedPlan();
    for (const w of [who.auditor, who.admin]) {
      expectRefused(await t.call(w, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', { detail: /^your role does not give access to plan content$/ });
    }
    expectRefused(await t.call(who.otherTrustAuthor, 'GET', `/api/v1/plans/${planId}`), 403, 'forbidden', {
      detail: /^authors and approvers may only read their own organisation's plans$/,
    });
    expect((await t.call(who.author, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
  });

  it('finds a plan by the owning organisation\'s own reference, with the same checks', async () => {
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
    expectRefused(await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-000001&bogus=1'), 400, 'invalid', { detail: /Unrecognized key: "bogus"/ });
  });
});

describe('section audience', () => {
  it('police do not see diagnosis or capacity; health responders do', async () => {
    const { t, planId } = await withPublishedPlan();
    const police = planViewResponse.parse((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).json);
    expect(police.content.diagnosis).toBeUndefined();
    expect(police.content.capacity).toBeUndefined();
    expect(police.withheldSections.sort()).toEqual(['capacity', 'diagnosis']);
    expect(JSON.stringify(police)).not.toContain('Recurrent depressive disorder');
    for (const w of [who.paramedic, who.nurse]) {
      const health = planViewResponse.parse((await t.call(w, 'GET', `/api/v1/plans/${planId}`)).json);
      expect(health.content.diagnosis?.text).toBe('Recurrent depressive disorder');
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

describe('identity: tokens are verified against each organisation\'s own issuer', () => {
  async function withOrgIssuer() {
    const { t, planId } = await withPublishedPlan();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
    addOrganisation(t.db, { slug: 'river-police', name: 'River Police (synthetic)', kind: 'police', issuer: 'https://idp.river-police.example', jwks }, t.clock());
    addDataSharingAgreement(t.db, { reference: 'DSA-RIVER', parties: ['river-police', 'southbank-mh'], validFrom: '2026-01-01', validTo: '2027-12-31' }, t.clock());
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
      const res = await t.app.request(`/api/v1/plans/${planId}`, { headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-9' } });
      return { status: res.status, headers: res.headers, json: (await res.json()) as any };
    };
    return { t, sign, get };
  }

  it('accepts a token from the organisation\'s own identity provider', async () => {
    const { sign, get } = await withOrgIssuer();
    expect((await get(await sign({ org: 'river-police', roles: ['responder'] }))).status).toBe(200);
  });

  it('refuses a token that claims another organisation, wrong audience, expiry, tampering, or no role', async () => {
    const { t, sign, get } = await withOrgIssuer();
    const now = Math.floor(t.clock().getTime() / 1000);
    expectRefused(await get(await sign({ org: 'capital-police', roles: ['responder'] })), 401, 'unauthenticated', { detail: /^tokens for capital-police must come from its own identity provider$/ });
    expectRefused(await get(await sign({ org: 'river-police', roles: ['responder'] }, { aud: 'other-app' })), 401, 'unauthenticated', { detail: /"aud" claim/ });
    expectRefused(await get(await sign({ org: 'river-police', roles: ['responder'] }, { exp: now - 120 })), 401, 'unauthenticated', { detail: /"exp" claim/ });
    const good = await sign({ org: 'river-police', roles: ['responder'] });
    const [h, p, s] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['approver'] })).toString('base64url');
    expectRefused(await get(`${h}.${forged}.${s}`), 401, 'unauthenticated', { detail: /signature verification failed/ });
    expectRefused(await get(await sign({ org: 'river-police', roles: ['superuser'] })), 403, 'forbidden', { detail: /^the token grants no role in this service$/ });
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
    const planId = planIdOf(t.db, 'SB-000001');
    const res = await prodLike.request(`/api/v1/plans/${planId}`, { headers: { authorization: `Bearer ${devToken}`, 'x-access-purpose': 'INC-9' } });
    expectRefused({ status: res.status, json: await res.json() }, 401, 'unauthenticated', { detail: /^tokens for capital-police must come from its own identity provider$/ });
  });
});

describe("the register: the operator's acts (issue 20)", () => {
  it('adding an organisation, changing a kind and enabling again are for the command line only, never an administrator', () => {
    const ownAdmin = { via: 'api' as const, actor: { sub: 'admin.p', org: 'shire-police', orgKind: 'police' as const, roles: ['admin' as const] } };
    for (const act of operatorActs) {
      expect(authoriseOperatorAct({ via: 'cli', user: 'ops' }, act)).toEqual({ ok: true, value: true });
      expect(authoriseOperatorAct(ownAdmin, act)).toMatchObject({ ok: false, code: 'forbidden', extra: { reason: 'operator-only' } });
      expect(authoriseOperatorAct({ ...ownAdmin, via: 'web' }, act)).toMatchObject({ ok: false, extra: { reason: 'operator-only' } });
    }
    // The rest of its own record stays the administrator's.
    expect(authoriseOrganisationChange(ownAdmin, 'shire-police').ok).toBe(true);
  });
});

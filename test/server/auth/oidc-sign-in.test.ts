import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { configureOidc, getOidcConfig, oidcConfigInputSchema, sealClientSecret, setOidcEnabled } from '../../../src/plans/oidc-config.js';
import { ORG_CLAIM, orgCodes, setUp } from './oidc-app.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, who } from '../../helpers.js';
import { httpClient, signInOverHttp } from './oidc-helpers.js';

const noSecrets = (events: unknown[], ...secrets: string[]) => {
  const text = JSON.stringify(events);
  for (const s of secrets) expect(text).not.toContain(s);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWTs
};

describe("sign-in through the organisation's OpenID provider", () => {
  it('lists the organisations with a provider, remembers the last one, and lands where the person started', async () => {
    const { appUrl, signIns, sessionRows, clientSecret } = await setUp();
    const list = await httpClient().get(`${appUrl}/sign-in`);
    expect(list.text).toContain('href="/sign-in/capital-police"');
    const start = '/?q=Synthetic&dob=1990';
    const { client, landed } = await signInOverHttp(appUrl, 'capital-police', 'pc.oidc', { returnTo: start });
    // The purpose prompt still follows sign-in, then back to the search.
    expect(new URL(landed.url).pathname).toBe('/purpose');
    expect(new URL(landed.url).searchParams.get('return')).toBe(start);
    expect(await sessionRows()).toEqual([{ actor_sub: 'pc.oidc', actor_org: 'capital-police', actor_roles: '["responder"]' }]);
    // One tap next time: the last organisation is offered first.
    const again = await client.get(`${appUrl}/sign-in`);
    expect(again.text).toContain('id="sign-in-last" href="/sign-in/capital-police"');
    const events = await signIns();
    expect(events.map((e) => [e.actorOrg, e.actorSub, e.outcome, e.reason])).toEqual([
      ['capital-police', 'pc.oidc', 'allowed', 'signed-in'],
    ]);
    noSecrets(events, clientSecret);
  });

  it('refuses a wrong, replayed or unbound state, and a replayed code', async () => {
    const { appUrl, signIns, sessionRows } = await setUp();
    const client = httpClient();
    const toLogin = await client.follow('GET', `${appUrl}/sign-in/capital-police`);
    const action = /action="([^"]+)"/.exec(toLogin.text)![1]!;
    const atCallback = await client.follow('POST', new URL(action, toLogin.url).toString(), { user: 'pc.oidc' }, (u) =>
      u.includes('/auth/callback'),
    );
    const callbackUrl = new URL(atCallback.location!);
    const wrong = new URL(callbackUrl);
    wrong.searchParams.set('state', 'not-the-state');
    expect((await client.get(wrong.toString())).status).toBe(400);
    // Another browser presenting this browser's callback (no binding cookie) is refused and uses it up.
    const other = httpClient();
    const stolen = await other.get(callbackUrl.toString());
    expect(stolen.status).toBe(400);
    expect(stolen.text).toContain('expired or was already used');
    expect((await client.get(callbackUrl.toString())).status).toBe(400); // replayed state
    expect(await sessionRows()).toEqual([]);

    // A replayed code with a fresh state: the provider refuses it.
    const fresh = await client.follow('GET', `${appUrl}/sign-in/capital-police`, undefined, (u) => u.includes('/auth/callback'));
    const freshCb = new URL(fresh.location!);
    freshCb.searchParams.set('code', callbackUrl.searchParams.get('code')!);
    expect((await client.get(freshCb.toString())).status).toBe(400);
    expect(await sessionRows()).toEqual([]);
    // The replayed state found no sign-in under way: like any made-up callback it is counted into this
    // client's summary for the window (sign-in-flood.test.ts), not written as an event of its own.
    expect((await signIns()).map((e) => e.reason)).toEqual(['bad-state', 'bad-state', 'code-rejected']);
  });

  it('refuses a subject it could not record faithfully (markup, bidi controls, newlines, over 200 characters), with a page that says why', async () => {
    const odd = ['<b>pc</b>', 'pc.\u202Eevil', 'pc.one\nSigned in: pc.two', `pc.${'x'.repeat(5000)}`];
    const { appUrl, signIns, sessionRows } = await setUp({ extraUsers: odd.map((sub) => ({ sub, groups: ['ops-responders'] })) });
    for (const sub of odd) {
      const { landed } = await signInOverHttp(appUrl, 'capital-police', sub);
      expect(landed.status, sub.slice(0, 20)).toBe(403);
      expect(landed.text).toContain('account name this service cannot record safely');
    }
    expect(await sessionRows()).toEqual([]);
    const events = await signIns();
    expect(events.map((e) => [e.outcome, e.reason])).toEqual(odd.map(() => ['denied', 'sub-invalid']));
    // The refused subject is not repeated into the log.
    expect(events.every((e) => e.actorSub === '' || e.actorSub === null)).toBe(true);
  });

  it('a card scanned before sign-in: its token is not kept readable while the person signs in, and the scan completes after', async () => {
    const { t, appUrl, signIns } = await setUp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, planBody().externalRef);
    const issued = await t.call(who.author, 'POST', `/api/v1/plans/${planId}/cards`, { body: {}, purpose: null });
    expect(issued.status).toBe(201);
    const token = new URL((issued.json as { url: string }).url).pathname.slice('/q/'.length);
    const client = httpClient();
    const scan = await client.get(`${appUrl}/q/${token}`);
    const toSignIn = new URL(scan.location!);
    expect(toSignIn.pathname).toBe('/sign-in');
    const returnTo = toSignIn.searchParams.get('return')!;
    expect(returnTo).toBe(`/q/${token}`);
    const toLogin = await client.follow('GET', `${appUrl}/sign-in/capital-police?return=${encodeURIComponent(returnTo)}`);
    const rows = await t.db.many(sql`SELECT * FROM pending_sign_ins`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain('/q/');

    const action = /<form method="post" action="([^"]+)">/.exec(toLogin.text)![1]!;
    const landed = await client.follow('POST', new URL(action, toLogin.url).toString(), { user: 'pc.oidc' });
    expect(new URL(landed.url).pathname).toBe('/purpose');
    expect(new URL(landed.url).searchParams.get('return')).toBe(`/q/${token}`);
    const plan = await client.follow('POST', `${appUrl}/purpose`, { purpose: 'INC-2026-0042 concern for welfare', return: `/q/${token}` });
    expect(new URL(plan.url).pathname).toBe(`/plans/${planId}`);
    expect(plan.status).toBe(200);
    await signIns();
    const scanned = (await t.events()).filter((e) => e.action === 'qr-scan' && e.outcome === 'allowed');
    expect(scanned.map((e) => [e.channel, e.planId])).toEqual([['qr', planId]]);
  });

  it('refuses an ID token whose nonce does not match the one this sign-in sent', async () => {
    const { t, appUrl, signIns, sessionRows } = await setUp();
    const client = httpClient();
    const toLogin = await client.follow('GET', `${appUrl}/sign-in/capital-police`);
    // As if the token had been minted for another sign-in: the stored nonce no longer matches it.
    await t.db.exec(sql`UPDATE pending_sign_ins SET nonce = 'some-other-nonce'`);
    const action = /action="([^"]+)"/.exec(toLogin.text)![1]!;
    const landed = await client.follow('POST', new URL(action, toLogin.url).toString(), { user: 'pc.oidc' });
    expect(landed.status).toBe(400);
    expect(await sessionRows()).toEqual([]);
    expect((await signIns()).map((e) => e.reason)).toEqual(['token-invalid']);
  });

  it('never lets a provider speak for another organisation, and refuses a person with no mapped role with a page that says why', async () => {
    const { appUrl, signIns, sessionRows } = await setUp();
    const rogue = await signInOverHttp(appUrl, 'capital-police', 'pc.rogue');
    expect(rogue.landed.status).toBe(403);
    const noRole = await signInOverHttp(appUrl, 'capital-police', 'pc.norole');
    expect(noRole.landed.status).toBe(403);
    expect(noRole.landed.text).toContain('has not given it a role in this service');
    expect(await sessionRows()).toEqual([]);
    expect((await signIns()).map((e) => [e.actorOrg, e.actorSub, e.reason])).toEqual([
      ['capital-police', 'pc.rogue', 'org-mismatch'],
      ['capital-police', 'pc.norole', 'no-role'],
    ]);
  });

  it('refuses sign-in for a disabled organisation, and records it', async () => {
    const { t, appUrl, signIns } = await setUp();
    await setOidcEnabled(t.db, 'capital-police', false, t.clock());
    const res = await httpClient().get(`${appUrl}/sign-in/capital-police`);
    expect(res.status).toBe(403);
    expect(res.text).toContain('switched off');
    expect((await httpClient().get(`${appUrl}/sign-in`)).text).not.toContain('/sign-in/capital-police');
    expect((await signIns()).map((e) => [e.actorOrg, e.outcome, e.reason])).toEqual([['capital-police', 'denied', 'org-disabled']]);
  });

  it('an idle session goes back through sign-in to where the person was, typed card code included', async () => {
    const { t, appUrl } = await setUp({ sessionIdleMinutes: 30 });
    const { client } = await signInOverHttp(appUrl, 'capital-police', 'pc.oidc');
    expect((await client.request('POST', `${appUrl}/purpose`, { purpose: 'INC-2026-0042 welfare', return: '/' })).status).toBe(303);
    const search = '/?q=Synthetic';
    t.clock.set(new Date(t.clock().getTime() + 20 * 60_000).toISOString());
    expect((await client.get(`${appUrl}${search}`)).status).toBe(200); // still active
    t.clock.set(new Date(t.clock().getTime() + 31 * 60_000).toISOString());
    const idle = await client.get(`${appUrl}${search}`);
    expect(idle.status).toBe(303);
    expect(idle.location).toBe(`${appUrl}/sign-in?return=${encodeURIComponent(search)}&ended=idle`);
    expect((await client.get(idle.location!)).text).toContain('without using the service');
    const back = await signInOverHttp(appUrl, 'capital-police', 'pc.oidc', { client, returnTo: search });
    expect(new URL(back.landed.url).searchParams.get('return')).toBe(search);

    // A typed card code posted after the session went idle comes back filled in.
    t.clock.set(new Date(t.clock().getTime() + 31 * 60_000).toISOString());
    const typed = await client.request('POST', `${appUrl}/code`, { code: 'K7M2-9QXD-4RW' });
    expect(typed.location).toBe(`${appUrl}/sign-in?return=${encodeURIComponent('/code?code=K7M2-9QXD-4RW')}&ended=idle`);
  });

  it('a session ends at its maximum lifetime even while in use', async () => {
    const { t, appUrl } = await setUp({ sessionMaxHours: 1 });
    const { client } = await signInOverHttp(appUrl, 'capital-police', 'pc.oidc');
    for (let i = 0; i < 3; i++) {
      t.clock.set(new Date(t.clock().getTime() + 19 * 60_000).toISOString());
      const res = await client.get(`${appUrl}/purpose`);
      expect(res.status, `${i} ${res.location}`).toBe(200);
    }
    t.clock.set(new Date(t.clock().getTime() + 4 * 60_000).toISOString());
    const ended = await client.get(`${appUrl}/purpose`);
    expect(ended.location).toContain('ended=expired');
  });

  it("sign-out ends the session here and sends the browser to end the provider's session too", async () => {
    const { appUrl, provider, signIns, sessionRows } = await setUp();
    const { client } = await signInOverHttp(appUrl, 'capital-police', 'pc.oidc');
    const cookie = client.jars.get(new URL(appUrl).host)!.get('rp_session')!;
    const out = await client.request('POST', `${appUrl}/sign-out`, {});
    expect(out.status).toBe(303);
    // Not straight to the provider (a form's redirect is held to CSP form-action 'self'): to a page of ours first.
    expect(new URL(out.location!).origin + new URL(out.location!).pathname).toBe(`${appUrl}/signed-out`);
    expect(await sessionRows()).toEqual([]);
    const onward = await client.get(out.location!);
    expect(onward.status).toBe(200);
    const link = /id="continue-sign-out" href="([^"]+)"/.exec(onward.text)![1]!.replaceAll('&amp;', '&');
    const logout = new URL(link);
    expect(logout.origin).toBe(provider.issuer);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${appUrl}/signed-out`);
    expect(logout.searchParams.get('id_token_hint')).toBeTruthy();
    // The onward address is single use: the page again (or anyone's guess) is only "you have signed out".
    const again = await client.get(out.location!);
    expect(again.text).toContain('You have signed out');
    expect(again.text).not.toContain('continue-sign-out');
    // The old cookie opens nothing.
    const replay = httpClient();
    replay.jars.set(new URL(appUrl).host, new Map([['rp_session', cookie]]));
    expect((await replay.get(`${appUrl}/purpose`)).status).toBe(303);
    expect((await signIns()).map((e) => [e.action, e.reason])).toEqual([
      ['sign-in', 'signed-in'],
      ['sign-out', 'signed-out'],
    ]);
  });
});

describe('one OpenID provider serving several organisations (issue 20; NHS CIS2 is one national issuer)', () => {
  /** Reconfigures an organisation on the test provider, keeping what setUp gave it unless overridden. */
  const reconfigure = async (
    t: Awaited<ReturnType<typeof setUp>>['t'],
    org: 'capital-police' | 'southbank-mh',
    over: Record<string, unknown>,
  ) => {
    const c = (await getOidcConfig(t.db, org))!;
    const roleMap = Object.entries(c.roleMap)
      .map(([k, r]) => `${k}=${r}`)
      .join(',');
    return configureOidc(
      t.db,
      oidcConfigInputSchema.parse({
        org,
        issuer: c.issuer,
        clientId: c.clientId,
        rolesClaim: c.rolesClaim,
        roleMap,
        orgClaim: c.orgClaim ?? undefined,
        orgCode: c.orgCode ?? undefined,
        ...over,
      }),
      c.clientSecret!,
      t.clock(),
    );
  };

  it('a person who picks another organisation on the same provider is refused (org-mismatch), and signs in to their own', async () => {
    const { t, appUrl, signIns, sessionRows } = await setUp({ southbank: true });
    // Role codes are national (as CIS2's are): capital-police's map knows the IG lead's code too.
    expect((await reconfigure(t, 'capital-police', { roleMap: 'ops-responders=responder,sb-ig=auditor' })).ok).toBe(true);
    const picked = await signInOverHttp(appUrl, 'capital-police', 'sb.auditor');
    expect(picked.landed.status).toBe(403);
    expect(picked.landed.text).toContain('belongs to a different organisation');
    expect(await sessionRows()).toEqual([]);
    await signInOverHttp(appUrl, 'southbank-mh', 'sb.auditor');
    expect(await sessionRows()).toEqual([{ actor_sub: 'sb.auditor', actor_org: 'southbank-mh', actor_roles: '["auditor"]' }]);
    expect((await signIns()).map((e) => [e.actorOrg, e.actorSub, e.outcome, e.reason])).toEqual([
      ['capital-police', 'sb.auditor', 'denied', 'org-mismatch'],
      ['southbank-mh', 'sb.auditor', 'allowed', 'signed-in'],
    ]);
  });

  it('a shared provider set up before the claim was required signs nobody in (org-unvouched), and cannot be set up so now', async () => {
    const { t, appUrl, signIns, sessionRows } = await setUp({ southbank: true });
    await t.db.exec(sql`UPDATE organisation_oidc SET org_claim = NULL, org_code = NULL`);
    const r = await signInOverHttp(appUrl, 'southbank-mh', 'sb.auditor');
    expect(r.landed.status).toBe(403);
    expect(await sessionRows()).toEqual([]);
    expect((await signIns()).map((e) => [e.actorOrg, e.outcome, e.reason])).toEqual([['southbank-mh', 'denied', 'org-unvouched']]);

    // Each can be put right on its own, never without the claim; a value already taken is refused.
    expect(await reconfigure(t, 'southbank-mh', {})).toMatchObject({
      ok: false,
      code: 'conflict',
      extra: { reason: 'org-claim-required' },
    });
    expect((await reconfigure(t, 'capital-police', { orgClaim: ORG_CLAIM, orgCode: orgCodes['capital-police'] })).ok).toBe(true);
    expect(await reconfigure(t, 'southbank-mh', { orgClaim: ORG_CLAIM, orgCode: orgCodes['capital-police'] })).toMatchObject({
      ok: false,
      extra: { reason: 'org-code-taken' },
    });
    expect((await reconfigure(t, 'southbank-mh', { orgClaim: ORG_CLAIM, orgCode: orgCodes['southbank-mh'] })).ok).toBe(true);
    await signInOverHttp(appUrl, 'southbank-mh', 'sb.auditor');
    expect(await sessionRows()).toEqual([{ actor_sub: 'sb.auditor', actor_org: 'southbank-mh', actor_roles: '["auditor"]' }]);
  });

  it('an organisation cannot join a provider others use without the claim, which would make their sign-ins ambiguous', async () => {
    const { t } = await setUp({ southbank: true });
    await t.db.exec(sql`UPDATE organisation_oidc SET org_claim = NULL, org_code = NULL WHERE org_slug = 'capital-police'`);
    await t.db.exec(sql`DELETE FROM organisation_oidc WHERE org_slug = 'southbank-mh'`);
    const c = (await getOidcConfig(t.db, 'capital-police'))!;
    const join = (orgClaim?: string, orgCode?: string) =>
      configureOidc(
        t.db,
        oidcConfigInputSchema.parse({ org: 'southbank-mh', issuer: `${c.issuer}/`, clientId: 'rpl-southbank', orgClaim, orgCode }),
        sealClientSecret(t.secrets, 'southbank-mh', 'synthetic-secret'),
        t.clock(),
      );
    expect(await join()).toMatchObject({ ok: false, extra: { reason: 'org-claim-required' } });
    expect(await join(ORG_CLAIM, orgCodes['southbank-mh'])).toMatchObject({ ok: false, extra: { reason: 'org-claim-required' } });
    expect(await getOidcConfig(t.db, 'southbank-mh')).toBeUndefined();
  });
});

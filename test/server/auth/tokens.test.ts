import { sql } from 'drizzle-orm';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { createAuthenticator } from '../../../src/server/auth/authenticator.js';
import { DEV_ISSUER, TOKEN_AUDIENCE } from '../../../src/server/auth/dev-issuer.js';
import { testApp, type TestApp } from '../../helpers.js';

const ISS = 'https://idp.river-police.example';

async function key(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}
type Key = Awaited<ReturnType<typeof key>>;

const nowS = (t: TestApp) => Math.floor(t.clock().getTime() / 1000);

function orgTokenFrom(t: TestApp, k: Key, life = { iat: 0, exp: 600 }, iss = ISS) {
  return new SignJWT({ org: 'river-police', roles: ['responder'] })
    .setProtectedHeader({ alg: 'ES256', kid: k.kid })
    .setIssuer(iss)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject('pc.river')
    .setIssuedAt(nowS(t) + life.iat)
    .setExpirationTime(nowS(t) + life.exp)
    .sign(k.privateKey);
}

const orgToken = (t: TestApp, k: Key) => orgTokenFrom(t, k);

async function devToken(t: TestApp, claims: Record<string, unknown>) {
  const jwk = JSON.parse(fs.readFileSync(path.join(t.dir, 'keys', 'dev-issuer.jwk.json'), 'utf8')) as JWK;
  const k = (await importJWK(jwk, 'EdDSA')) as CryptoKey;
  return new SignJWT({ iss: DEV_ISSUER, aud: TOKEN_AUDIENCE, sub: 'pc.test', org: 'capital-police', roles: ['responder'], ...claims })
    .setProtectedHeader({ alg: 'EdDSA' })
    .sign(k);
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/**
 * River Police registered with its key set at `server` (started on loopback, closed after the test): plain
 * http, allowed for a key set only beside a plain-http issuer on the same loopback host. Its token maker.
 */
async function riverPoliceServedBy(t: TestApp, server: http.Server) {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const iss = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const added = await addOrganisation(
    t.db,
    { slug: 'river-police', name: 'River Police (synthetic)', kind: 'police', issuer: iss, jwks: `${iss}/jwks` },
    t.clock(),
  );
  expect(added.ok).toBe(true);
  return (tt: TestApp, k: Key) => orgTokenFrom(tt, k, undefined, iss);
}

describe('tokens: exp required, bounded lifetime', () => {
  it('a token without exp is a 401', async () => {
    const t = await testApp();
    const token = await devToken(t, { iat: nowS(t) });
    const res = await t.app.request('/api/v1/search?q=x', { headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-1' } });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/exp/);
  });

  it('a token living longer than the maximum (default 12 h) is a 401, by exp − iat (exp − now without iat)', async () => {
    const t = await testApp();
    const auth = createAuthenticator(t.db, t.devIssuer, t.clock);
    const now = nowS(t);
    expect((await auth.verify(await devToken(t, { iat: now, exp: now + 12 * 3600 }))).ok).toBe(true);
    expect(await auth.verify(await devToken(t, { iat: now, exp: now + 12 * 3600 + 60 }))).toMatchObject({
      ok: false,
      code: 'unauthenticated',
    });
    // An iat dated in the future does not stretch the time left past the maximum.
    expect((await auth.verify(await devToken(t, { iat: now + 6 * 3600, exp: now + 18 * 3600 }))).ok).toBe(false);
    // Back-dated iat: it has lived long already, even if it expires soon.
    expect((await auth.verify(await devToken(t, { iat: now - 13 * 3600, exp: now + 600 }))).ok).toBe(false);
    // No iat at all: judged by how long it has left.
    expect((await auth.verify(await devToken(t, { exp: now + 13 * 3600 }))).ok).toBe(false);
    const strict = createAuthenticator(t.db, t.devIssuer, t.clock, { maxTokenHours: 1 });
    expect((await strict.verify(await devToken(t, { iat: now, exp: now + 2 * 3600 }))).ok).toBe(false);
  });
});

describe('tokens: the verified-token cache never outlives the token or its key set', () => {
  it('a cached token expires with its exp', async () => {
    const t = await testApp();
    const auth = createAuthenticator(t.db, t.devIssuer, t.clock);
    const token = await devToken(t, { iat: nowS(t), exp: nowS(t) + 120 });
    expect((await auth.verify(token)).ok).toBe(true);
    t.clock.set(new Date(t.clock().getTime() + 200_000).toISOString());
    expect((await auth.verify(token)).ok).toBe(false);
  });

  it('inline key set replaced: a token signed by the removed key stops working at once', async () => {
    const t = await testApp();
    const [k1, k2] = [await key('k1'), await key('k2')];
    expect(
      (
        await addOrganisation(
          t.db,
          { slug: 'river-police', name: 'River Police (synthetic)', kind: 'police', issuer: ISS, jwks: JSON.stringify({ keys: [k1.jwk] }) },
          t.clock(),
        )
      ).ok,
    ).toBe(true);
    const auth = createAuthenticator(t.db, t.devIssuer, t.clock);
    const old = await orgToken(t, k1);
    expect((await auth.verify(old)).ok).toBe(true);
    await t.db.exec(sql`UPDATE organisations SET jwks = ${JSON.stringify({ keys: [k2.jwk] })} WHERE slug = 'river-police'`);
    expect(await auth.verify(old)).toMatchObject({ ok: false, code: 'unauthenticated' });
    expect((await auth.verify(await orgToken(t, k2))).ok).toBe(true);
  });

  it('remote JWKS: an unknown kid refetches the set, but not more often than the cooldown', async () => {
    const t = await testApp();
    const [k1, k2, k3] = [await key('k1'), await key('k2'), await key('k3')];
    let served: object[] = [k1.jwk];
    let fetches = 0;
    const server = http.createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: served }));
    });
    const orgToken = await riverPoliceServedBy(t, server);
    const auth = createAuthenticator(t.db, t.devIssuer, t.clock, { jwksCooldownMs: 400 });
    expect((await auth.verify(await orgToken(t, k1))).ok).toBe(true);
    expect(fetches).toBe(1);
    served = [k1.jwk, k2.jwk];
    const rotated = await orgToken(t, k2);
    // Within the cooldown an unknown kid is refused without asking the identity provider again.
    expect((await auth.verify(rotated)).ok).toBe(false);
    expect(fetches).toBe(1);
    await new Promise((r) => setTimeout(r, 450));
    expect((await auth.verify(rotated)).ok).toBe(true);
    expect(fetches).toBe(2);
    expect((await auth.verify(await orgToken(t, k3))).ok).toBe(false);
    expect(fetches).toBe(2);
  });

  it('remote JWKS: verified tokens are trusted no longer than the key set max age', async () => {
    const t = await testApp();
    const k1 = await key('k1');
    let fetches = 0;
    const server = http.createServer((_req, res) => {
      fetches += 1;
      res.end(JSON.stringify({ keys: [k1.jwk] }));
    });
    const orgToken = await riverPoliceServedBy(t, server);
    const auth = createAuthenticator(t.db, t.devIssuer, t.clock, { jwksMaxAgeMs: 300 });
    const token = await orgToken(t, k1);
    expect((await auth.verify(token)).ok).toBe(true);
    expect((await auth.verify(token)).ok).toBe(true);
    expect(fetches).toBe(1); // the cache answered
    await new Promise((r) => setTimeout(r, 350));
    t.clock.set(new Date(t.clock().getTime() + 1_000).toISOString());
    expect((await auth.verify(token)).ok).toBe(true);
    expect(fetches).toBe(2); // re-verified against a refetched key set
  });
});

describe('tokens: one issuer serving several organisations (issue 20)', () => {
  const SHARED = 'https://idp.national.example';
  function sharedToken(t: TestApp, k: Key, claims: Record<string, unknown>) {
    return new SignJWT({ roles: ['auditor'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: k.kid })
      .setIssuer(SHARED)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject('ig.person')
      .setIssuedAt(nowS(t))
      .setExpirationTime(nowS(t) + 600)
      .sign(k.privateKey);
  }
  async function twoOrgsOneIssuer() {
    const t = await testApp();
    const k = await key('national');
    // The key set inline, as the register keeps it (never a file path).
    const river = {
      slug: 'river-mh',
      name: 'River Mental Health (synthetic)',
      kind: 'mental-health',
      issuer: SHARED,
      jwks: JSON.stringify({ keys: [k.jwk] }),
      orgClaim: 'ods',
      orgCode: 'XRV01',
    } as const;
    const lake = { ...river, slug: 'lake-mh', name: 'Lake Mental Health (synthetic)', orgCode: 'XLK01' };
    expect((await addOrganisation(t.db, river, t.clock())).ok).toBe(true);
    expect((await addOrganisation(t.db, lake, t.clock())).ok).toBe(true);
    return { t, k, auth: createAuthenticator(t.db, t.devIssuer, t.clock) };
  }

  it("a token naming an organisation is accepted only when the organisation's configured claim vouches for it", async () => {
    const { t, k, auth } = await twoOrgsOneIssuer();
    expect(await auth.verify(await sharedToken(t, k, { org: 'river-mh', ods: 'XRV01' }))).toMatchObject({
      ok: true,
      value: { org: 'river-mh' },
    });
    // The person is at lake-mh; a token saying river-mh with lake's code (or none) is refused.
    const other = await auth.verify(await sharedToken(t, k, { org: 'river-mh', ods: 'XLK01' }));
    expect(other).toMatchObject({ ok: false, code: 'unauthenticated', extra: { reason: 'org-mismatch' } });
    expect(await auth.verify(await sharedToken(t, k, { org: 'river-mh' }))).toMatchObject({ ok: false, code: 'unauthenticated' });
  });

  it('with the claim missing from the register (configured before it was required), a shared issuer speaks for nobody', async () => {
    const { t, k } = await twoOrgsOneIssuer();
    await t.db.exec(sql`UPDATE organisations SET org_claim = NULL, org_code = NULL`);
    const auth = createAuthenticator(t.db, t.devIssuer, t.clock);
    const r = await auth.verify(await sharedToken(t, k, { org: 'river-mh', ods: 'XRV01' }));
    expect(r).toMatchObject({ ok: false, code: 'unauthenticated', extra: { reason: 'org-unvouched' } });
  });
});

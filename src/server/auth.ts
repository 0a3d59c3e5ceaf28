import fs from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Db } from '../../db/index.js';
import { roles as knownRoles, type Actor, type Role } from '../plans/actor.js';
import { listOrganisations, type Organisation } from '../plans/organisations.js';
import { fail, ok, type Result } from '../plans/result.js';
import { TOKEN_AUDIENCE, type DevIssuer } from './dev-issuer.js';

/**
 * Verifies bearer JWTs. Each organisation names the issuer that speaks for it; a token from that issuer
 * may only claim that organisation (one force's identity provider cannot mint a token for another).
 * The development issuer, when on, may sign for any organisation.
 */
export function createAuthenticator(db: Db, devIssuer: DevIssuer | undefined, clock: () => Date) {
  const keySets = new Map<string, JWTVerifyGetKey>();
  // Verified tokens are remembered until they expire: the hot path should not pay for a signature check
  // on every request from the same terminal.
  const verified = new Map<string, { actor: Actor; exp: number; dev: boolean }>();
  let orgsBySlug = new Map<string, Organisation>();
  let orgsLoadedAt = 0;
  // An organisation gaining an identity provider (from any process) must end development tokens for it
  // at once: the read-cache epoch moves with every change to organisations (migration 0006).
  const epoch = db.$client.prepare<[], number>('SELECT n FROM read_cache_epoch WHERE id = 1').pluck();
  let orgsEpoch = -1;

  function organisations(): Map<string, Organisation> {
    const now = clock().getTime();
    const n = epoch.get()!;
    if (now - orgsLoadedAt > 5_000 || n !== orgsEpoch) {
      orgsBySlug = new Map(listOrganisations(db).map((o) => [o.slug, o]));
      orgsLoadedAt = now;
      orgsEpoch = n;
    }
    return orgsBySlug;
  }
  /** The development issuer speaks only for organisations that have no identity provider of their own. */
  const devMaySignFor = (slug: string) => !organisations().get(slug)?.issuer;

  function keySetFor(org: Organisation): JWTVerifyGetKey {
    const cacheKey = `${org.issuer}|${org.jwks}`;
    let set = keySets.get(cacheKey);
    if (!set) {
      set = /^https?:\/\//.test(org.jwks!)
        ? createRemoteJWKSet(new URL(org.jwks!))
        : createLocalJWKSet(JSON.parse(fs.readFileSync(org.jwks!, 'utf8')));
      keySets.set(cacheKey, set);
    }
    return set;
  }

  function rolesOf(payload: JWTPayload): Role[] {
    const raw = Array.isArray(payload.roles) ? payload.roles : typeof payload.role === 'string' ? [payload.role] : [];
    return raw.filter((r): r is Role => typeof r === 'string' && (knownRoles as readonly string[]).includes(r));
  }

  async function verifyUncached(token: string): Promise<Result<Actor>> {
    let claimed: JWTPayload;
    try {
      claimed = decodeJwt(token);
    } catch {
      return fail('unauthenticated', 'the bearer token is not a JWT');
    }
    const orgSlug = typeof claimed.org === 'string' ? claimed.org : undefined;
    const org = orgSlug ? organisations().get(orgSlug) : undefined;
    if (!org) return fail('unauthenticated', 'the token names no known organisation');
    const options = { audience: TOKEN_AUDIENCE, currentDate: clock(), clockTolerance: 30 };
    let payload: JWTPayload;
    try {
      if (devIssuer && claimed.iss === devIssuer.issuer && !org.issuer) {
        ({ payload } = await jwtVerify(token, devIssuer.publicKey, { ...options, issuer: devIssuer.issuer }));
      } else if (org.issuer && org.jwks && claimed.iss === org.issuer) {
        ({ payload } = await jwtVerify(token, keySetFor(org), { ...options, issuer: org.issuer }));
      } else {
        return fail('unauthenticated', `tokens for ${org.slug} must come from its own identity provider`);
      }
    } catch (e) {
      return fail('unauthenticated', `the token was rejected: ${(e as Error).message}`);
    }
    if (!payload.sub) return fail('unauthenticated', 'the token has no subject');
    const roles = rolesOf(payload);
    if (roles.length === 0) return fail('forbidden', 'the token grants no role in this service');
    return ok({ sub: payload.sub, org: org.slug, orgKind: org.kind, roles });
  }

  return {
    async verify(token: string): Promise<Result<Actor>> {
      const now = clock().getTime() / 1000;
      const hit = verified.get(token);
      if (hit && hit.exp > now && (!hit.dev || devMaySignFor(hit.actor.org))) return ok(hit.actor);
      const result = await verifyUncached(token);
      if (result.ok) {
        if (verified.size > 10_000) verified.clear();
        const claims = decodeJwt(token);
        verified.set(token, { actor: result.value, exp: claims.exp ?? now + 60, dev: !!devIssuer && claims.iss === devIssuer.issuer });
      }
      return result;
    },
    devMaySignFor,
    issuersConfigured: () => [...organisations().values()].some((o) => o.issuer !== null),
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Db } from '../../../db/index.js';
import { roles as knownRoles, subjectSchema, type Actor, type Role } from '../../plans/core/actor.js';
import { listOrganisations, oidcOrganisations, type Organisation } from '../../plans/organisations.js';
import { createReadCache } from '../../plans/versions/read-cache.js';
import { fail, ok, type Result } from '../../plans/core/result.js';
import { TOKEN_AUDIENCE, type DevIssuer } from './dev-issuer.js';

/**
 * The claims this service uses, as it will use them: whatever an identity provider sends ends up quoted
 * in the access log, so a claim of an unexpected type or shape is a refused token, never a logged oddity.
 */
const claimsSchema = z.object({
  sub: subjectSchema,
  roles: z.array(z.string().max(50)).max(20).optional(),
  role: z.string().max(50).optional(),
});

/** A verified token as remembered: until when, and by which version of which key set. */
type Verified = { actor: Actor; until: number; keys: string; iss: unknown };

export type AuthenticatorOptions = {
  /** Longest token lifetime accepted, exp − iat (exp − now without iat): TOKEN_MAX_HOURS, default 12. */
  maxTokenHours?: number;
  /** Remote JWKS: least time between refetches on an unknown `kid` (default 30 s). */
  jwksCooldownMs?: number;
  /** Remote JWKS: refetched when older than this; also the longest a verified token is trusted (5 min). */
  jwksMaxAgeMs?: number;
  /** Local JWKS files: how often their content is re-read (default 5 s, on the service clock). */
  localJwksRecheckMs?: number;
};

/**
 * Verifies bearer JWTs. Each organisation names the issuer that speaks for it; a token from that issuer
 * may only claim that organisation (one force's identity provider cannot mint a token for another).
 * The development issuer, when on, may sign for any organisation.
 */
export function createAuthenticator(db: Db, devIssuer: DevIssuer | undefined, clock: () => Date, opts: AuthenticatorOptions = {}) {
  const maxLifetime = (opts.maxTokenHours ?? 12) * 3600;
  const jwksMaxAgeMs = opts.jwksMaxAgeMs ?? 300_000;
  const localRecheckMs = opts.localJwksRecheckMs ?? 5_000;
  const keySets = new Map<string, JWTVerifyGetKey>();
  // Verified tokens are remembered, but never past their exp, nor past a change of the key set that
  // verified them (the entry carries the key set's version), nor, for a remote set, past its max age.
  const verified = new Map<string, Verified>();
  const localVersions = new Map<string, { version: string; checkedAt: number }>();
  let orgsBySlug = new Map<string, Organisation>();
  let orgsLoadedAt = 0;

  // An organisation disabled by an administrator must stop at once, even for tokens already verified:
  // the read cache's epoch moves with any change to organisations, from this process or another.
  const orgCache = createReadCache(db.$client);
  const orgsSeen = orgCache.map<'epoch', true>(1);
  /** Organisations that sign in through their own OpenID provider (organisation_oidc), reloaded with the rest. */
  let withOidc = new Set<string>();
  function organisations(): Map<string, Organisation> {
    const now = clock().getTime();
    orgCache.validate();
    if (now - orgsLoadedAt > 5_000 || !orgsSeen.has('epoch')) {
      orgsSeen.set('epoch', true);
      orgsBySlug = new Map(listOrganisations(db).map((o) => [o.slug, o]));
      withOidc = new Set(oidcOrganisations(db));
      orgsLoadedAt = now;
    }
    return orgsBySlug;
  }

  /**
   * The development issuer speaks only for organisations with no identity provider of their own (neither a
   * bearer-token issuer nor an OpenID provider for sign-in). The cache above follows the read-cache epoch,
   * so a provider configured from any process takes effect on the next request.
   */
  function devMaySignFor(slug: string): boolean {
    const org = organisations().get(slug);
    return !!org && !org.issuer && !withOidc.has(slug);
  }

  const isRemote = (jwks: string) => /^https?:\/\//.test(jwks);

  /** A local JWKS file's content hash, re-read at most every localRecheckMs. */
  function localVersion(file: string): string {
    const now = clock().getTime();
    const known = localVersions.get(file);
    if (known && now - known.checkedAt < localRecheckMs) return known.version;
    let version: string;
    try {
      version = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    } catch {
      version = 'unreadable';
    }
    localVersions.set(file, { version, checkedAt: now });
    return version;
  }

  /** Which key set, in which version, verifies tokens from `iss` for this organisation now. */
  function keysVersion(org: Organisation | undefined, iss: unknown): string | undefined {
    if (!org) return undefined;
    // Checked on cached tokens too: an organisation gaining a provider ends its development tokens at once.
    if (devIssuer && iss === devIssuer.issuer) return devMaySignFor(org.slug) ? 'dev' : undefined;
    if (!org.issuer || !org.jwks || iss !== org.issuer) return undefined;
    return `${org.issuer}|${org.jwks}|${isRemote(org.jwks) ? 'remote' : localVersion(org.jwks)}`;
  }

  function keySetFor(org: Organisation, version: string): JWTVerifyGetKey {
    let set = keySets.get(version);
    if (!set) {
      // A new version replaces the organisation's old set rather than piling up beside it.
      for (const k of keySets.keys()) if (k.startsWith(`${org.issuer}|${org.jwks}|`)) keySets.delete(k);
      set = isRemote(org.jwks!)
        ? createRemoteJWKSet(new URL(org.jwks!), { cooldownDuration: opts.jwksCooldownMs ?? 30_000, cacheMaxAge: jwksMaxAgeMs })
        : createLocalJWKSet(JSON.parse(fs.readFileSync(org.jwks!, 'utf8')));
      keySets.set(version, set);
    }
    return set;
  }

  function rolesOf(claims: z.infer<typeof claimsSchema>): Role[] {
    const raw = claims.roles ?? (claims.role !== undefined ? [claims.role] : []);
    return raw.filter((r): r is Role => (knownRoles as readonly string[]).includes(r));
  }

  async function verifyUncached(token: string): Promise<Result<Verified>> {
    let claimed: JWTPayload;
    try {
      claimed = decodeJwt(token);
    } catch {
      return fail('unauthenticated', 'the bearer token is not a JWT');
    }
    const orgSlug = typeof claimed.org === 'string' ? claimed.org : undefined;
    const org = orgSlug ? organisations().get(orgSlug) : undefined;
    if (!org) return fail('unauthenticated', 'the token names no known organisation');
    if (org.disabledAt) return fail('unauthenticated', `${org.slug} has been disabled in this service`);
    const now = clock();
    const options = { audience: TOKEN_AUDIENCE, currentDate: now, clockTolerance: 30, requiredClaims: ['exp'] };
    const keys = keysVersion(org, claimed.iss);
    if (!keys) return fail('unauthenticated', `tokens for ${org.slug} must come from its own identity provider`);
    let payload: JWTPayload;
    try {
      ({ payload } = keys === 'dev'
        ? await jwtVerify(token, devIssuer!.publicKey, { ...options, issuer: devIssuer!.issuer })
        : await jwtVerify(token, keySetFor(org, keys), { ...options, issuer: org.issuer! }));
    } catch (e) {
      return fail('unauthenticated', `the token was rejected: ${(e as Error).message}`);
    }
    // A long-lived token is a stolen-token risk: refused however well signed (exp is required above).
    // Measured from iat (jose checked it is a number) and from now, whichever is longer: a back-dated iat
    // has lived long already, and an iat dated in the future must not stretch what is left.
    const nowS = now.getTime() / 1000;
    const exp = payload.exp!;
    if (exp - Math.min(payload.iat ?? nowS, nowS) > maxLifetime) {
      return fail('unauthenticated', `the token lives longer than the ${maxLifetime / 3600} h this service accepts`);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const bad = [...new Set(claims.error.issues.map((i) => String(i.path[0] ?? 'claims')))].join(', ');
      return fail('unauthenticated', `the token's claims are not usable: ${bad}`);
    }
    const roles = rolesOf(claims.data);
    if (roles.length === 0) return fail('forbidden', 'the token grants no role in this service');
    const until = keys.endsWith('|remote') ? Math.min(exp, nowS + jwksMaxAgeMs / 1000) : exp;
    return ok({ actor: { sub: claims.data.sub, org: org.slug, orgKind: org.kind, roles }, until, keys, iss: payload.iss });
  }

  function disabledCheck(actor: Actor): Result<Actor> {
    if (organisations().get(actor.org)?.disabledAt) return fail('unauthenticated', `${actor.org} has been disabled in this service`);
    return ok(actor);
  }

  return {
    async verify(token: string): Promise<Result<Actor>> {
      const now = clock().getTime() / 1000;
      const hit = verified.get(token);
      if (hit && hit.until > now && hit.keys === keysVersion(organisations().get(hit.actor.org), hit.iss)) return disabledCheck(hit.actor);
      if (hit) verified.delete(token);
      const result = await verifyUncached(token);
      if (!result.ok) return result;
      if (verified.size > 10_000) verified.clear();
      verified.set(token, result.value);
      return ok(result.value.actor);
    },
    devMaySignFor,
    /**
     * Whether a web session may go on: its organisation not disabled, and a development sign-in only while
     * the development issuer may still speak for that organisation (the same rules as a bearer token).
     */
    sessionMayContinue(actor: Actor, method: 'dev' | 'oidc'): boolean {
      const org = organisations().get(actor.org);
      if (!org || org.disabledAt) return false;
      return method !== 'dev' || (!!devIssuer && devMaySignFor(actor.org));
    },
    issuersConfigured: () => [...organisations().values()].some((o) => o.issuer !== null),
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;

import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Db } from '../../../db/index.js';
import { roles as knownRoles, subjectSchema, type Actor, type Role } from '../../plans/core/actor.js';
import { listOrganisations, oidcOrganisations, type Organisation } from '../../plans/organisations.js';
import { issuerUses, orgVouched, type IssuerUse } from '../../plans/oidc-config.js';
import { createReadCache } from '../../plans/versions/read-cache.js';
import { fail, ok, type Result } from '../../plans/core/result.js';
import { jwksSource, MAX_JWKS_BYTES } from '../../plans/jwks.js';
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
  /** Remote JWKS: longest wait for the provider's answer (default 5 s). */
  jwksTimeoutMs?: number;
};

/**
 * Verifies bearer JWTs. Each organisation names the issuer that speaks for it; a token from that issuer
 * may only claim that organisation (one force's identity provider cannot mint a token for another).
 * The development issuer, when on, may sign for any organisation.
 */
export function createAuthenticator(db: Db, devIssuer: DevIssuer | undefined, clock: () => Date, opts: AuthenticatorOptions = {}) {
  const maxLifetime = (opts.maxTokenHours ?? 12) * 3600;
  const jwksMaxAgeMs = opts.jwksMaxAgeMs ?? 300_000;
  const keySets = new Map<string, JWTVerifyGetKey>();
  const keySetOwners = new Map<string, string>();
  // Verified tokens are remembered, but never past their exp, nor past a change of the key set that
  // verified them (the entry carries the key set's version), nor, for a remote set, past its max age.
  const verified = new Map<string, Verified>();
  let orgsBySlug = new Map<string, Organisation>();
  let orgsLoadedAt = 0;

  // An organisation disabled by an administrator must stop at once, even for tokens already verified:
  // the read cache's epoch moves with any change to organisations, from this process or another.
  const orgCache = createReadCache(db);
  const orgsSeen = orgCache.map<'epoch', true>(1);
  /** Organisations that sign in through their own OpenID provider (organisation_oidc), reloaded with the rest. */
  let withOidc = new Set<string>();
  /** Every organisation's issuers, to tell whether a bearer token's issuer serves other organisations too. */
  let uses: IssuerUse[] = [];
  // The register as last read, and the read under way: requests that find the copy stale wait for one
  // reload rather than use the old copy (a disabled organisation must stop at once) or start their own.
  let loading: Promise<void> | undefined;
  let loads = 0;
  async function reload() {
    const n = ++loads;
    const [orgs, oidc, issuers] = [await listOrganisations(db), await oidcOrganisations(db), await issuerUses(db)];
    // A later reload (the register changed again meanwhile) has the newer answer.
    if (n !== loads) return;
    orgsBySlug = new Map(orgs.map((o) => [o.slug, o]));
    withOidc = new Set(oidc);
    uses = issuers;
  }
  async function organisations(): Promise<Map<string, Organisation>> {
    const now = clock().getTime();
    await orgCache.validate();
    if (now - orgsLoadedAt > 5_000 || !orgsSeen.has('epoch')) {
      orgsSeen.set('epoch', true);
      orgsLoadedAt = now;
      const load = reload().finally(() => {
        if (loading === load) loading = undefined;
      });
      loading = load;
      // A failed read leaves the copy stale, so the next request reads again.
      load.catch(() => (orgsLoadedAt = 0));
    }
    if (loading) await loading;
    return orgsBySlug;
  }

  /**
   * The development issuer speaks only for organisations with no identity provider of their own (neither a
   * bearer-token issuer nor an OpenID provider for sign-in). The cache above follows the read-cache epoch,
   * so a provider configured from any process takes effect on the next request.
   */
  async function devMaySignFor(slug: string): Promise<boolean> {
    return devSpeaksFor((await organisations()).get(slug));
  }
  const devSpeaksFor = (org: Organisation | undefined) => !!org && !org.issuer && !withOidc.has(org.slug);

  // Asked on every request with a cached token: the hash of an inline set is worked out once per content.
  const inlineVersions = new Map<string, string>();
  function inlineVersion(jwks: string): string {
    let v = inlineVersions.get(jwks);
    if (!v) {
      if (inlineVersions.size > 100) inlineVersions.clear();
      inlineVersions.set(jwks, (v = createHash('sha256').update(jwks).digest('hex')));
    }
    return v;
  }

  /**
   * Which key set, in which version, verifies tokens from `iss` for this organisation now, given the
   * register as organisations() just returned it (synchronous: a cached token's check reads it once).
   */
  function keysVersion(org: Organisation | undefined, iss: unknown): string | undefined {
    if (!org) return undefined;
    // Checked on cached tokens too: an organisation gaining a provider ends its development tokens at once.
    if (devIssuer && iss === devIssuer.issuer) return devSpeaksFor(org) ? 'dev' : undefined;
    if (!org.issuer || !org.jwks || iss !== org.issuer) return undefined;
    // An inline set's version is its content: replacing it ends what the old keys verified, at once.
    return org.jwks.startsWith('{') ? `${org.issuer}|inline|${inlineVersion(org.jwks)}` : `${org.issuer}|${org.jwks}|remote`;
  }

  function keySetFor(org: Organisation, version: string): JWTVerifyGetKey | undefined {
    let set = keySets.get(version);
    if (!set) {
      const source = jwksSource(org.issuer, org.jwks);
      if (!source) return undefined;
      // A new version replaces the organisation's old set rather than piling up beside it.
      for (const [k, v] of keySetOwners) if (v === org.slug) keySets.delete(k), keySetOwners.delete(k);
      set =
        source.kind === 'remote'
          ? createRemoteJWKSet(source.url, {
              timeoutDuration: opts.jwksTimeoutMs ?? 5_000,
              cooldownDuration: opts.jwksCooldownMs ?? 30_000,
              cacheMaxAge: jwksMaxAgeMs,
              [customFetch]: cappedFetch,
            })
          : createLocalJWKSet(source.keys as JSONWebKeySet);
      keySets.set(version, set);
      keySetOwners.set(version, org.slug);
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
    const org = orgSlug ? (await organisations()).get(orgSlug) : undefined;
    if (!org) return fail('unauthenticated', 'the token names no known organisation');
    if (org.disabledAt) return fail('unauthenticated', `${org.slug} has been disabled in this service`);
    const now = clock();
    const options = { audience: TOKEN_AUDIENCE, currentDate: now, clockTolerance: 30, requiredClaims: ['exp'] };
    const keys = keysVersion(org, claimed.iss);
    if (!keys) return fail('unauthenticated', `tokens for ${org.slug} must come from its own identity provider`);
    const keySet = keys === 'dev' ? undefined : keySetFor(org, keys);
    if (keys !== 'dev' && !keySet)
      return fail('unauthenticated', `${org.slug}'s token signing keys are not usable; an operator must set them again`);
    let payload: JWTPayload;
    try {
      ({ payload } =
        keys === 'dev'
          ? await jwtVerify(token, devIssuer!.publicKey, { ...options, issuer: devIssuer!.issuer })
          : await jwtVerify(token, keySet!, { ...options, issuer: org.issuer! }));
    } catch (e) {
      return fail('unauthenticated', `the token was rejected: ${rejection(e)}`);
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
    // An issuer that serves several organisations can mint `org` for any of them: the organisation must
    // also be vouched for by the claim configured for it (an ODS code, say).
    if (keys !== 'dev') {
      const use: IssuerUse = { org: org.slug, via: 'bearer', issuer: org.issuer!, orgClaim: org.orgClaim, orgCode: org.orgCode };
      const vouched = orgVouched(uses, use, payload);
      // The code stays in the words too: they are what the access log keeps of a refused token.
      if (vouched === 'org-mismatch')
        return fail('unauthenticated', `the token's ${org.orgClaim} claim does not name ${org.slug} (org-mismatch)`, { reason: vouched });
      if (vouched === 'org-unvouched')
        return fail(
          'unauthenticated',
          `${org.issuer} serves several organisations and ${org.slug} has no organisation claim configured (org-unvouched)`,
          { reason: vouched },
        );
    }
    const roles = rolesOf(claims.data);
    if (roles.length === 0) return fail('forbidden', 'the token grants no role in this service');
    const until = keys.endsWith('|remote') ? Math.min(exp, nowS + jwksMaxAgeMs / 1000) : exp;
    return ok({ actor: { sub: claims.data.sub, org: org.slug, orgKind: org.kind, roles }, until, keys, iss: payload.iss });
  }

  /**
   * The actor as the register describes it now: refused once its organisation is disabled, and with the
   * organisation's current kind (what its people see, whether they have emergency access), never the
   * kind remembered when the token was verified or the session began.
   */
  async function current(actor: Actor): Promise<Result<Actor>> {
    return currentIn(await organisations(), actor);
  }
  function currentIn(orgs: Map<string, Organisation>, actor: Actor): Result<Actor> {
    const org = orgs.get(actor.org);
    if (!org || org.disabledAt) return fail('unauthenticated', `${actor.org} has been disabled in this service`);
    return ok(org.kind === actor.orgKind ? actor : { ...actor, orgKind: org.kind });
  }

  return {
    async verify(token: string): Promise<Result<Actor>> {
      const hit = verified.get(token);
      if (hit) {
        // Every API request comes this way: the register is read once (it is the same map for the key
        // set's check and the actor's organisation), not once for each.
        const orgs = await organisations();
        if (hit.until > clock().getTime() / 1000 && hit.keys === keysVersion(orgs.get(hit.actor.org), hit.iss))
          return currentIn(orgs, hit.actor);
        verified.delete(token);
      }
      const result = await verifyUncached(token);
      if (!result.ok) return result;
      if (verified.size > 10_000) verified.clear();
      verified.set(token, result.value);
      return ok(result.value.actor);
    },
    devMaySignFor,
    current,
    /**
     * Whether a web session may go on: its organisation not disabled, and a development sign-in only while
     * the development issuer may still speak for that organisation (the same rules as a bearer token).
     */
    async sessionMayContinue(actor: Actor, method: 'dev' | 'oidc'): Promise<boolean> {
      const org = (await organisations()).get(actor.org);
      if (!org || org.disabledAt) return false;
      return method !== 'dev' || (!!devIssuer && (await devMaySignFor(actor.org)));
    },
    issuersConfigured: async () => [...(await organisations()).values()].some((o) => o.issuer !== null),
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;

/**
 * What a refused token is told. jose's own token errors are fixed sentences about the token; anything
 * else (the key set could not be fetched, was too big or not a key set) gets one fixed sentence, so no
 * byte of what a key set URL answered ever reaches the caller or the log.
 */
function rejection(e: unknown): string {
  const tokenErrors = [
    errors.JWSSignatureVerificationFailed,
    errors.JWTExpired,
    errors.JWTClaimValidationFailed,
    errors.JWSInvalid,
    errors.JWTInvalid,
    errors.JOSEAlgNotAllowed,
  ];
  if (tokenErrors.some((E) => e instanceof E)) return (e as Error).message;
  if (e instanceof errors.JWKSNoMatchingKey) return "no key in the organisation's key set matches the token";
  return "the organisation's token signing keys could not be fetched or used";
}

/**
 * fetch for jose's remote key set, with a size cap: jose has a timeout but reads whatever body comes, so a
 * key set URL answering without end (or with a huge body) would grow memory without bound.
 */
async function cappedFetch(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    return new Response(null, { status: res.status === 200 ? 502 : res.status });
  }
  if (Number(res.headers.get('content-length') ?? 0) > MAX_JWKS_BYTES) {
    await res.body.cancel();
    throw new Error('key set too large');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel();
      throw new Error('key set too large');
    }
    chunks.push(value);
  }
  return new Response(Buffer.concat(chunks), { status: 200, headers: { 'content-type': 'application/json' } });
}

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { pendingSignInStore } from './pending-sign-in-store.js';
import type { Db } from '../../../db/index.js';
import { subjectSchema, type Actor } from '../../plans/core/actor.js';
import type { Clock } from '../../plans/core/clock.js';
import { getOrganisation } from '../../plans/organisations.js';
import { getOidcConfig, issuerUses, openClientSecret, orgVouched, rolesFromClaim, type OidcConfig } from '../../plans/oidc-config.js';
import type { SecretBox } from '../../plans/keys/secrets.js';
import { ok, type Result } from '../../plans/core/result.js';

/**
 * Sign-in through each organisation's own OpenID provider: authorization code flow with PKCE (S256),
 * `state` and `nonce` kept server-side (pending_sign_ins, single use, ten minutes) and bound to the
 * browser by an opaque cookie. The organisation is always the one that configured the issuer.
 */
const PENDING_MS = 10 * 60 * 1000;
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
/**
 * Sign-ins under way across all clients: each is a row for ten minutes, and anyone can start one, so
 * beyond this many new ones wait (the per-client limit in web/sign-in.tsx keeps one client well below).
 */
export const MAX_PENDING_SIGN_INS = 5_000;
export const CALLBACK_PATH = '/auth/callback';
/** Where sign-out lands, from here or back from the provider (its registered post-logout redirect URI). */
export const POST_SIGN_OUT_PATH = '/signed-out';

/** Why a sign-in was refused: the access log's `reason` (no tokens, codes, states or secrets). */
export type SignInFailure =
  | 'bad-state'
  | 'busy'
  | 'sub-invalid'
  | 'org-disabled'
  | 'org-unknown'
  | 'provider-unreachable'
  | 'provider-unusable'
  | `provider-error:${string}`
  | 'code-rejected'
  | 'token-invalid'
  | 'org-mismatch'
  | 'org-unvouched'
  | 'no-role';

export type SignedIn = { actor: Actor; idToken: string; expiresAt: number; returnTo: string };
export type CallbackOutcome =
  | { ok: true; value: SignedIn }
  | { ok: false; reason: SignInFailure; org?: string; sub?: string; orgName?: string };

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * Where to go after sign-in is kept sealed with a key only the browser's binding cookie yields (the row
 * holds just the cookie's hash): a return path can be a card's QR address, and the card's token must not
 * sit readable in the database while the person signs in.
 */
const returnKey = (binding: string) => createHash('sha256').update(`rp-return-to\u0000${binding}`).digest();
function sealReturn(returnTo: string, binding: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', returnKey(binding), iv);
  const body = Buffer.concat([cipher.update(returnTo, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}
function openReturn(sealed: string, binding: string): string | undefined {
  const [v, iv, body, tag] = sealed.split('.');
  if (v !== 'v1' || iv === undefined || body === undefined || tag === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', returnKey(binding), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The provider's stored client secret cannot be used (oidc-config.ts openClientSecret): never retried until it changes. */
class ProviderUnusable extends Error {}

export function createOidcSignIn(deps: { db: Db; clock: Clock; publicBaseUrl: () => string; secrets?: SecretBox }) {
  const pendingSignIns = pendingSignInStore(deps.db);
  const configs = new Map<string, { key: string; at: number; config: Promise<client.Configuration> }>();

  function configurationFor(oidc: OidcConfig): Promise<client.Configuration> {
    const key = `${oidc.issuer}|${oidc.clientId}|${oidc.clientSecret?.ciphertext}`;
    const hit = configs.get(oidc.org);
    if (hit && hit.key === key && deps.clock().getTime() - hit.at < DISCOVERY_TTL_MS) return hit.config;
    const opened = openClientSecret(oidc, deps.secrets);
    if (!opened.ok) return Promise.reject(new ProviderUnusable(opened.detail));
    const secret = opened.value;
    const insecure = new URL(oidc.issuer).protocol === 'http:';
    const config = client
      .discovery(new URL(oidc.issuer), oidc.clientId, secret, undefined, insecure ? { execute: [client.allowInsecureRequests] } : undefined)
      .then((c) => {
        // Check the ID token's signature against the provider's keys too (fetched from its jwks_uri and
        // fetched again when a token names an unknown `kid`), not only TLS to the token endpoint.
        client.enableNonRepudiationChecks(c);
        return c;
      });
    // A failed discovery is not cached: the next attempt tries again.
    config.catch(() => configs.delete(oidc.org));
    configs.set(oidc.org, { key, at: deps.clock().getTime(), config });
    return config;
  }

  const redirectUri = () => `${deps.publicBaseUrl()}${CALLBACK_PATH}`;

  return {
    redirectUri,
    /** The provider's authorization URL for a new sign-in; `binding` is the browser's opaque cookie value. */
    async begin(org: string, binding: string, returnTo: string): Promise<Result<URL> | { ok: false; reason: SignInFailure }> {
      const oidc = await getOidcConfig(deps.db, org);
      if (!oidc) return { ok: false, reason: 'org-unknown' };
      // Sign-in switched off for this provider, or the organisation disabled by an administrator.
      if (!oidc.enabled || (await getOrganisation(deps.db, org))?.disabledAt) return { ok: false, reason: 'org-disabled' };
      let config: client.Configuration;
      try {
        config = await configurationFor(oidc);
      } catch (e) {
        return { ok: false, reason: e instanceof ProviderUnusable ? 'provider-unusable' : 'provider-unreachable' };
      }
      const now = deps.clock().getTime();
      await pendingSignIns.sweep(now);
      if ((await pendingSignIns.count()) >= MAX_PENDING_SIGN_INS) return { ok: false, reason: 'busy' };
      const state = client.randomState();
      const nonce = client.randomNonce();
      const verifier = client.randomPKCECodeVerifier();
      await pendingSignIns.insert({
        stateHash: sha(state),
        bindingHash: sha(binding),
        orgSlug: org,
        nonce,
        codeVerifier: verifier,
        returnTo: sealReturn(returnTo, binding),
        expiresAt: now + PENDING_MS,
      });
      return ok(
        client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri(),
          scope: oidc.scopes,
          state,
          nonce,
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        }),
      );
    },

    /** The provider's redirect back: every check, then the actor. Uses up the pending sign-in whatever happens. */
    async complete(search: URLSearchParams, binding: string | undefined): Promise<CallbackOutcome> {
      const state = search.get('state');
      const pending = state && state.length <= 200 ? await pendingSignIns.take(sha(state)) : undefined;
      if (!pending || !binding || pending.bindingHash !== sha(binding) || pending.expiresAt <= deps.clock().getTime()) {
        return { ok: false, reason: 'bad-state', org: pending?.orgSlug };
      }
      const org = pending.orgSlug;
      const oidc = await getOidcConfig(deps.db, org);
      const orgRow = await getOrganisation(deps.db, org);
      if (!oidc || !orgRow) return { ok: false, reason: 'org-unknown', org };
      if (!oidc.enabled || orgRow.disabledAt) return { ok: false, reason: 'org-disabled', org };
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        const config = await configurationFor(oidc);
        tokens = await client.authorizationCodeGrant(config, new URL(`${redirectUri()}?${search}`), {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: state!,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (e) {
        return { ok: false, reason: failureOf(e), org };
      }
      const claims = tokens.claims()!;
      // The same rule as a bearer token's subject; a refused one is not repeated into the log.
      if (!subjectSchema.safeParse(claims.sub).success) return { ok: false, reason: 'sub-invalid', org };
      const sub = claims.sub;
      // The provider speaks for the organisation that configured it and no other: a token naming
      // another organisation is a misconfigured (or hostile) provider, refused rather than ignored.
      if (typeof claims.org === 'string' && claims.org !== org) return { ok: false, reason: 'org-mismatch', org, sub };
      // A provider serving several organisations signs its people in whichever one they picked at
      // /sign-in: the organisation must be the one its configured claim (an ODS code, say) names.
      const vouched = orgVouched(
        await issuerUses(deps.db),
        { org, via: 'oidc', issuer: oidc.issuer, orgClaim: oidc.orgClaim, orgCode: oidc.orgCode },
        claims,
      );
      if (vouched !== 'vouched') return { ok: false, reason: vouched, org, sub };
      const roles = rolesFromClaim(claims[oidc.rolesClaim], oidc.roleMap);
      if (roles.length === 0) return { ok: false, reason: 'no-role', org, sub, orgName: oidc.orgName };
      return {
        ok: true,
        value: {
          actor: { sub, org, orgKind: orgRow.kind, roles },
          idToken: tokens.id_token!,
          expiresAt: claims.exp * 1000,
          returnTo: openReturn(pending.returnTo, binding) ?? '/',
        },
      };
    },

    /** Where to send the browser to end the provider's session too, when the provider supports it. */
    async endSessionUrl(org: string, idToken: string): Promise<string | undefined> {
      const oidc = await getOidcConfig(deps.db, org);
      if (!oidc) return undefined;
      try {
        const config = await configurationFor(oidc);
        if (!config.serverMetadata().end_session_endpoint) return undefined;
        return client
          .buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${deps.publicBaseUrl()}${POST_SIGN_OUT_PATH}` })
          .toString();
      } catch {
        return undefined;
      }
    },
  };
}
export type OidcSignIn = ReturnType<typeof createOidcSignIn>;

/** A short, fixed vocabulary: the provider's own error code at most, never its description. */
function failureOf(e: unknown): SignInFailure {
  if (e instanceof client.AuthorizationResponseError) return `provider-error:${/^[a-z_]{1,40}$/.test(e.error) ? e.error : 'other'}`;
  if (e instanceof client.ResponseBodyError) return 'code-rejected';
  if (e instanceof ProviderUnusable) return 'provider-unusable';
  if (e instanceof TypeError || (e as { code?: string }).code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') return 'provider-unreachable';
  return 'token-invalid';
}

export const newBinding = () => randomBytes(32).toString('base64url');

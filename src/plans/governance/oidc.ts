import { authoriseOrganisationChange, type Operator } from '../policy.js';
import {
  configureOidcIn,
  getOidcConfig,
  issuerSharing,
  oidcConfigIn,
  setOidcEnabledIn,
  type OidcConfig,
  type OidcSettings,
} from '../oidc-config.js';
import type { Sealed } from '../keys/secrets.js';
import { getOrganisation } from '../organisations.js';
import { governed, type GovernanceDeps } from './log.js';
import { fail, ok, type Result } from '../core/result.js';

/**
 * Who signs an organisation's people in is as much governance as its name: configuring, switching on
 * or off its OpenID provider is a governance event (never the secret, only that it was replaced).
 */

/**
 * `secret` absent: keep the stored client secret (changing only the role map or scopes should not need
 * the secret typed again). A first configuration, or a new issuer or client ID, needs its own secret, as
 * does a provider whose stored one is unusable. The secret is sealed to this organisation (sealClientSecret)
 * before it gets here: the governance event says only whether it was set, replaced or kept.
 */
export function configureOidcGoverned(
  deps: GovernanceDeps,
  op: Operator,
  settings: OidcSettings,
  secret: Sealed | undefined,
): Promise<Result<OidcConfig>> {
  const slug = settings.org;
  const { db } = deps;
  return governed(deps, op, { op: 'organisation.oidc', target: slug }, async () => {
    if (!(await getOrganisation(db, slug))) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOrganisationChange(op, slug);
    if (!allowed.ok) return allowed;
    const shared = await issuerSharing(db, {
      org: slug,
      via: 'oidc',
      issuer: settings.issuer,
      orgClaim: settings.orgClaim ?? null,
      orgCode: settings.orgCode ?? null,
    });
    if (!shared.ok) return shared;
    const before = await getOidcConfig(db, slug);
    const kept =
      !secret && before && before.issuer === settings.issuer && before.clientId === settings.clientId
        ? (before.clientSecret ?? undefined)
        : undefined;
    if (!secret && !kept) {
      const why = !before
        ? 'the client secret is needed the first time'
        : !before.clientSecret
          ? 'no usable client secret is stored: enter the secret the provider gave'
          : 'a new issuer or client ID needs the secret the provider gave for it';
      return fail('invalid', why, { errors: [{ path: 'clientSecret', message: why }], reason: 'client-secret-required' });
    }
    const { org: _org, ...fields } = settings;
    return ok({
      orgs: [slug],
      changes: { ...fields, clientSecret: kept ? 'kept' : before ? 'replaced' : 'set', previousIssuer: before?.issuer ?? null },
      apply: (q) => configureOidcIn(db, q, settings, kept ?? secret!, deps.clock()),
    });
  });
}

export function setOidcEnabledGoverned(deps: GovernanceDeps, op: Operator, slug: string, enabled: boolean): Promise<Result<OidcConfig>> {
  const { db } = deps;
  return governed(deps, op, { op: enabled ? 'organisation.oidc-enable' : 'organisation.oidc-disable', target: slug }, async () => {
    if (!(await getOrganisation(db, slug))) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOrganisationChange(op, slug);
    if (!allowed.ok) return allowed;
    const before = await getOidcConfig(db, slug);
    if (!before) return fail('not_found', `organisation "${slug}" has no OpenID provider configured`);
    if (before.enabled === enabled) return fail('conflict', `sign-in through ${slug}'s provider is already ${enabled ? 'on' : 'off'}`);
    return ok({
      orgs: [slug],
      changes: { enabled: { from: before.enabled, to: enabled } },
      *apply(q) {
        const r = yield* setOidcEnabledIn(db, q, slug, enabled, deps.clock());
        return r.ok ? ok((yield* oidcConfigIn(db, q, slug))!) : r;
      },
    });
  });
}

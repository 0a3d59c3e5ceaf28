import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { authoriseOrganisationChange, type Operator } from '../policy.js';
import { configureOidcIn, getOidcConfig, issuerSharing, oidcConfigIn, setOidcEnabledIn, type OidcConfig, type oidcConfigInputSchema } from '../oidc-config.js';
import { getOrganisation } from '../organisations.js';
import { governed, type GovernanceDeps } from './log.js';
import { fail, ok, type Result } from '../core/result.js';

/**
 * Who signs an organisation's people in is as much governance as its name: configuring, switching on
 * or off its OpenID provider is a governance event (never the secret, only that it was replaced).
 */

export type OidcSettings = Omit<z.output<typeof oidcConfigInputSchema>, 'clientSecretFile'>;

/**
 * The client secret, kept 0600 under DATA_DIR/oidc/. A new file per change, written only once the event
 * is committed: a change that is then refused leaves the working configuration and its secret alone.
 */
export function keepClientSecret(dataDir: string, slug: string, secret: string): () => string {
  return () => {
    const dir = path.join(dataDir, 'oidc');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${slug}.${randomBytes(6).toString('hex')}.client-secret`);
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    return file;
  };
}

/**
 * `writeSecret` absent: keep the stored client secret (changing only the role map or scopes should not need
 * the secret typed again). A first configuration, or a new issuer or client ID, needs its own secret.
 */
export function configureOidcGoverned(
  deps: GovernanceDeps,
  op: Operator,
  settings: OidcSettings,
  writeSecret: (() => string) | undefined,
): Promise<Result<OidcConfig>> {
  const slug = settings.org;
  const { db } = deps;
  return governed(deps, op, { op: 'organisation.oidc', target: slug }, async () => {
    if (!(await getOrganisation(db, slug))) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOrganisationChange(op, slug);
    if (!allowed.ok) return allowed;
    const shared = await issuerSharing(db, { org: slug, via: 'oidc', issuer: settings.issuer, orgClaim: settings.orgClaim ?? null, orgCode: settings.orgCode ?? null });
    if (!shared.ok) return shared;
    const before = await getOidcConfig(db, slug);
    const kept = !writeSecret && before && before.issuer === settings.issuer && before.clientId === settings.clientId ? before.clientSecretFile : undefined;
    if (!writeSecret && !kept) {
      const why = before ? 'a new issuer or client ID needs the secret the provider gave for it' : 'the client secret is needed the first time';
      return fail('invalid', why, { errors: [{ path: 'clientSecret', message: why }], reason: 'client-secret-required' });
    }
    const { org: _org, ...fields } = settings;
    return ok({
      orgs: [slug],
      changes: { ...fields, clientSecret: kept ? 'kept' : before ? 'replaced' : 'set', previousIssuer: before?.issuer ?? null },
      // The secret's file is written here, once the event is committed, by a synchronous write (no await
      // inside a transaction's body).
      apply: (q) => configureOidcIn(db, q, { ...settings, clientSecretFile: kept ?? writeSecret!() }, deps.clock()),
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

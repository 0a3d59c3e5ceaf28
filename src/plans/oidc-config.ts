import { z } from 'zod';
import { lock, outside, type Body, type Q, type Store } from '../../db/runtime.js';
import { roles as knownRoles, type Role } from './core/actor.js';
import { slugSchema } from './core/content.js';
import { issuerSchema, orgClaimName, orgCodeValue, sameIssuer } from './core/issuer.js';
import { organisationRow, organisationRows } from './organisation-store.js';
import {
  deleteOidc,
  findOidcRow,
  oidcIssuerRows,
  oidcRow,
  oidcRows,
  setOidcEnabledRow,
  upsertOidc,
  type OidcRowNamed,
} from './oidc-store.js';
import { fail, ok, type Result } from './core/result.js';
import type { Sealed, SecretBox } from './keys/secrets.js';

/** `a=r,b=r2`: the provider's values (group names, app roles) → this service's roles. */
const roleMapSchema = z.string().transform((s, ctx) => {
  const map: Record<string, Role> = {};
  for (const pair of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eqAt = pair.lastIndexOf('=');
    const from = pair.slice(0, eqAt).trim();
    const to = pair.slice(eqAt + 1).trim();
    if (eqAt <= 0 || !(knownRoles as readonly string[]).includes(to)) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not idp-value=role with role one of ${knownRoles.join(', ')}` });
      return z.NEVER;
    }
    map[from] = to as Role;
  }
  return map;
});

export const oidcConfigInputSchema = z
  .strictObject({
    org: slugSchema,
    issuer: issuerSchema,
    clientId: z.string().trim().min(1).max(300),
    rolesClaim: z.string().trim().min(1).max(100).default('roles'),
    roleMap: roleMapSchema.default({}),
    scopes: z
      .string()
      .trim()
      .default('openid profile')
      .refine((s) => s.split(/\s+/).includes('openid'), { error: 'must include openid' }),
    enabled: z.boolean().default(true),
    orgClaim: orgClaimName.optional(),
    orgCode: orgCodeValue.optional(),
  })
  .refine((c) => (c.orgClaim === undefined) === (c.orgCode === undefined), {
    error: 'give both the organisation claim and its value, or neither',
    path: ['orgCode'],
  });
export type OidcConfigInput = z.input<typeof oidcConfigInputSchema>;
/** A provider's settings as validated; the client secret travels apart from them, sealed (clientSecretSealed). */
export type OidcSettings = z.output<typeof oidcConfigInputSchema>;

/** What a client secret is sealed for: with the organisation's slug, the additional data of its ciphertext. */
const CLIENT_SECRET = 'organisation_oidc.client_secret';

/** The client secret sealed to this organisation, as it is stored. */
export const sealClientSecret = (box: SecretBox, org: string, secret: string): Sealed => box.seal(CLIENT_SECRET, org, secret);

/**
 * The provider's client secret in clear, for the token endpoint only. Refused (the provider is unusable
 * until an administrator sets the secret again) when none is stored (a pre-KEYS_DIR file that could not be
 * read), when KEYS_DIR has no secrets key or another one, or when the ciphertext does not open: altered, or
 * copied from another organisation's row.
 */
export function openClientSecret(oidc: OidcConfig, box: SecretBox | undefined): Result<string> {
  if (!oidc.clientSecret) return fail('invalid', `${oidc.org}'s client secret is not set`);
  if (!box) return fail('invalid', 'this node has no secrets key (KEYS_DIR)');
  const opened = box.open(CLIENT_SECRET, oidc.org, oidc.clientSecret);
  return opened.ok ? opened : fail('invalid', `${oidc.org}'s client secret: ${opened.detail}`);
}

export type OidcConfig = {
  org: string;
  orgName: string;
  issuer: string;
  clientId: string;
  /** Sealed; null when none is usable (see openClientSecret). */
  clientSecret: Sealed | null;
  rolesClaim: string;
  roleMap: Record<string, Role>;
  scopes: string;
  enabled: boolean;
  orgClaim: string | null;
  orgCode: string | null;
};

/**
 * Serialises every change that puts an organisation on an issuer: whether an issuer is shared is a rule
 * across organisations (issuerSharing), read and then relied on by the write.
 */
export const lockIssuers = () => lock('register:issuers');

/** Inside a transaction: adds or replaces an organisation's provider, with its client secret sealed to it (sealClientSecret). */
export function* configureOidcIn(db: Store, q: Q, input: OidcSettings, secret: Sealed, now: Date): Body<Result<OidcConfig>> {
  yield* lockIssuers();
  const org = yield* organisationRow(db, q, input.org);
  if (!org) return fail('not_found', `no organisation "${input.org}"`);
  const row = {
    orgSlug: input.org,
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecretCiphertext: secret.ciphertext,
    clientSecretKeyId: secret.keyId,
    clientSecretFile: null,
    rolesClaim: input.rolesClaim,
    roleMap: JSON.stringify(input.roleMap),
    scopes: input.scopes,
    enabled: input.enabled ? 1 : 0,
    orgClaim: input.orgClaim ?? null,
    orgCode: input.orgCode ?? null,
    updatedAt: now.toISOString(),
  };
  const shared = yield* issuerSharingIn(db, q, {
    org: input.org,
    via: 'oidc',
    issuer: input.issuer,
    orgClaim: input.orgClaim ?? null,
    orgCode: input.orgCode ?? null,
  });
  if (!shared.ok) return shared;
  yield* upsertOidc(db, q, row);
  return ok(fromRow((yield* oidcRow(db, q, input.org))!));
}

/** Adds or replaces an organisation's provider. */
export function configureOidc(db: Store, input: OidcSettings, secret: Sealed, now: Date): Promise<Result<OidcConfig>> {
  return db.tx((q) => configureOidcIn(db, q, input, secret, now));
}

/** Forgets an organisation's provider (the development provider's script starts its demo set afresh). */
export async function removeOidcConfig(db: Store, slug: string): Promise<void> {
  await deleteOidc(db, slug);
}

/** Inside a transaction: switches sign-in through the organisation's provider on or off, keeping its settings. */
export function* setOidcEnabledIn(db: Store, q: Q, slug: string, enabled: boolean, now: Date): Body<Result<void>> {
  const n = yield* setOidcEnabledRow(db, q, slug, enabled, now.toISOString());
  return n ? ok(undefined) : fail('not_found', `organisation "${slug}" has no OpenID provider configured`);
}

export function setOidcEnabled(db: Store, slug: string, enabled: boolean, now: Date): Promise<Result<void>> {
  return db.tx((q) => setOidcEnabledIn(db, q, slug, enabled, now));
}

const fromRow = (r: OidcRowNamed): OidcConfig => ({
  org: r.orgSlug,
  orgName: r.orgName,
  issuer: r.issuer,
  clientId: r.clientId,
  clientSecret:
    r.clientSecretCiphertext && r.clientSecretKeyId ? { keyId: r.clientSecretKeyId, ciphertext: r.clientSecretCiphertext } : null,
  rolesClaim: r.rolesClaim,
  roleMap: JSON.parse(r.roleMap) as Record<string, Role>,
  scopes: r.scopes,
  enabled: r.enabled === 1,
  orgClaim: r.orgClaim,
  orgCode: r.orgCode,
});

export function* oidcConfigIn(db: Store, q: Q, slug: string): Body<OidcConfig | undefined> {
  const row = yield* oidcRow(db, q, slug);
  return row ? fromRow(row) : undefined;
}

export async function getOidcConfig(db: Store, slug: string): Promise<OidcConfig | undefined> {
  const row = await findOidcRow(db, slug);
  return row ? fromRow(row) : undefined;
}

/** Every organisation with a provider, enabled or not, by name: the sign-in page's list. */
export async function listOidcConfigs(db: Store): Promise<OidcConfig[]> {
  return (await oidcRows(db)).map(fromRow).sort((a, b) => a.orgName.localeCompare(b.orgName));
}

/**
 * The provider's claim → this service's roles. With a map, only mapped values count (a provider's
 * "admin" group is not this service's admin unless someone said so); without one, the claim must
 * carry the service's own role names.
 */
export function rolesFromClaim(value: unknown, roleMap: Record<string, Role>): Role[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const mapped = values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => (Object.keys(roleMap).length ? roleMap[v] : (knownRoles as readonly string[]).includes(v) ? (v as Role) : undefined))
    .filter((r): r is Role => r !== undefined);
  return [...new Set(mapped)];
}

/**
 * One organisation's use of an identity provider: its bearer-token issuer (organisations.issuer) or its
 * OpenID provider for web sign-in (organisation_oidc), with the claim that names the organisation.
 */
export type IssuerUse = { org: string; via: 'bearer' | 'oidc'; issuer: string; orgClaim: string | null; orgCode: string | null };

export function* issuerUsesIn(db: Store, q: Q): Body<IssuerUse[]> {
  const bearer = (yield* organisationRows(db, q))
    .filter((o) => o.issuer !== null)
    .map((o): IssuerUse => ({ org: o.slug, via: 'bearer', issuer: o.issuer!, orgClaim: o.orgClaim, orgCode: o.orgCode }));
  const oidc = (yield* oidcIssuerRows(db, q)).map((r): IssuerUse => ({ ...r, via: 'oidc' }));
  return [...bearer, ...oidc];
}

export const issuerUses = (db: Store): Promise<IssuerUse[]> => outside(db, issuerUsesIn(db, db.q));

/** The other organisations that sign in through, or take tokens from, the same issuer. */
export const othersOnIssuer = (uses: readonly IssuerUse[], org: string, issuer: string) =>
  uses.filter((u) => u.org !== org && sameIssuer(u.issuer, issuer));

/**
 * May `use` be configured? An issuer that serves several organisations (a national provider such as NHS
 * CIS2, or one shared demo provider) can sign its people in to any of them: which one must then come
 * from a claim the provider vouches for, so every organisation on it needs that claim, and no two the same
 * value in the same claim. An organisation joining an issuer others use without the claim is refused (it
 * would make their sign-ins ambiguous); one already on it may always add its own claim, so a pair set up
 * before the rule can be put right one at a time (meanwhile neither signs anyone in: orgVouched).
 * Reason codes: `org-claim-required`, `org-code-taken`.
 */
export function* issuerSharingIn(db: Store, q: Q, use: IssuerUse): Body<Result<true>> {
  const uses = yield* issuerUsesIn(db, q);
  const others = othersOnIssuer(uses, use.org, use.issuer);
  if (others.length === 0) return ok(true);
  const already = uses.some((u) => u.org === use.org && sameIssuer(u.issuer, use.issuer));
  const bare = already ? [] : [...new Set(others.filter((o) => !o.orgClaim).map((o) => o.org))];
  if (!use.orgClaim || bare.length) {
    const names = [...new Set(others.map((o) => o.org))].join(', ');
    return fail(
      'conflict',
      `${use.issuer} also signs in people for ${names}: each organisation on a shared issuer needs the claim that names it (organisation claim and value)${bare.length ? `, which ${bare.join(', ')} has not set` : ''}`,
      {
        reason: 'org-claim-required',
        errors: [{ path: 'orgClaim', message: 'required: the issuer serves other organisations' }],
      },
    );
  }
  const clash = others.find((o) => o.orgClaim === use.orgClaim && o.orgCode === use.orgCode);
  if (clash) {
    return fail('conflict', `${clash.org} already uses ${use.orgClaim}=${use.orgCode} on this issuer`, {
      reason: 'org-code-taken',
      errors: [{ path: 'orgCode', message: `already ${clash.org}'s value` }],
    });
  }
  return ok(true);
}

export const issuerSharing = (db: Store, use: IssuerUse): Promise<Result<true>> => outside(db, issuerSharingIn(db, db.q, use));

/**
 * Whether a provider's claims vouch that the person belongs to `use.org`: its configured claim holds the
 * expected value (a string, or a list containing it). With no claim configured, only an issuer no other
 * organisation uses speaks for the organisation by itself.
 */
export function orgVouched(
  uses: readonly IssuerUse[],
  use: IssuerUse,
  claims: Record<string, unknown>,
): 'vouched' | 'org-mismatch' | 'org-unvouched' {
  if (use.orgClaim) {
    const v = claims[use.orgClaim];
    const values = Array.isArray(v) ? v : [v];
    return values.some((x) => typeof x === 'string' && x === use.orgCode) ? 'vouched' : 'org-mismatch';
  }
  return othersOnIssuer(uses, use.org, use.issuer).length ? 'org-unvouched' : 'vouched';
}

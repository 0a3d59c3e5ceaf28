// Organisations' OpenID providers (organisation_oidc): statements written once for both dialects.
import { and, eq, isNotNull } from 'drizzle-orm';
import { all, one, outside, run, type Body, type Q, type Store } from '../../db/runtime.js';

export type OidcRow = Store['t']['organisationOidc']['$inferSelect'];
export type OidcRowNamed = OidcRow & { orgName: string };

function named(db: Store, q: Q) {
  const { organisationOidc: o, organisations } = db.t;
  return q
    .select({
      orgSlug: o.orgSlug,
      issuer: o.issuer,
      clientId: o.clientId,
      clientSecretCiphertext: o.clientSecretCiphertext,
      clientSecretKeyId: o.clientSecretKeyId,
      clientSecretFile: o.clientSecretFile,
      rolesClaim: o.rolesClaim,
      roleMap: o.roleMap,
      scopes: o.scopes,
      enabled: o.enabled,
      orgClaim: o.orgClaim,
      orgCode: o.orgCode,
      updatedAt: o.updatedAt,
      orgName: organisations.name,
    })
    .from(o)
    .innerJoin(organisations, eq(organisations.slug, o.orgSlug));
}

export function* oidcRow(db: Store, q: Q, slug: string): Body<OidcRowNamed | undefined> {
  return yield* one(named(db, q).where(eq(db.t.organisationOidc.orgSlug, slug)));
}

export const findOidcRow = (db: Store, slug: string) => outside(db, oidcRow(db, db.q, slug));

/** Every configured provider, with its organisation's name (in no particular order). */
export const oidcRows = (db: Store): Promise<OidcRowNamed[]> => db.many(named(db, db.q));

/** Adds or replaces the organisation's provider. */
export function* upsertOidc(db: Store, q: Q, row: OidcRow): Body<void> {
  const { organisationOidc } = db.t;
  const { orgSlug: _slug, ...set } = row;
  yield* run(q.insert(organisationOidc).values(row).onConflictDoUpdate({ target: organisationOidc.orgSlug, set }));
}

export function deleteOidc(db: Store, slug: string): Promise<number> {
  const { organisationOidc } = db.t;
  return db.exec(db.q.delete(organisationOidc).where(eq(organisationOidc.orgSlug, slug)));
}

/** Switches the provider on or off; the number of rows changed (0: none configured). */
export function* setOidcEnabledRow(db: Store, q: Q, slug: string, enabled: boolean, at: string): Body<number> {
  const { organisationOidc } = db.t;
  return yield* run(
    q
      .update(organisationOidc)
      .set({ enabled: enabled ? 1 : 0, updatedAt: at })
      .where(eq(organisationOidc.orgSlug, slug)),
  );
}

/** The issuer side of every provider: who signs in through which issuer, named by which claim. */
export function* oidcIssuerRows(db: Store, q: Q): Body<{ org: string; issuer: string; orgClaim: string | null; orgCode: string | null }[]> {
  const { organisationOidc: o } = db.t;
  const rows = yield* all(q.select({ org: o.orgSlug, issuer: o.issuer, orgClaim: o.orgClaim, orgCode: o.orgCode }).from(o));
  return rows.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
}

export async function oidcSlugs(db: Store): Promise<string[]> {
  const { organisationOidc: o } = db.t;
  return (await db.many(db.q.select({ slug: o.orgSlug }).from(o))).map((r) => r.slug);
}

export async function anyOidc(db: Store): Promise<boolean> {
  const { organisationOidc: o } = db.t;
  return (await db.one(db.q.select({ slug: o.orgSlug }).from(o).limit(1))) !== undefined;
}

/** Providers whose client secret is still a file from before KEYS_DIR (read once at start: oidc-secret-files.ts). */
export async function secretFileRows(db: Store): Promise<{ org: string; file: string }[]> {
  const { organisationOidc: o } = db.t;
  const rows = await db.many(
    db.q.select({ org: o.orgSlug, file: o.clientSecretFile }).from(o).where(isNotNull(o.clientSecretFile)).orderBy(o.orgSlug),
  );
  return rows.map((r) => ({ org: r.org, file: r.file! }));
}

/**
 * Stores the sealed secret read from `file` in place of the path, only while the row still names that
 * file (another node starting at the same moment may have done it already): rows changed, 0 or 1.
 */
export function sealSecretFileRow(db: Store, org: string, file: string, secret: { keyId: string; ciphertext: string }): Promise<number> {
  const { organisationOidc: o } = db.t;
  return db.exec(
    db.q
      .update(o)
      .set({ clientSecretCiphertext: secret.ciphertext, clientSecretKeyId: secret.keyId, clientSecretFile: null })
      .where(and(eq(o.orgSlug, org), eq(o.clientSecretFile, file))),
  );
}

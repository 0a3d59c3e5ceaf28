// The register's organisations: statements written once for both dialects (db/runtime.ts). Each is a
// body for a transaction (`yield*`), and the reads also run alone (`outside`, or an async wrapper).
import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { all, one, outside, run, type Body, type Q, type Store } from '../../db/runtime.js';
import type { OrgKind } from './core/content.js';

export type OrganisationRow = Store['t']['organisations']['$inferSelect'];
export type OrganisationFields = Omit<OrganisationRow, 'slug' | 'createdAt' | 'disabledAt'>;

const bySlug = (db: Store, q: Q, slug: string) => q.select().from(db.t.organisations).where(eq(db.t.organisations.slug, slug));

/** Binary order of slugs, the same on both stores (PostgreSQL's collation would differ from SQLite's). */
export const bySlugOrder = <T extends { slug: string }>(rows: T[]) => rows.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));

export function* organisationRow(db: Store, q: Q, slug: string): Body<OrganisationRow | undefined> {
  return yield* one(bySlug(db, q, slug));
}

export const findOrganisation = (db: Store, slug: string): Promise<OrganisationRow | undefined> => db.one(bySlug(db, db.q, slug));

/** Every organisation, by slug. */
export function* organisationRows(db: Store, q: Q): Body<OrganisationRow[]> {
  return bySlugOrder(yield* all(q.select().from(db.t.organisations)));
}

export const allOrganisations = (db: Store) => outside(db, organisationRows(db, db.q));

export function* insertOrganisation(db: Store, q: Q, row: Omit<OrganisationRow, 'disabledAt'>): Body<void> {
  yield* run(q.insert(db.t.organisations).values(row));
}

/** Which of `slugs` are in the register. */
export async function knownSlugs(db: Store, slugs: string[]): Promise<string[]> {
  if (slugs.length === 0) return [];
  const { organisations } = db.t;
  const rows = await db.many(db.q.select({ slug: organisations.slug }).from(organisations).where(inArray(organisations.slug, slugs)));
  return rows.map((r) => r.slug);
}

/** Writes every changeable field of the record; the number of rows changed. */
export function* updateOrganisation(db: Store, q: Q, slug: string, fields: OrganisationFields): Body<number> {
  const { organisations } = db.t;
  return yield* run(q.update(organisations).set(fields).where(eq(organisations.slug, slug)));
}

/** Compare-and-set on the record's kind: false if it was no longer `from`. */
export function* setKind(db: Store, q: Q, slug: string, from: OrgKind, to: OrgKind): Body<boolean> {
  const { organisations } = db.t;
  return (
    (yield* run(
      q
        .update(organisations)
        .set({ kind: to })
        .where(and(eq(organisations.slug, slug), eq(organisations.kind, from))),
    )) === 1
  );
}

/** Disables the organisation: false if it already was. */
export function* setDisabled(db: Store, q: Q, slug: string, at: string): Body<boolean> {
  const { organisations } = db.t;
  return (
    (yield* run(
      q
        .update(organisations)
        .set({ disabledAt: at })
        .where(and(eq(organisations.slug, slug), isNull(organisations.disabledAt))),
    )) === 1
  );
}

/** Re-admits a disabled organisation: false if it was not disabled (any more). */
export function* setEnabled(db: Store, q: Q, slug: string): Body<boolean> {
  const { organisations } = db.t;
  return (
    (yield* run(
      q
        .update(organisations)
        .set({ disabledAt: null })
        .where(and(eq(organisations.slug, slug), isNotNull(organisations.disabledAt))),
    )) === 1
  );
}

/** Replaces the stored key set only while it still says `from`: false if it changed meanwhile. */
export function* setJwksFrom(db: Store, q: Q, slug: string, from: string, to: string | null): Body<boolean> {
  const { organisations } = db.t;
  return (
    (yield* run(
      q
        .update(organisations)
        .set({ jwks: to })
        .where(and(eq(organisations.slug, slug), eq(organisations.jwks, from))),
    )) === 1
  );
}

export type OrganisationSummary = { kind: OrgKind; contact: string | null; name: string };

const summaries = new WeakMap<Store, (slug: string) => Promise<OrganisationSummary | undefined>>();
/** What the read path needs of an owner or a reader's organisation: prepared once per store, looked up per request. */
export function organisationSummaries(db: Store) {
  let lookup = summaries.get(db);
  if (!lookup) {
    const { organisations } = db.t;
    const p = db.prepared<{ slug: string }, OrganisationSummary>('register_organisation_summary', (q) =>
      q
        .select({ kind: organisations.kind, contact: organisations.contact, name: organisations.name })
        .from(organisations)
        .where(eq(organisations.slug, sql.placeholder('slug'))),
    );
    lookup = (slug: string) => p.one({ slug });
    summaries.set(db, lookup);
  }
  return lookup;
}

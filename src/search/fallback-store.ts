// The search fallback's own copy of each indexed plan (`search_fallback`): what both dialects share. The
// name keys over the rows, and the writes that keep the two together, are each dialect's own
// (fallback-fts5-store.ts on SQLite, fallback-pg-store.ts on PostgreSQL).
import { and, asc, count, inArray, like, sql, type SQL } from 'drizzle-orm';
import type { Body, Q, Store } from '../../db/runtime.js';
import type { SearchDoc } from './document.js';

export type CandidateFilter = {
  owners: readonly string[];
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: a prefix of the ISO date of birth. */
  dob?: string;
  /** Any of these dates (all of one precision): the dates one slip away from the one given. */
  dobAnyOf?: readonly string[];
};

/** What each dialect writes and matches its own way. */
export type FallbackDialect = {
  /**
   * Inside the caller's write transaction: the plans in `put` hold these documents (replacing what they
   * had), those in `drop` are gone. Each plan's row and its keys change together.
   */
  write(q: Q, put: SearchDoc[], drop: string[]): Body<void>;
  /** Every row and key gone, in one transaction. */
  clear(): Promise<void>;
  /** In how many indexed plans each term occurs (absent: none). */
  docFrequencies(terms: string[]): Promise<Map<string, number>>;
  /**
   * The `doc` of plans matching any term (or the prefix, when given) within `scope`, best match first:
   * on both dialects by bm25 over the names, variants, phonetic and places keys, weighted 4, 2, 1, 1.
   */
  matching(terms: string[], prefix: string | undefined, scope: SQL, limit: number): Promise<{ doc: string }[]>;
};

export function fallbackStore(db: Store, dialect: FallbackDialect) {
  const { searchFallback: f } = db.t;
  const scope = (filter: CandidateFilter) => {
    const anyOf = filter.dobAnyOf ?? [];
    const width = sql.raw(String(Number(anyOf[0]?.length ?? 10)));
    return and(
      inArray(f.owningOrg, [...filter.owners]),
      filter.dob ? like(f.dateOfBirth, `${filter.dob}%`) : undefined,
      anyOf.length ? inArray(sql`substr(${f.dateOfBirth}, 1, ${width})`, [...anyOf]) : undefined,
    )!;
  };
  return {
    write: dialect.write,
    /** Several documents in one transaction (a rebuild's batch). */
    putAll: (docs: SearchDoc[]) => db.tx((q) => dialect.write(q, docs, [])),
    clear: dialect.clear,
    count: async () => (await db.one(db.q.select({ n: count() }).from(f)))?.n ?? 0,
    docFrequencies: dialect.docFrequencies,
    /** Every indexed plan's document (a node's in-process keys load them: key-index.ts). */
    async all(): Promise<SearchDoc[]> {
      const rows = await db.many(db.q.select({ doc: f.doc }).from(f).orderBy(asc(f.rowid)));
      return rows.map((r) => JSON.parse(r.doc) as SearchDoc);
    },
    /** The documents of those of these plans that are indexed. */
    async docsOf(planIds: string[]): Promise<SearchDoc[]> {
      if (!planIds.length) return [];
      const rows = await db.many(db.q.select({ doc: f.doc }).from(f).where(inArray(f.planId, planIds)));
      return rows.map((r) => JSON.parse(r.doc) as SearchDoc);
    },
    /**
     * Plans matching any of the terms (or the prefix) within the filter, best first; with neither, every
     * plan the filter leaves (up to `limit`). Terms are the caller's, already checked.
     */
    async candidates(terms: string[], prefix: string | undefined, filter: CandidateFilter, limit: number): Promise<SearchDoc[]> {
      const rows =
        terms.length || prefix
          ? await dialect.matching(terms, prefix, scope(filter), limit)
          : await db.many(db.q.select({ doc: f.doc }).from(f).where(scope(filter)).orderBy(asc(f.rowid)).limit(limit));
      return rows.map((r) => JSON.parse(r.doc) as SearchDoc);
    },
  };
}

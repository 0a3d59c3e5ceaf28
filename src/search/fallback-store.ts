// The search fallback's own copy of each indexed plan (`search_fallback`), written once for both dialects;
// the name keys over it are the dialect's own (fallback-fts5-store.ts on SQLite, fallback-pg-store.ts on
// PostgreSQL), written in the same transaction as the row they belong to.
import { and, asc, count, eq, inArray, like, sql, type SQL } from 'drizzle-orm';
import { one, run, type Body, type Q, type Store } from '../../db/runtime.js';
import type { SearchDoc } from './document.js';

export type CandidateFilter = {
  owners: readonly string[];
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: a prefix of the ISO date of birth. */
  dob?: string;
  /** Any of these dates (all of one precision): the dates one slip away from the one given. */
  dobAnyOf?: readonly string[];
};

/** A dialect's name keys over `search_fallback` rows, tied to them by `rowid`. */
export type FallbackKeys = {
  /** The statement that adds a row's keys. */
  add(rowid: number, doc: SearchDoc): SQL;
  /** The statement that removes a row's keys. */
  remove(rowid: number): SQL;
  /** The statements that remove every key (before the rows themselves go). */
  clear: SQL[];
  /** In how many indexed plans each term occurs (absent: none). */
  docFrequencies(db: Store, terms: string[]): Promise<Map<string, number>>;
  /**
   * The `doc` of plans matching any term (or the prefix, when given) within `scope`, best match first:
   * the same ranking on both dialects (bm25 over the names, variants, phonetic and places keys).
   */
  matching(db: Store, terms: string[], prefix: string | undefined, scope: SQL, limit: number): Promise<{ doc: string }[]>;
};

export type FallbackStore = ReturnType<typeof fallbackStore>;

export function fallbackStore(db: Store, keys: FallbackKeys) {
  const { searchFallback: f } = db.t;

  function* drop(q: Q, planId: string): Body<void> {
    const row = yield* one(q.select({ rowid: f.rowid }).from(f).where(eq(f.planId, planId)));
    if (!row) return;
    yield* run(keys.remove(row.rowid));
    yield* run(q.delete(f).where(eq(f.rowid, row.rowid)));
  }
  function* put(q: Q, doc: SearchDoc): Body<void> {
    yield* drop(q, doc.id);
    const { rowid } = yield* one(
      q
        .insert(f)
        .values({ planId: doc.id, owningOrg: doc.owningOrg, dateOfBirth: doc.dateOfBirth, doc: JSON.stringify(doc) })
        .returning({ rowid: f.rowid }),
    );
    yield* run(keys.add(rowid, doc));
  }

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
    /** Inside the caller's write transaction: the plan's document, replacing any it had. */
    put,
    /** Inside the caller's write transaction: the plan is gone from the fallback. */
    drop,
    /** Several documents in one transaction (a rebuild's batch). */
    putAll: (docs: SearchDoc[]) =>
      db.tx(function* (q) {
        for (const doc of docs) yield* put(q, doc);
      }),
    clear: () =>
      db.tx(function* (q) {
        for (const s of keys.clear) yield* run(s);
        yield* run(q.delete(f));
      }),
    count: async () => (await db.one(db.q.select({ n: count() }).from(f)))?.n ?? 0,
    docFrequencies: (terms: string[]) => keys.docFrequencies(db, terms),
    /**
     * Plans matching any of the terms (or the prefix) within the filter, best first; with neither, every
     * plan the filter leaves (up to `limit`). Terms are the caller's, already checked.
     */
    async candidates(terms: string[], prefix: string | undefined, filter: CandidateFilter, limit: number): Promise<SearchDoc[]> {
      const rows =
        terms.length || prefix
          ? await keys.matching(db, terms, prefix, scope(filter), limit)
          : await db.many(db.q.select({ doc: f.doc }).from(f).where(scope(filter)).orderBy(asc(f.rowid)).limit(limit));
      return rows.map((r) => JSON.parse(r.doc) as SearchDoc);
    },
  };
}

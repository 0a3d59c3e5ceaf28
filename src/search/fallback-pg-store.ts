// PostgreSQL's name keys for the search fallback. FTS5 has no PostgreSQL form, and neither tsvector (its
// ts_rank knows nothing of how rare a term is) nor pg_trgm (similarity of whole strings, where the
// documents' keys already carry the spellings, nicknames and sounds a name is found by) ranks these keys
// as the SQLite fallback does. So the keys go into a table of their own, one row per (term, field) of a
// plan, and candidates are ranked by the same bm25 that FTS5 computes (same weights, k1 = 1.2, b = 0.75,
// the same IDF over every indexed plan): the PostgreSQL fallback finds who the SQLite one finds.
// The table is PostgreSQL-only (db/pg/migrations: search_fallback_terms).
import { sql, type SQL } from 'drizzle-orm';
import type { Store } from '../../db/runtime.js';
import type { SearchDoc } from './document.js';
import type { FallbackKeys } from './fallback-store.js';

/** The fields in FTS5's column order, and bm25's weight for each (fallback-fts5-store.ts). */
const FIELDS = ['names', 'variants', 'phonetic', 'places'] as const satisfies readonly (keyof SearchDoc)[];
const WEIGHT = sql.raw('CASE field WHEN 0 THEN 4.0 WHEN 1 THEN 2.0 ELSE 1.0 END');
const K1 = 1.2;
const B = 0.75;

/**
 * How many plans are indexed and their mean number of keys, for bm25: counted at most every few seconds
 * (counting every key costs more than a search), as FTS5 keeps them in its own structure.
 */
const totalsOf = new WeakMap<Store, { at: number; value: Promise<{ rows: number; meanLen: number }> }>();
function totals(db: Store) {
  const cached = totalsOf.get(db);
  if (cached && Date.now() - cached.at < 5000) return cached.value;
  const value = db
    .one<{ rows: number; keys: number }>(
      sql`SELECT (SELECT count(*) FROM search_fallback)::int AS rows, (SELECT count(*) FROM search_fallback_terms)::int AS keys`,
    )
    .then((r) => ({ rows: r?.rows ?? 0, meanLen: r && r.rows ? r.keys / r.rows : 1 }));
  totalsOf.set(db, { at: Date.now(), value });
  value.catch(() => totalsOf.delete(db));
  return value;
}

const textArray = (xs: string[]) => sql`${sql.param(xs)}::text[]`;

export const pgKeys: FallbackKeys = {
  add(rowid, doc) {
    const terms: string[] = [];
    const fields: number[] = [];
    FIELDS.forEach((name, field) => {
      for (const term of new Set(doc[name].split(' ').filter(Boolean))) {
        terms.push(term);
        fields.push(field);
      }
    });
    return sql`INSERT INTO search_fallback_terms (rowid, term, field, len)
      SELECT ${rowid}::bigint, k.term, k.field, ${terms.length}::int
      FROM unnest(${textArray(terms)}, ${sql.param(fields)}::smallint[]) AS k(term, field)`;
  },
  remove: (rowid) => sql`DELETE FROM search_fallback_terms WHERE rowid = ${rowid}::bigint`,
  clear: [sql`DELETE FROM search_fallback_terms`],
  async docFrequencies(db: Store, terms: string[]) {
    if (!terms.length) return new Map();
    const rows = await db.many<{ term: string; n: number }>(
      sql`SELECT term, count(DISTINCT rowid)::int AS n FROM search_fallback_terms WHERE term = ANY(${textArray(terms)}) GROUP BY term`,
    );
    return new Map(rows.map((r) => [r.term, r.n]));
  },
  async matching(db: Store, terms: string[], prefix: string | undefined, scope: SQL, limit: number) {
    const { rows, meanLen } = await totals(db);
    // A prefix is one phrase matching every key that starts with it, as FTS5's "abc"* is. Keys are
    // [a-z0-9] in the C collation, so they all sort below the prefix followed by '{'.
    const hits = sql`SELECT rowid, field, len, term AS phrase FROM search_fallback_terms WHERE term = ANY(${textArray(terms)})${
      prefix
        ? sql` UNION ALL SELECT rowid, field, len, '*' FROM search_fallback_terms WHERE term >= ${prefix} AND term < ${`${prefix}{`}`
        : sql``
    }`;
    // bm25 as FTS5 computes it: per phrase, IDF (floored at 1e-6) times the weighted count of the fields
    // holding it, saturated by k1 and normalised by the plan's number of keys against the mean.
    return db.many<{ doc: string }>(sql`
      WITH hits AS (${hits}),
      df AS (SELECT phrase, count(DISTINCT rowid) AS n FROM hits GROUP BY phrase),
      per AS (SELECT rowid, phrase, min(len) AS len, sum(${WEIGHT}) AS w FROM hits GROUP BY rowid, phrase),
      scored AS (
        SELECT per.rowid, sum(
          greatest(ln((${rows}::float8 - df.n + 0.5) / (df.n + 0.5)), 1e-6)
          * per.w * ${K1 + 1}::float8 / (per.w + ${K1}::float8 * (${1 - B}::float8 + ${B}::float8 * per.len / ${meanLen}::float8))
        ) AS score
        FROM per JOIN df USING (phrase) GROUP BY per.rowid
      )
      SELECT search_fallback.doc FROM scored JOIN search_fallback ON search_fallback.rowid = scored.rowid
      WHERE ${scope}
      ORDER BY scored.score DESC, search_fallback.rowid
      LIMIT ${limit}`);
  },
};

// PostgreSQL's side of the search fallback. FTS5 has no PostgreSQL form, and neither tsvector (ts_rank
// knows nothing of how rare a term is) nor pg_trgm (likeness of whole strings, where the documents' keys
// already carry the spellings, nicknames and sounds a name is found by) ranks these keys as the SQLite
// fallback does. So the keys go into a table of their own, one row per key and field of a plan
// (`search_fallback_terms`, PostgreSQL migration 0001), and candidates are ranked by the bm25 FTS5
// computes (same weights, k1 = 1.2, b = 0.75, IDF over every indexed plan): the PostgreSQL fallback finds
// whom the SQLite one finds, in the same order. Writes are a few set-based statements per batch.
import { sql, type SQL } from 'drizzle-orm';
import { run, type Store } from '../../db/runtime.js';
import type { SearchDoc } from './document.js';
import type { FallbackDialect } from './fallback-store.js';

/** The fields in FTS5's column order, and bm25's weight for each (fallback-fts5-store.ts). */
const FIELDS = ['names', 'variants', 'phonetic', 'places'] as const satisfies readonly (keyof SearchDoc)[];
const WEIGHT = sql.raw('CASE field WHEN 0 THEN 4.0 WHEN 1 THEN 2.0 ELSE 1.0 END');
const K1 = 1.2;
const B = 0.75;

const texts = (xs: string[]) => sql`${sql.param(xs)}::text[]`;
const ints = (xs: number[], type: 'int' | 'smallint') => sql`${sql.param(xs)}::${sql.raw(type)}[]`;

export function pgFallback(db: Store): FallbackDialect {
  /**
   * How many plans are indexed and their mean number of keys, for bm25: counted at most every few seconds
   * (counting every key costs more than a search), as FTS5 keeps them in its own structure.
   */
  let totals: { at: number; value: Promise<{ plans: number; meanKeys: number }> } | undefined;
  const currentTotals = () => {
    if (totals && Date.now() - totals.at < 5000) return totals.value;
    const value = db
      .one<{ plans: number; keys: number }>(
        sql`SELECT (SELECT count(*) FROM search_fallback)::int AS plans, (SELECT count(*) FROM search_fallback_terms)::int AS keys`,
      )
      .then((r) => ({ plans: r?.plans ?? 0, meanKeys: r?.plans ? r.keys / r.plans : 1 }));
    const mine = { at: Date.now(), value };
    totals = mine;
    value.catch(() => totals === mine && (totals = undefined));
    return value;
  };

  return {
    *write(_q, docs, gone) {
      const ids = [...new Set([...docs.map((d) => d.id), ...gone])].sort();
      if (!ids.length) return;
      // Writers of one plan take turns, in plan order (no deadlock between two batches): two at once
      // would both find no row and both insert one.
      yield* run(sql`SELECT pg_advisory_xact_lock(hashtextextended('search-fallback:' || id, 0)) FROM unnest(${texts(ids)}) AS id`);
      yield* run(
        sql`DELETE FROM search_fallback_terms WHERE rowid IN (SELECT rowid FROM search_fallback WHERE plan_id = ANY(${texts(ids)}))`,
      );
      yield* run(sql`DELETE FROM search_fallback WHERE plan_id = ANY(${texts(ids)})`);
      if (!docs.length) return;
      const keys = { plan: [] as string[], term: [] as string[], field: [] as number[], len: [] as number[] };
      for (const doc of docs) {
        const start = keys.term.length;
        FIELDS.forEach((name, field) => {
          for (const term of new Set(doc[name].split(' ').filter(Boolean))) {
            keys.plan.push(doc.id);
            keys.term.push(term);
            keys.field.push(field);
          }
        });
        // bm25's document length: the plan's number of keys (each field's keys are distinct already).
        for (let i = start; i < keys.term.length; i++) keys.len.push(keys.term.length - start);
      }
      yield* run(sql`
        WITH added AS (
          INSERT INTO search_fallback (plan_id, owning_org, date_of_birth, doc)
          SELECT * FROM unnest(${texts(docs.map((d) => d.id))}, ${texts(docs.map((d) => d.owningOrg))},
            ${texts(docs.map((d) => d.dateOfBirth))}, ${texts(docs.map((d) => JSON.stringify(d)))})
          RETURNING rowid, plan_id
        )
        INSERT INTO search_fallback_terms (term, rowid, field, len)
        SELECT k.term, added.rowid, k.field, k.len
        FROM unnest(${texts(keys.plan)}, ${texts(keys.term)}, ${ints(keys.field, 'smallint')}, ${ints(keys.len, 'int')}) AS k(plan_id, term, field, len)
        JOIN added USING (plan_id)`);
    },
    clear: () =>
      db.tx(function* () {
        yield* run(sql`DELETE FROM search_fallback_terms`);
        yield* run(sql`DELETE FROM search_fallback`);
      }),
    async docFrequencies(terms: string[]) {
      if (!terms.length) return new Map();
      const rows = await db.many<{ term: string; n: number }>(
        sql`SELECT term, count(DISTINCT rowid)::int AS n FROM search_fallback_terms WHERE term = ANY(${texts(terms)}) GROUP BY term`,
      );
      return new Map(rows.map((r) => [r.term, r.n]));
    },
    async matching(terms: string[], prefix: string | undefined, scope: SQL, limit: number) {
      const { plans, meanKeys } = await currentTotals();
      // A prefix is one phrase matching every key that starts with it, as FTS5's "abc"* is. Keys are
      // [a-z0-9] in the C collation, so they all sort below the prefix followed by '{'.
      const withPrefix = prefix
        ? sql` UNION ALL SELECT rowid, field, len, '*' FROM search_fallback_terms WHERE term >= ${prefix} AND term < ${`${prefix}{`}`
        : sql``;
      // bm25 as FTS5 computes it: per phrase, IDF (floored at 1e-6) times the weighted count of the
      // fields holding it, saturated by k1 and normalised by the plan's number of keys against the mean.
      return db.many<{ doc: string }>(sql`
        WITH hits AS (
          SELECT rowid, field, len, term AS phrase FROM search_fallback_terms WHERE term = ANY(${texts(terms)})${withPrefix}
        ),
        df AS (SELECT phrase, count(DISTINCT rowid) AS n FROM hits GROUP BY phrase),
        per AS (SELECT rowid, phrase, min(len) AS len, sum(${WEIGHT}) AS w FROM hits GROUP BY rowid, phrase),
        scored AS (
          SELECT per.rowid, sum(
            greatest(ln((${plans}::float8 - df.n + 0.5) / (df.n + 0.5)), 1e-6)
            * per.w * ${K1 + 1}::float8 / (per.w + ${K1}::float8 * (${1 - B}::float8 + ${B}::float8 * per.len / ${meanKeys}::float8))
          ) AS score
          FROM per JOIN df USING (phrase) GROUP BY per.rowid
        )
        SELECT search_fallback.doc FROM scored JOIN search_fallback ON search_fallback.rowid = scored.rowid
        WHERE ${scope}
        ORDER BY scored.score DESC, search_fallback.rowid
        LIMIT ${limit}`);
    },
  };
}

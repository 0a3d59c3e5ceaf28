// SQLite's name keys for the search fallback: FTS5 (`search_fts`, migration 0005) over the same normalised
// keys Meilisearch holds, with `fts5vocab` counting the plans that hold each term.
import { sql, type SQL } from 'drizzle-orm';
import type { Store } from '../../db/runtime.js';
import type { FallbackKeys } from './fallback-store.js';

export const fts5Keys: FallbackKeys = {
  add: (rowid, doc) =>
    sql`INSERT INTO search_fts (rowid, names, variants, phonetic, places) VALUES (${rowid}, ${doc.names}, ${doc.variants}, ${doc.phonetic}, ${doc.places})`,
  remove: (rowid) => sql`DELETE FROM search_fts WHERE rowid = ${rowid}`,
  clear: [sql`DELETE FROM search_fts`],
  async docFrequencies(db: Store, terms: string[]) {
    if (!terms.length) return new Map();
    const rows = await db.many<{ term: string; n: number }>(
      sql`SELECT term, doc AS n FROM search_fts_vocab WHERE term IN ${terms}`,
    );
    return new Map(rows.map((r) => [r.term, r.n]));
  },
  matching(db: Store, terms: string[], prefix: string | undefined, scope: SQL, limit: number) {
    // Quoted tokens of [a-z0-9] only (fallback.ts checks them): nothing typed can become FTS5 syntax.
    const match = [...terms.map((t) => `"${t}"`), ...(prefix ? [`"${prefix}"*`] : [])].join(' OR ');
    return db.many<{ doc: string }>(
      sql`SELECT search_fallback.doc FROM search_fts JOIN search_fallback ON search_fallback.rowid = search_fts.rowid
          WHERE search_fts MATCH ${match} AND ${scope}
          ORDER BY bm25(search_fts, 4.0, 2.0, 1.0, 1.0) LIMIT ${limit}`,
    );
  },
};

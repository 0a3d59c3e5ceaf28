// SQLite's side of the search fallback: FTS5 (`search_fts`, migration 0005) over the same normalised keys
// Meilisearch holds, sharing each `search_fallback` row's rowid, with `fts5vocab` counting the plans that
// hold each term. Its writes are statements prepared once on the connection (a rebuild writes every plan),
// run inside the caller's transaction.
import { sql, type SQL } from 'drizzle-orm';
import { run, type Store } from '../../db/runtime.js';
import type { SearchDoc } from './document.js';
import type { FallbackDialect } from './fallback-store.js';

export function fts5Fallback(db: Store): FallbackDialect {
  const client = db.sqlite!.client;
  const rowOf = client.prepare<[string], { rowid: number }>('SELECT rowid FROM search_fallback WHERE plan_id = ?');
  const delKeys = client.prepare<[number]>('DELETE FROM search_fts WHERE rowid = ?');
  const delRow = client.prepare<[number]>('DELETE FROM search_fallback WHERE rowid = ?');
  const insRow = client.prepare<[string, string, string, string]>(
    'INSERT INTO search_fallback (plan_id, owning_org, date_of_birth, doc) VALUES (?, ?, ?, ?)',
  );
  const insKeys = client.prepare<[number | bigint, string, string, string, string]>(
    'INSERT INTO search_fts (rowid, names, variants, phonetic, places) VALUES (?, ?, ?, ?, ?)',
  );
  const drop = (planId: string) => {
    const row = rowOf.get(planId);
    if (!row) return 0;
    delKeys.run(row.rowid);
    return delRow.run(row.rowid).changes;
  };
  const put = (doc: SearchDoc) => {
    drop(doc.id);
    const { lastInsertRowid } = insRow.run(doc.id, doc.owningOrg, doc.dateOfBirth, JSON.stringify(doc));
    insKeys.run(lastInsertRowid, doc.names, doc.variants, doc.phonetic, doc.places);
  };

  return {
    // One step of the transaction (SQLite runs the body synchronously on this connection).
    *write(_q, docs, gone) {
      yield* run({
        run() {
          let changes = 0;
          for (const id of gone) changes += drop(id);
          for (const doc of docs) put(doc);
          return { changes: changes + docs.length };
        },
      });
    },
    clear: () =>
      db.tx(function* () {
        yield* run(sql`DELETE FROM search_fts`);
        yield* run(sql`DELETE FROM search_fallback`);
      }),
    async docFrequencies(terms: string[]) {
      if (!terms.length) return new Map();
      const rows = await db.many<{ term: string; n: number }>(sql`SELECT term, doc AS n FROM search_fts_vocab WHERE term IN ${terms}`);
      return new Map(rows.map((r) => [r.term, r.n]));
    },
    matching(terms: string[], prefix: string | undefined, scope: SQL, limit: number) {
      // Quoted tokens of [a-z0-9] only (fallback.ts checks them): nothing typed can become FTS5 syntax.
      const match = [...terms.map((t) => `"${t}"`), ...(prefix ? [`"${prefix}"*`] : [])].join(' OR ');
      return db.many<{ doc: string }>(
        sql`SELECT search_fallback.doc FROM search_fts JOIN search_fallback ON search_fallback.rowid = search_fts.rowid
            WHERE search_fts MATCH ${match} AND ${scope}
            ORDER BY bm25(search_fts, 4.0, 2.0, 1.0, 1.0) LIMIT ${limit}`,
      );
    },
  };
}

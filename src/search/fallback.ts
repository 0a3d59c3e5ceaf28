import type { Db } from '../../db/index.js';
import type { SearchDoc } from './document.js';

export type CandidateFilter = {
  owners: readonly string[];
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: a prefix of the ISO date of birth. */
  dob?: string;
  /** Any of these dates (all of one precision): the dates one slip away from the one given. */
  dobAnyOf?: readonly string[];
};

/**
 * SQLite copy of the index: the degraded path when Meilisearch is down or slow, and the term counts the
 * re-ranker uses for rarity. Terms reach FTS5 only as quoted tokens made of [a-z0-9], built by our own
 * normaliser, so nothing a user types can become FTS5 syntax.
 */
export function createFallbackStore(db: Db) {
  const sql = db.$client;
  const rowOf = sql.prepare<[string], { rowid: number }>('SELECT rowid FROM search_fallback WHERE plan_id = ?');
  const delFts = sql.prepare<[number]>('DELETE FROM search_fts WHERE rowid = ?');
  const delRow = sql.prepare<[number]>('DELETE FROM search_fallback WHERE rowid = ?');
  const insRow = sql.prepare<[string, string, string, string]>(
    'INSERT INTO search_fallback (plan_id, owning_org, date_of_birth, doc) VALUES (?, ?, ?, ?)',
  );
  const insFts = sql.prepare<[number | bigint, string, string, string, string]>(
    'INSERT INTO search_fts (rowid, names, variants, phonetic, places) VALUES (?, ?, ?, ?, ?)',
  );
  const df = sql.prepare<[string], { doc: number }>('SELECT doc FROM search_fts_vocab WHERE term = ?');
  const total = sql.prepare<[], { n: number }>('SELECT count(*) AS n FROM search_fallback');

  const remove = (planId: string) => {
    const row = rowOf.get(planId);
    if (!row) return;
    delFts.run(row.rowid);
    delRow.run(row.rowid);
  };
  const upsert = (doc: SearchDoc) => {
    remove(doc.id);
    const { lastInsertRowid } = insRow.run(doc.id, doc.owningOrg, doc.dateOfBirth, JSON.stringify(doc));
    insFts.run(lastInsertRowid, doc.names, doc.variants, doc.phonetic, doc.places);
  };

  return {
    upsert: (doc: SearchDoc) => sql.transaction(upsert)(doc),
    remove: (planId: string) => sql.transaction(remove)(planId),
    clear: () => sql.exec('DELETE FROM search_fts; DELETE FROM search_fallback;'),
    count: () => total.get()!.n,
    /** In how many indexed plans a term occurs (0 if none). */
    docFrequency: (term: string) => df.get(term)?.doc ?? 0,
    /** Plans matching any of the terms (the last may be a prefix), within scope, best FTS5 rank first. */
    candidates(terms: string[], prefix: string | undefined, filter: CandidateFilter, limit: number): SearchDoc[] {
      if (filter.owners.length === 0) return [];
      const safe = (t: string) => /^[a-z0-9]+$/.test(t);
      const parts = [...new Set(terms.filter(safe))].map((t) => `"${t}"`);
      if (prefix && safe(prefix) && prefix.length >= 2) parts.push(`"${prefix}"*`);
      const owners = filter.owners.map(() => '?').join(',');
      const anyOf = filter.dobAnyOf ?? [];
      let dobClause = filter.dob ? ' AND f.date_of_birth LIKE ?' : '';
      if (anyOf.length) dobClause += ` AND substr(f.date_of_birth, 1, ${anyOf[0]!.length}) IN (${anyOf.map(() => '?').join(',')})`;
      const params: unknown[] = [...filter.owners, ...(filter.dob ? [`${filter.dob}%`] : []), ...anyOf];
      const rows = parts.length
        ? sql
            .prepare(
              `SELECT f.doc FROM search_fts JOIN search_fallback f ON f.rowid = search_fts.rowid
               WHERE search_fts MATCH ? AND f.owning_org IN (${owners})${dobClause}
               ORDER BY bm25(search_fts, 4.0, 2.0, 1.0, 1.0) LIMIT ?`,
            )
            .all(parts.join(' OR '), ...params, limit)
        : sql
            .prepare(`SELECT f.doc FROM search_fallback f WHERE f.owning_org IN (${owners})${dobClause} LIMIT ?`)
            .all(...params, limit);
      return (rows as { doc: string }[]).map((r) => JSON.parse(r.doc) as SearchDoc);
    },
  };
}
export type FallbackStore = ReturnType<typeof createFallbackStore>;

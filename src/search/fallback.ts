import type { Store } from '../../db/runtime.js';
import type { SearchDoc } from './document.js';
import { fallbackStore, type CandidateFilter } from './fallback-store.js';
import { fts5Fallback } from './fallback-fts5-store.js';
import { pgFallback } from './fallback-pg-store.js';

export type { CandidateFilter } from './fallback-store.js';

/**
 * The database's copy of the index: the degraded path when Meilisearch is down or slow, and the term
 * counts the re-ranker uses for rarity. Its name keys are FTS5 on SQLite and a keys table ranked the
 * same way on PostgreSQL. Terms reach either only when made of [a-z0-9] (our own normaliser's output),
 * so nothing a user types can become query syntax.
 */
export function createFallbackStore(db: Store) {
  const store = fallbackStore(db, db.kind === 'pg' ? pgFallback(db) : fts5Fallback(db));
  const safe = (t: string) => /^[a-z0-9]+$/.test(t);
  return {
    /** Inside the caller's write transaction: `put` plans hold these documents now, `drop` plans none. */
    write: store.write,
    putAll: store.putAll,
    clear: store.clear,
    count: store.count,
    all: store.all,
    docsOf: store.docsOf,
    /** In how many indexed plans each term occurs (absent: none). */
    docFrequencies: (terms: string[]) => store.docFrequencies([...new Set(terms.filter(safe))]),
    /** Plans matching any of the terms (the last may be a prefix), within scope, best match first. */
    async candidates(terms: string[], prefix: string | undefined, filter: CandidateFilter, limit: number): Promise<SearchDoc[]> {
      if (filter.owners.length === 0) return [];
      const words = [...new Set(terms.filter(safe))];
      const stem = prefix && safe(prefix) && prefix.length >= 2 ? prefix : undefined;
      return store.candidates(words, stem, filter, limit);
    },
  };
}
export type FallbackStore = ReturnType<typeof createFallbackStore>;

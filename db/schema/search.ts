import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The search fallback's own copy of each indexed plan (kept by the same outbox worker that feeds
 * Meilisearch). `rowid` is shared with the FTS5 table `search_fts` (custom migration), which holds the
 * same normalised name keys; `doc` is the SearchDoc as JSON, so a degraded answer looks like a normal one.
 */
export const searchFallback = sqliteTable(
  'search_fallback',
  {
    rowid: integer('rowid').primaryKey({ autoIncrement: true }),
    planId: text('plan_id').notNull().unique(),
    owningOrg: text('owning_org').notNull(),
    dateOfBirth: text('date_of_birth').notNull(),
    doc: text('doc').notNull(),
  },
  (t) => [index('search_fallback_org').on(t.owningOrg)],
);

/**
 * What the indexed documents were built with (search/document.ts `searchDocFormat`): when the way a
 * document is derived changes (a new variant table, new phonetic keys), start-up rebuilds the index
 * rather than leave old documents without the new keys until someone thinks to run `reindex`.
 */
export const searchIndexState = sqliteTable('search_index_state', {
  id: integer('id').primaryKey(),
  format: text('format').notNull(),
  builtAt: text('built_at').notNull(),
});

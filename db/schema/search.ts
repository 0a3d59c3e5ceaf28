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
 * How far each search index has applied the change log (`search_outbox`), keyed by the index's identity:
 * `fallback` (the copy in this database, one for every node), `meili:managed:<id>` (a node's own managed
 * Meilisearch; the id lives in that Meilisearch, so a lost data directory is a new index) or
 * `meili:external:<url>#<index>@<created>` (one shared by every node). `format` is the document format the
 * index was built with (search/document.ts `searchDocFormat`): a change rebuilds it. A shared index is
 * written by one node at a time: `holder` until `held_until`. `seen_at`: a cursor no node has worked for a
 * week no longer holds back pruning, and is dropped (its index rebuilds if it comes back).
 */
export const searchCursors = sqliteTable('search_cursors', {
  consumer: text('consumer').primaryKey(),
  position: integer('position').notNull(),
  format: text('format').notNull(),
  builtAt: text('built_at').notNull(),
  seenAt: text('seen_at').notNull(),
  holder: text('holder'),
  heldUntil: text('held_until'),
});

/**
 * Entries up to `pruned_through` are gone from the change log: a cursor below it cannot catch up and
 * rebuilds instead. One row (id 1).
 */
export const searchLogState = sqliteTable('search_log_state', {
  id: integer('id').primaryKey(),
  prunedThrough: integer('pruned_through').notNull(),
  prunedAt: text('pruned_at').notNull(),
});

/**
 * Plans whose search document could not be indexed (unreadable, ill-formed text, or refused by
 * Meilisearch while it takes others), with the reason (a field name or an error code, never content) and
 * the log entry it was set aside at. Settled by an index applying a later entry of the plan, by `cli
 * reindex`, or retried by `cli search-parked --retry` (which appends the plans to the log again).
 */
export const searchParked = sqliteTable('search_parked', {
  planId: text('plan_id').primaryKey(),
  position: integer('position').notNull(),
  parkedAt: text('parked_at').notNull(),
  reason: text('reason').notNull(),
});

import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * The search fallback's copy of each indexed plan. On SQLite `rowid` ties it to the FTS5 table; FTS5
 * has no PostgreSQL form, so here it ties it to the fallback's own keys table (`search_fallback_terms`,
 * hand-written migration 0001, src/search/fallback-pg-store.ts). The outbox worker replaces a plan's row
 * on each change, so the identity keeps climbing: bigint.
 */
export const searchFallback = pgTable(
  'search_fallback',
  {
    rowid: bigint('rowid', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    planId: text('plan_id').notNull().unique(),
    owningOrg: text('owning_org').notNull(),
    dateOfBirth: text('date_of_birth').notNull(),
    doc: text('doc').notNull(),
  },
  (t) => [index('search_fallback_org').on(t.owningOrg)],
);

/** How far each search index has applied the change log (db/schema/search.ts). */
export const searchCursors = pgTable('search_cursors', {
  consumer: text('consumer').primaryKey(),
  position: bigint('position', { mode: 'number' }).notNull(),
  format: text('format').notNull(),
  builtAt: text('built_at').notNull(),
  seenAt: text('seen_at').notNull(),
  holder: text('holder'),
  heldUntil: text('held_until'),
});

export const searchLogState = pgTable('search_log_state', {
  id: integer('id').primaryKey(),
  prunedThrough: bigint('pruned_through', { mode: 'number' }).notNull(),
  prunedAt: text('pruned_at').notNull(),
});

export const searchParked = pgTable('search_parked', {
  planId: text('plan_id').primaryKey(),
  position: bigint('position', { mode: 'number' }).notNull(),
  parkedAt: text('parked_at').notNull(),
  reason: text('reason').notNull(),
});

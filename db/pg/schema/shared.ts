import { bigint, boolean, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

// UNLOGGED on PostgreSQL (migration 0002, edited): counters and hand-offs need no WAL, no fsync per
// increment and no replica; a crash of the database empties them, which resets limits and nothing more.

export const limitHits = pgTable(
  'limit_hits',
  {
    key: text('key').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.at] }), index('limit_hits_at').on(t.at)],
);

export const limitRefs = pgTable(
  'limit_refs',
  {
    key: text('key').notNull(),
    ref: text('ref').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.ref] }), index('limit_refs_at').on(t.at)],
);

export const refusalWindows = pgTable(
  'refusal_windows',
  {
    key: text('key').primaryKey(),
    tag: text('tag').notNull(),
    reason: text('reason').notNull(),
    actor: text('actor'),
    action: text('action').notNull(),
    channel: text('channel').notNull(),
    fromMs: bigint('from_ms', { mode: 'number' }).notNull(),
    count: integer('count').notNull(),
    overflow: boolean('overflow').notNull(),
  },
  (t) => [index('refusal_windows_from').on(t.fromMs)],
);

export const handoffs = pgTable(
  'handoffs',
  {
    key: text('key').primaryKey(),
    value: text('value').notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('handoffs_expires').on(t.expiresAt)],
);

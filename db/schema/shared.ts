import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// What several nodes on one database must count or hand on together (issue 23): rate-limit counters,
// refusal-summary windows, and values one request leaves for the next (which may reach another node).
// None of it is the register or the log: short-lived, pruned as it ages, left out of backups. On SQLite,
// one node, the service keeps the same in memory (src/server/guards/shared-state.ts says why).

/**
 * Hits per limit key and millisecond. A hit is an upsert-increment of its row, so hits on several nodes add
 * up and never overwrite each other; a window is the sum of its rows. Only hits let through are kept, so a
 * key has at most its longest window's limit of rows.
 */
export const limitHits = sqliteTable(
  'limit_hits',
  {
    /** `<limit name>:<hash of who or what is limited>`: never an address, a person or a card's secret. */
    key: text('key').notNull(),
    /** Epoch ms. */
    at: integer('at').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.at] }), index('limit_hits_at').on(t.at)],
);

/** Different references looked up per person (only different ones count), each with its latest time. */
export const limitRefs = sqliteTable(
  'limit_refs',
  {
    key: text('key').notNull(),
    /** A hash of the reference. */
    ref: text('ref').notNull(),
    /** Epoch ms. */
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.ref] }), index('limit_refs_at').on(t.at)],
);

/**
 * One open window of refused requests per (client, reason, action, channel): the first refusal is logged
 * by whichever node inserts the row, later ones only count, and whichever node takes the row once the window
 * has ended writes the one summary event.
 */
export const refusalWindows = sqliteTable(
  'refusal_windows',
  {
    key: text('key').primaryKey(),
    /** What the summary calls the client: `actor`, a keyed hash of its address, or `other`. */
    tag: text('tag').notNull(),
    reason: text('reason').notNull(),
    /** JSON of the refused actor (sub, org, roles) or null, for the summary event. */
    actor: text('actor'),
    action: text('action').notNull(),
    channel: text('channel').notNull(),
    /** Epoch ms the window opened. */
    fromMs: integer('from_ms').notNull(),
    count: integer('count').notNull(),
    overflow: integer('overflow', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('refusal_windows_from').on(t.fromMs)],
);

/** Left by one request for the next, single use (a card scan for the plan page it redirects to). */
export const handoffs = sqliteTable(
  'handoffs',
  {
    /** `<kind>:<hash>`. */
    key: text('key').primaryKey(),
    value: text('value').notNull(),
    /** Epoch ms after which it is void. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('handoffs_expires').on(t.expiresAt)],
);

import { bigint, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { accessActions, accessChannels, accessOutcomes } from '../../schema/audit.js';

export { accessActions, accessChannels, accessOutcomes } from '../../schema/audit.js';

/*
 * The access log grows by every search and view, for as long as the service runs: its sequence numbers
 * (and everything that holds one) are bigint, read back as JS numbers (db/pg/open.ts). Append-only is
 * enforced by triggers in the migration's hand-written part, as on SQLite.
 */

/** The event's own text columns stay text (not jsonb): the stored string is exactly what was hashed. */
export const accessEvents = pgTable(
  'access_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: text('at').notNull(),
    actorSub: text('actor_sub'),
    actorOrg: text('actor_org'),
    actorRoles: text('actor_roles'),
    action: text('action', { enum: accessActions }).notNull(),
    channel: text('channel', { enum: accessChannels }).notNull(),
    purpose: text('purpose'),
    planId: text('plan_id'),
    versionId: integer('version_id'),
    query: text('query'),
    resultPlanIds: text('result_plan_ids'),
    outcome: text('outcome', { enum: accessOutcomes }).notNull(),
    reason: text('reason'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('access_events_actor').on(t.actorSub, t.seq),
    index('access_events_org').on(t.actorOrg, t.seq),
    index('access_events_at').on(t.at),
  ],
);

export const accessEventPlans = pgTable(
  'access_event_plans',
  {
    planId: text('plan_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.seq] })],
);

export const accessIndexState = pgTable('access_index_state', {
  id: integer('id').primaryKey(),
  indexedSeq: bigint('indexed_seq', { mode: 'number' }).notNull(),
});

/**
 * The writer inserts without an id (SQLite's INTEGER PRIMARY KEY assigns one): an identity here. One per
 * batch of the log on several nodes, so bigint like the sequence it follows.
 */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  at: text('at').notNull(),
  headSeq: bigint('head_seq', { mode: 'number' }).notNull(),
  headHash: text('head_hash').notNull(),
  keyId: text('key_id').notNull(),
  signature: text('signature').notNull(),
});

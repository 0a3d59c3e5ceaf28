import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const accessActions = [
  'search',
  'view',
  'qr-scan',
  'print',
  'export',
  'history',
  'audit-read',
  'sign-in',
  'sign-out',
  'governance',
  'flag-review',
] as const;
export const accessChannels = ['api', 'web', 'qr', 'cli', 'fhir'] as const;
export const accessOutcomes = ['allowed', 'denied', 'emergency'] as const;

/**
 * The access log: one row per search, view, QR scan, print or export, written before any plan data is
 * sent. Append-only (triggers in the custom migration refuse UPDATE and DELETE) and hash-chained: `seq`
 * is assigned by the writer, gap-free, and each `hash` covers `prev_hash` plus the row's canonical form.
 */
export const accessEvents = sqliteTable(
  'access_events',
  {
    seq: integer('seq').primaryKey(),
    at: text('at').notNull(),
    actorSub: text('actor_sub'),
    actorOrg: text('actor_org'),
    /** JSON array of role names. */
    actorRoles: text('actor_roles'),
    action: text('action', { enum: accessActions }).notNull(),
    channel: text('channel', { enum: accessChannels }).notNull(),
    purpose: text('purpose'),
    planId: text('plan_id'),
    versionId: integer('version_id'),
    /** JSON object: the search terms or lookup key as given. */
    query: text('query'),
    /** JSON array of every plan id a search returned. */
    resultPlanIds: text('result_plan_ids'),
    outcome: text('outcome', { enum: accessOutcomes }).notNull(),
    reason: text('reason'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // No index on plan_id here: see accessEventPlans.
  (t) => [
    index('access_events_actor').on(t.actorSub, t.seq),
    index('access_events_org').on(t.actorOrg, t.seq),
    index('access_events_at').on(t.at),
  ],
);

/**
 * Which events concern which plan: the plan an event opened, and every plan a search returned. A
 * per-plan index on access_events itself made each commit of the log touch one random page per event
 * (half of every commit's time under load, on the path every response waits for). This lookup is
 * derived from the log after the events are durable (src/plans/access-log/writer/lookup.mjs: by the writer thread when it is
 * idle, and by any query that needs it first), so the person's report never misses an event.
 * Append-only, like the log (custom migration).
 */
export const accessEventPlans = sqliteTable(
  'access_event_plans',
  {
    planId: text('plan_id').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.seq] })],
);

/** How far accessEventPlans has been built: every event with seq <= indexedSeq is in it. */
export const accessIndexState = sqliteTable('access_index_state', {
  id: integer('id').primaryKey(),
  indexedSeq: integer('indexed_seq').notNull(),
});

/** Signed statements "the chain had head `hash` at `headSeq`", written at intervals and on shutdown. */
export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  id: integer('id').primaryKey(),
  at: text('at').notNull(),
  headSeq: integer('head_seq').notNull(),
  headHash: text('head_hash').notNull(),
  /** SHA-256 of the signer's SPKI public key (DER), so a verifier knows which key signed it. */
  keyId: text('key_id').notNull(),
  /** Base64 Ed25519 signature over the canonical JSON of {at, headSeq, headHash, keyId}. */
  signature: text('signature').notNull(),
});

// The plans/versions aggregate's statements, written once for both dialects (db/runtime.ts): plans,
// their versions, workflow events and the search outbox rows a change queues. The importer's are in
// import-store.ts.
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, exists, inArray, isNull, max, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { lock, one, run, type Body, type Q, type Schema, type Store } from '../../../db/runtime.js';
import { canonicalJson, sha256Hex } from '../core/canonical.js';
import type { PlanRecord } from '../core/content.js';

export type PlanRow = Schema['plans']['$inferSelect'];
export type VersionRow = Schema['planVersions']['$inferSelect'];
export type WorkflowEventRow = Schema['workflowEvents']['$inferSelect'];
/** One transaction's statements: the builder bound to it and the tables of the dialect in use. */
export type Tx = { q: Q; t: Schema };

/**
 * Runs `body` as one transaction (db/runtime.ts): it yields this module's statements (`yield* findPlanIn(tx, …)`),
 * decides from what they return, and never awaits anything itself.
 */
export function transaction<R>(db: Store, body: (tx: Tx) => Body<R>): Promise<R> {
  return db.tx((q) => body({ q, t: db.t }));
}

/**
 * Serialises the transactions that read a plan and decide on it (workflow steps, a person's copy): free on
 * SQLite, whose write transactions are serial anyway; on PostgreSQL an advisory lock on the plan.
 */
export const lockPlan = (planId: string) => lock(`plan:${planId}`);
/** The same for an organisation's reference, before there is a plan to lock. */
export const lockPlanRef = (owningOrg: string, externalRef: string) => lock(`plan-ref:${owningOrg}:${externalRef}`);

let idPool = Buffer.alloc(0);
let idOffset = 0;
/** Opaque, unguessable plan ids (96 random bits): a plan id in a URL says nothing about the person. */
export function newPlanId(): string {
  // Drawn 1,024 ids at a time: one randomBytes call per id was about 5% of a bulk import's own work.
  if (idOffset + 12 > idPool.length) {
    idPool = randomBytes(12 * 1024);
    idOffset = 0;
  }
  return idPool.toString('base64url', idOffset, (idOffset += 12));
}

export const recordHash = (record: PlanRecord) => sha256Hex(canonicalJson(record));

export const recordOf = (v: VersionRow): PlanRecord => ({
  subject: v.subject,
  locations: v.locations,
  plan: v.content,
  governance: v.governance,
});

export const versionColumnsOf = (record: PlanRecord) => ({
  subject: record.subject,
  locations: record.locations,
  content: record.plan,
  governance: record.governance,
  contentHash: recordHash(record),
  reviewBy: record.governance.reviewBy,
});

// Each statement once, for a transaction's builder and for the handle's alike.
const planQ = (q: Q, t: Schema, planId: string) => q.select().from(t.plans).where(eq(t.plans.id, planId));
const planByRefQ = (q: Q, t: Schema, owningOrg: string, externalRef: string) =>
  q
    .select()
    .from(t.plans)
    .where(and(eq(t.plans.owningOrg, owningOrg), eq(t.plans.externalRef, externalRef)));
const versionQ = (q: Q, t: Schema, planId: string, version: number) =>
  q
    .select()
    .from(t.planVersions)
    .where(and(eq(t.planVersions.planId, planId), eq(t.planVersions.version, version)));
const versionByIdQ = (q: Q, t: Schema, id: number) => q.select().from(t.planVersions).where(eq(t.planVersions.id, id));

export function findPlan(db: Store, planId: string): Promise<PlanRow | undefined> {
  return db.one(planQ(db.q, db.t, planId));
}
export function findPlanByRef(db: Store, owningOrg: string, externalRef: string): Promise<PlanRow | undefined> {
  return db.one(planByRefQ(db.q, db.t, owningOrg, externalRef));
}
export function findVersion(db: Store, planId: string, version: number): Promise<VersionRow | undefined> {
  return db.one(versionQ(db.q, db.t, planId, version));
}
export function findVersionById(db: Store, id: number): Promise<VersionRow | undefined> {
  return db.one(versionByIdQ(db.q, db.t, id));
}

/** The plan's highest-numbered version: the open draft, the one in review, or the last published. */
export function latestVersion(db: Store, planId: string): Promise<VersionRow | undefined> {
  const { planVersions } = db.t;
  return db.one(db.q.select().from(planVersions).where(eq(planVersions.planId, planId)).orderBy(desc(planVersions.version)).limit(1));
}

/** Every version of the plan, oldest first. */
export function versionsOf(db: Store, planId: string): Promise<VersionRow[]> {
  const { planVersions } = db.t;
  return db.many(db.q.select().from(planVersions).where(eq(planVersions.planId, planId)).orderBy(asc(planVersions.version)));
}

/** Every workflow event of the plan, in the order they happened. */
export function workflowEventsOf(db: Store, planId: string): Promise<WorkflowEventRow[]> {
  const { workflowEvents } = db.t;
  return db.many(db.q.select().from(workflowEvents).where(eq(workflowEvents.planId, planId)).orderBy(asc(workflowEvents.id)));
}

/** The last workflow step taken on one version. */
export function lastWorkflowEvent(db: Store, versionId: number): Promise<WorkflowEventRow | undefined> {
  const { workflowEvents } = db.t;
  return db.one(
    db.q.select().from(workflowEvents).where(eq(workflowEvents.versionId, versionId)).orderBy(desc(workflowEvents.id)).limit(1),
  );
}

// ---- Inside a transaction (workflow.ts): each yields its statement and returns what it read or changed.

export function* findPlanIn(tx: Tx, planId: string): Body<PlanRow | undefined> {
  return yield* one(planQ(tx.q, tx.t, planId));
}
export function* findPlanByRefIn(tx: Tx, owningOrg: string, externalRef: string): Body<PlanRow | undefined> {
  return yield* one(planByRefQ(tx.q, tx.t, owningOrg, externalRef));
}
export function* findVersionIn(tx: Tx, planId: string, version: number): Body<VersionRow | undefined> {
  return yield* one(versionQ(tx.q, tx.t, planId, version));
}
export function* findVersionByIdIn(tx: Tx, id: number): Body<VersionRow | undefined> {
  return yield* one(versionByIdQ(tx.q, tx.t, id));
}

export function* openVersionIn(tx: Tx, planId: string): Body<VersionRow | undefined> {
  const { planVersions } = tx.t;
  return yield* one(
    tx.q
      .select()
      .from(planVersions)
      .where(and(eq(planVersions.planId, planId), inArray(planVersions.status, ['draft', 'in-review']))),
  );
}

export function* nextVersionNumberIn(tx: Tx, planId: string): Body<number> {
  const { planVersions } = tx.t;
  const row = yield* one(
    tx.q
      .select({ n: max(planVersions.version) })
      .from(planVersions)
      .where(eq(planVersions.planId, planId)),
  );
  return (row?.n ?? 0) + 1;
}

export function* insertPlanIn(tx: Tx, row: Schema['plans']['$inferInsert']): Body<void> {
  yield* run(tx.q.insert(tx.t.plans).values(row));
}

/** Inserts a version row; its id. */
export function* insertVersionIn(tx: Tx, row: Omit<Schema['planVersions']['$inferInsert'], 'id'>): Body<number> {
  const { planVersions } = tx.t;
  const { id } = yield* one(tx.q.insert(planVersions).values(row).returning({ id: planVersions.id }));
  return id;
}

/** Compare-and-set on a version's status: applies `set` only while the version is still `from`. */
export function* moveStatusIn(
  tx: Tx,
  versionId: number,
  from: VersionRow['status'],
  set: Partial<Schema['planVersions']['$inferInsert']>,
): Body<boolean> {
  const { planVersions } = tx.t;
  const changed = yield* run(
    tx.q
      .update(planVersions)
      .set(set)
      .where(and(eq(planVersions.id, versionId), eq(planVersions.status, from))),
  );
  return changed === 1;
}

export function* logWorkflowIn(tx: Tx, event: Omit<Schema['workflowEvents']['$inferInsert'], 'id'>): Body<void> {
  yield* run(tx.q.insert(tx.t.workflowEvents).values(event));
}

/** The search index learns of every change to what responders can find through this row. */
export function* enqueueIndexSyncIn(tx: Tx, planId: string, now: Date): Body<void> {
  yield* appendSearchLogIn(tx, [planId], now.toISOString());
}

/**
 * Appends to the search change log, which every index consumes in position order from its own cursor.
 * On PostgreSQL an identity assigned in a transaction that commits after one holding a higher number would
 * let a reader see 11 before 10 and move its cursor past 10 for good; under this lock (held to commit, taken
 * last in every transaction that appends, so it orders no other lock) positions are assigned in commit
 * order. Free on SQLite, whose write transactions are serial anyway.
 */
export function* appendSearchLogIn(tx: Tx, planIds: string[], at: string): Body<void> {
  if (!planIds.length) return;
  yield* lock('search-log');
  yield* run(tx.q.insert(tx.t.searchOutbox).values(planIds.map((planId) => ({ planId, createdAt: at }))));
}

/** Takes the plan from responders: no current version, withdrawn now. */
export function* withdrawPlanIn(tx: Tx, planId: string, at: string): Body<void> {
  const { plans } = tx.t;
  yield* run(tx.q.update(plans).set({ currentVersionId: null, withdrawnAt: at, updatedAt: at }).where(eq(plans.id, planId)));
}

/**
 * Publish `version` as the plan's current version: supersede the previous one, move the pointer, queue
 * the index sync. `expectedCurrent` is the version the caller believes is current, and `contentHash` the
 * content the approver read; unless the pointer is still `expectedCurrent` and the version is still in
 * review with exactly that content, nothing is changed and `false` is returned.
 */
export function* publishVersion(
  tx: Tx,
  args: { plan: PlanRow; version: VersionRow; contentHash: string; approvedBy: string; expectedCurrent: number | null; now: Date },
): Body<boolean> {
  const { plan, version, contentHash, approvedBy, expectedCurrent, now } = args;
  const { q, t } = tx;
  const { plans, planVersions } = t;
  const at = now.toISOString();
  // The checks and the publish are one statement: whatever the caller read earlier, the pointer moves only
  // if the row still holds what was approved at the moment it moves.
  const approvedContent = q
    .select({ one: sql`1` })
    .from(planVersions)
    .where(and(eq(planVersions.id, version.id), eq(planVersions.status, 'in-review'), eq(planVersions.contentHash, contentHash)));
  const moved = yield* run(
    q
      .update(plans)
      .set({ currentVersionId: version.id, withdrawnAt: null, updatedAt: at })
      .where(
        and(
          eq(plans.id, plan.id),
          expectedCurrent === null ? isNull(plans.currentVersionId) : eq(plans.currentVersionId, expectedCurrent),
          exists(approvedContent),
        ),
      ),
  );
  if (moved !== 1) return false;
  if (expectedCurrent !== null) {
    yield* run(
      q
        .update(planVersions)
        .set({ status: 'superseded', supersededAt: at, updatedAt: at })
        .where(and(eq(planVersions.id, expectedCurrent), eq(planVersions.status, 'published'))),
    );
  }
  yield* run(
    q.update(planVersions).set({ status: 'published', approvedBy, publishedAt: at, updatedAt: at }).where(eq(planVersions.id, version.id)),
  );
  yield* enqueueIndexSyncIn(tx, plan.id, now);
  return true;
}

// ---- The responder read path (read.ts): prepared once, run per request.

export type PlanPointer = Pick<PlanRow, 'id' | 'owningOrg' | 'externalRef' | 'currentVersionId' | 'withdrawnAt'>;

/** The plan's current-version pointer by id or by the owner's reference, and a version by id. */
export function readPathStatements(db: Store) {
  const { plans, planVersions } = db.t;
  const pointer = (q: Q) =>
    q
      .select({
        id: plans.id,
        owningOrg: plans.owningOrg,
        externalRef: plans.externalRef,
        currentVersionId: plans.currentVersionId,
        withdrawnAt: plans.withdrawnAt,
      })
      .from(plans);
  const byId = db.prepared<{ id: string }, PlanPointer>('plan_pointer_by_id', (q) => pointer(q).where(eq(plans.id, sql.placeholder('id'))));
  const byRef = db.prepared<{ org: string; ref: string }, PlanPointer>('plan_pointer_by_ref', (q) =>
    pointer(q).where(and(eq(plans.owningOrg, sql.placeholder('org')), eq(plans.externalRef, sql.placeholder('ref')))),
  );
  const version = db.prepared<{ id: number }, VersionRow>('plan_version_by_id', (q) =>
    q
      .select()
      .from(planVersions)
      .where(eq(planVersions.id, sql.placeholder('id'))),
  );
  return {
    pointerById: (id: string) => byId.one({ id }),
    pointerByRef: (org: string, ref: string) => byRef.one({ org, ref }),
    versionById: (id: number) => version.one({ id }),
  };
}

/**
 * What the read cache needs to know whether anything it holds may be stale (read-cache.ts): the
 * `read_cache_epoch` counter, which triggers bump in the same transaction as any change to plans,
 * organisations or agreements, from any process or node; and, on SQLite, how many rows this connection has
 * changed, a free counter that tells this process's own writes at once (PostgreSQL has none: there a check
 * per turn of the event loop is all).
 */
export function readCacheProbe(db: Store) {
  const client = db.sqlite?.client;
  if (client) {
    // The row straight from the driver: through drizzle's prepared statement, a cached plan view answered
    // in a turn of its own cost about 4 µs more (a micro-benchmark: 17-21 µs against 12-15).
    const epochRow = client.prepare<[], number>('SELECT n FROM read_cache_epoch WHERE id = 1').pluck();
    const ownChanges = client.prepare<[], number>('SELECT total_changes()').pluck();
    return { epoch: () => Promise.resolve(epochRow.get()!), ownWrites: (): number => ownChanges.get()! };
  }
  const epoch = db.prepared<Record<string, never>, { n: number }>('read_cache_epoch', (q) =>
    q.select({ n: sql<number>`n` }).from(sql`read_cache_epoch`).where(sql`id = 1`),
  );
  return { epoch: async () => Number((await epoch.one({}))!.n), ownWrites: undefined as (() => number) | undefined };
}

// ---- The console's lists (queues.ts).

/** Versions in review for an organisation, oldest submission first, each with the version it was written from. */
export async function versionsInReview(db: Store, owningOrg: string) {
  const { plans, planVersions } = db.t;
  const base = alias(planVersions, 'b');
  return db.many(
    db.q
      .select({
        planId: plans.id,
        externalRef: plans.externalRef,
        currentVersionId: plans.currentVersionId,
        version: planVersions,
        base: { subject: base.subject, locations: base.locations, content: base.content, governance: base.governance },
      })
      .from(planVersions)
      .innerJoin(plans, eq(plans.id, planVersions.planId))
      .leftJoin(base, eq(base.id, planVersions.baseVersionId))
      .where(and(eq(plans.owningOrg, owningOrg), eq(planVersions.status, 'in-review')))
      .orderBy(asc(planVersions.submittedAt), asc(planVersions.id)),
  );
}

/**
 * An organisation's plans for the author's home: each with its latest version, the published one's number
 * and review date, and the last workflow step taken on it, most recently touched first.
 */
export async function plansForHome(db: Store, owningOrg: string) {
  const { plans, planVersions, workflowEvents } = db.t;
  const current = alias(planVersions, 'c');
  const latestNumber = db.q
    .select({ n: max(planVersions.version) })
    .from(planVersions)
    .where(eq(planVersions.planId, plans.id));
  const lastEvent = db.q
    .select({ id: max(workflowEvents.id) })
    .from(workflowEvents)
    .where(eq(workflowEvents.planId, plans.id));
  const last = alias(workflowEvents, 'e');
  return db.many(
    db.q
      .select({
        planId: plans.id,
        externalRef: plans.externalRef,
        currentVersion: current.version,
        currentReviewBy: current.reviewBy,
        version: planVersions.version,
        status: planVersions.status,
        subject: planVersions.subject,
        lastAction: last.action,
        lastActor: last.actor,
        lastAt: last.at,
        lastComment: last.comment,
      })
      .from(plans)
      .innerJoin(planVersions, and(eq(planVersions.planId, plans.id), eq(planVersions.version, sql`${latestNumber}`)))
      .leftJoin(current, eq(current.id, plans.currentVersionId))
      .leftJoin(last, eq(last.id, sql`${lastEvent}`))
      .where(eq(plans.owningOrg, owningOrg))
      // Of two touched at the same instant, the later step first (event ids only grow).
      .orderBy(desc(sql`coalesce(${last.at}, ${plans.updatedAt})`), desc(last.id), asc(plans.id)),
  );
}

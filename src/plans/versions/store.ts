import { randomBytes } from 'node:crypto';
import { and, eq, exists, inArray, isNull, max, sql } from 'drizzle-orm';
import { schema, type Db } from '../../../db/index.js';
import { canonicalJson, sha256Hex } from '../core/canonical.js';
import type { PlanRecord } from '../core/content.js';

const { plans, planVersions, workflowEvents, searchOutbox } = schema;

export type PlanRow = typeof plans.$inferSelect;
export type VersionRow = typeof planVersions.$inferSelect;
/** Drizzle's transaction handle: the same query API as `Db`, bound to one SQLite transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Queryable = Db | Tx;

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

export function findPlan(db: Queryable, planId: string): PlanRow | undefined {
  return db.select().from(plans).where(eq(plans.id, planId)).get();
}

export function findPlanByRef(db: Queryable, owningOrg: string, externalRef: string): PlanRow | undefined {
  return db
    .select()
    .from(plans)
    .where(and(eq(plans.owningOrg, owningOrg), eq(plans.externalRef, externalRef)))
    .get();
}

export function findVersion(db: Queryable, planId: string, version: number): VersionRow | undefined {
  return db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.planId, planId), eq(planVersions.version, version)))
    .get();
}

export function findVersionById(db: Queryable, id: number): VersionRow | undefined {
  return db.select().from(planVersions).where(eq(planVersions.id, id)).get();
}

export function openVersion(db: Queryable, planId: string): VersionRow | undefined {
  return db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.planId, planId), inArray(planVersions.status, ['draft', 'in-review'])))
    .get();
}

export function nextVersionNumber(db: Queryable, planId: string): number {
  const row = db
    .select({ n: max(planVersions.version) })
    .from(planVersions)
    .where(eq(planVersions.planId, planId))
    .get();
  return (row?.n ?? 0) + 1;
}

export function logWorkflow(
  db: Queryable,
  event: Omit<typeof workflowEvents.$inferInsert, 'id'>,
): void {
  db.insert(workflowEvents).values(event).run();
}

/** The search index learns of every change to what responders can find through this row. */
export function enqueueIndexSync(db: Queryable, planId: string, now: Date): void {
  const at = now.toISOString();
  db.insert(searchOutbox).values({ planId, createdAt: at, nextAttemptAt: at }).run();
}

/**
 * Publish `version` as the plan's current version: supersede the previous one, move the pointer, queue
 * the index sync. Call inside a transaction. `expectedCurrent` is the version the caller believes is
 * current, and `contentHash` the content the approver read; unless the pointer is still `expectedCurrent`
 * and the version is still in review with exactly that content, nothing is changed and `false` is returned.
 */
export function publishVersion(
  tx: Tx,
  args: { plan: PlanRow; version: VersionRow; contentHash: string; approvedBy: string; expectedCurrent: number | null; now: Date },
): boolean {
  const { plan, version, contentHash, approvedBy, expectedCurrent, now } = args;
  const at = now.toISOString();
  // The checks and the publish are one statement: whatever the caller read earlier, the pointer moves only
  // if the row still holds what was approved at the moment it moves.
  const approvedContent = tx
    .select({ one: sql`1` })
    .from(planVersions)
    .where(and(eq(planVersions.id, version.id), eq(planVersions.status, 'in-review'), eq(planVersions.contentHash, contentHash)));
  const moved = tx
    .update(plans)
    .set({ currentVersionId: version.id, withdrawnAt: null, updatedAt: at })
    .where(
      and(
        eq(plans.id, plan.id),
        expectedCurrent === null ? isNull(plans.currentVersionId) : eq(plans.currentVersionId, expectedCurrent),
        exists(approvedContent),
      ),
    )
    .run();
  if (moved.changes !== 1) return false;
  if (expectedCurrent !== null) {
    tx.update(planVersions)
      .set({ status: 'superseded', supersededAt: at, updatedAt: at })
      .where(and(eq(planVersions.id, expectedCurrent), eq(planVersions.status, 'published')))
      .run();
  }
  tx.update(planVersions)
    .set({ status: 'published', approvedBy, publishedAt: at, updatedAt: at })
    .where(eq(planVersions.id, version.id))
    .run();
  enqueueIndexSync(tx, plan.id, now);
  return true;
}

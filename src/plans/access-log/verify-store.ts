// What verify-audit reads, written once for both dialects (db/runtime.ts). The log is read in pages by
// key, never whole: a page is one statement, so the walk holds one page at a time on either store.
import { asc, eq, gt, sql } from 'drizzle-orm';
import type { Store } from '../../../db/runtime.js';
import type { StoredEvent } from './chain.js';
import { eventColumns, jsonArrayHas, planReferences } from './events-store.js';

// Raw columns, not the builder's: each value exactly as the driver gives it back, as the hash covers it.
const COLUMNS = eventColumns();

/** Up to `limit` events after `afterSeq`, in seq order. */
export function eventsAfter(db: Store, afterSeq: number, limit: number): Promise<StoredEvent[]> {
  return db.many<StoredEvent>(sql`SELECT ${COLUMNS} FROM access_events WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`);
}

export type CheckpointRow = { id: number; at: string; headSeq: number; headHash: string; keyId: string; signature: string };

/** Up to `limit` checkpoints after `afterId`, in the order they were written. */
export function checkpointsAfter(db: Store, afterId: number, limit: number): Promise<CheckpointRow[]> {
  const c = db.t.auditCheckpoints;
  return db.many(
    db.q
      .select({ id: c.id, at: c.at, headSeq: c.headSeq, headHash: c.headHash, keyId: c.keyId, signature: c.signature })
      .from(c)
      .where(gt(c.id, afterId))
      .orderBy(asc(c.id))
      .limit(limit),
  );
}

/** Up to `limit` checkpoints after `afterId` whose head event is in the log with a different hash. */
export function checkpointsNotMatching(db: Store, afterId: number, limit: number) {
  return db.many<{ id: number; at: string; seq: number }>(
    sql`SELECT c.id, c.at, c.head_seq AS seq FROM audit_checkpoints c JOIN access_events e ON e.seq = c.head_seq
        WHERE e.hash <> c.head_hash AND c.id > ${afterId} ORDER BY c.id LIMIT ${limit}`,
  );
}

/** The stored hash of event `seq`, if the log has it. */
export async function hashAt(db: Store, seq: number): Promise<string | undefined> {
  const e = db.t.accessEvents;
  return (await db.one(db.q.select({ hash: e.hash }).from(e).where(eq(e.seq, seq))))?.hash;
}

/** How far the per-plan lookup has been built (every event up to this seq is in it). */
export async function planLookupBuiltTo(db: Store): Promise<number> {
  const s = db.t.accessIndexState;
  return (await db.one(db.q.select({ n: s.indexedSeq }).from(s).where(eq(s.id, 1))))?.n ?? 0;
}

/** Up to `limit` (plan, event) pairs of events up to `to` that the log holds and the lookup does not. */
export function lookupMissing(db: Store, to: number, limit: number) {
  return db.many<{ seq: number; planId: string }>(
    sql`SELECT r.seq, r.plan_id AS "planId" FROM (${planReferences(db, 0, to)}) r
        WHERE NOT EXISTS (SELECT 1 FROM access_event_plans p WHERE p.plan_id = r.plan_id AND p.seq = r.seq)
        ORDER BY r.seq LIMIT ${limit}`,
  );
}

/**
 * Up to `limit` lookup entries their event does not give: the same definition seen from the lookup's side,
 * each entry checked against its own event by key rather than re-deriving every reference per entry.
 */
export function lookupInvented(db: Store, limit: number) {
  const results = jsonArrayHas(db, sql`e.result_plan_ids`, sql`p.plan_id`);
  return db.many<{ seq: number; planId: string }>(
    sql`SELECT p.seq, p.plan_id AS "planId" FROM access_event_plans p
        WHERE NOT EXISTS (SELECT 1 FROM access_events e WHERE e.seq = p.seq AND (e.plan_id = p.plan_id OR ${results}))
        ORDER BY p.seq LIMIT ${limit}`,
  );
}

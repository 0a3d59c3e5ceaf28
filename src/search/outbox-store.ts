// The search outbox, the plans it names and the index's recorded format: statements written once for both
// dialects (db/runtime.ts). The worker's decisions (what to build, park or retry) are in sync.ts.
import { and, asc, count, countDistinct, eq, inArray, isNotNull, isNull, lte, max, sql } from 'drizzle-orm';
import { all, run, type Body, type Q, type Store } from '../../db/runtime.js';

export type DueRow = { id: number; planId: string; attempts: number };
export type ParkedRow = { id: number; planId: string; createdAt: string; parkedAt: string; reason: string | null };
/**
 * A plan's current published version as its search document is built from. `subject` and `locations`
 * are as stored (text on SQLite, read raw so that one corrupt record is refused alone instead of failing
 * the whole read; already parsed jsonb on PostgreSQL).
 */
export type SourceRow = { id: string; externalRef: string; owningOrg: string; subject: unknown; locations: unknown };
export type Refused = { planId: string; reason: string };

const published = (t: Store['t']) => and(eq(t.planVersions.status, 'published'), isNull(t.plans.withdrawnAt));
const waiting = (t: Store['t']) => and(isNull(t.searchOutbox.doneAt), isNull(t.searchOutbox.parkedAt));
const parked = (t: Store['t']) => and(isNotNull(t.searchOutbox.parkedAt), isNull(t.searchOutbox.doneAt));

function sources(q: Q, t: Store['t']) {
  const { plans, planVersions } = t;
  return q
    .select({
      id: plans.id,
      externalRef: plans.externalRef,
      owningOrg: plans.owningOrg,
      subject: sql<unknown>`${planVersions.subject}`,
      locations: sql<unknown>`${planVersions.locations}`,
    })
    .from(plans)
    .innerJoin(planVersions, eq(planVersions.id, plans.currentVersionId));
}

/** The rows due now, oldest first: prepared once, the worker asks every poll. */
export function dueRows(db: Store) {
  const { searchOutbox: o } = db.t;
  const due = db.prepared<{ now: string; limit: number }, DueRow>('search_outbox_due', (q) =>
    q
      .select({ id: o.id, planId: o.planId, attempts: o.attempts })
      .from(o)
      .where(and(waiting(db.t), lte(o.nextAttemptAt, sql.placeholder('now'))))
      .orderBy(asc(o.id))
      .limit(sql.placeholder('limit')),
  );
  return (now: string, limit: number) => due.all({ now, limit });
}

/**
 * One write transaction that reads the plans' published sources (a plan with none any more is absent from
 * the map) and hands them to `body`, which writes what follows from them. On SQLite the write lock is
 * taken before the read: a deferred transaction that another connection writes under between the read
 * and the write fails at once with SQLITE_BUSY, busy_timeout or not. On PostgreSQL the body may run again
 * (after a deadlock), so it keeps nothing outside what it returns.
 */
export function withSources<R>(db: Store, planIds: string[], body: (q: Q, sources: Map<string, SourceRow>) => Body<R>) {
  return db.tx(function* (q) {
    const rows = planIds.length ? yield* all(sources(q, db.t).where(and(published(db.t), inArray(db.t.plans.id, planIds)))) : [];
    return yield* body(q, new Map(rows.map((r) => [r.id, r])));
  });
}

/** Every published plan's source, by plan id (a rebuild). */
export function allSources(db: Store): Promise<SourceRow[]> {
  return db.many(sources(db.q, db.t).where(published(db.t)).orderBy(asc(db.t.plans.id)));
}

export async function publishedCount(db: Store): Promise<number> {
  const { plans, planVersions } = db.t;
  const r = await db.one(
    db.q.select({ n: count() }).from(plans).innerJoin(planVersions, eq(planVersions.id, plans.currentVersionId)).where(published(db.t)),
  );
  return r?.n ?? 0;
}

/** Published plans with something parked: they may be missing from the index on purpose. */
export async function parkedPublishedCount(db: Store): Promise<number> {
  const { plans, planVersions, searchOutbox: o } = db.t;
  const r = await db.one(
    db.q
      .select({ n: countDistinct(o.planId) })
      .from(o)
      .innerJoin(plans, eq(plans.id, o.planId))
      .innerJoin(planVersions, eq(planVersions.id, plans.currentVersionId))
      .where(and(published(db.t), parked(db.t))),
  );
  return r?.n ?? 0;
}

/** Rows done, and (the plans indexed as they now are) whatever was parked for their plans settled. */
export function markDone(db: Store, at: string, rowIds: number[], planIds: string[]) {
  const { searchOutbox: o } = db.t;
  return db.tx(function* (q) {
    if (rowIds.length) yield* run(q.update(o).set({ doneAt: at, lastError: null }).where(inArray(o.id, rowIds)));
    if (planIds.length) yield* run(q.update(o).set({ doneAt: at }).where(and(inArray(o.planId, planIds), parked(db.t))));
  });
}

export function markFailed(db: Store, rows: { id: number; attempts: number; nextAttemptAt: string }[], message: string) {
  const { searchOutbox: o } = db.t;
  return db.tx(function* (q) {
    for (const r of rows) {
      yield* run(q.update(o).set({ attempts: r.attempts, nextAttemptAt: r.nextAttemptAt, lastError: message }).where(eq(o.id, r.id)));
    }
  });
}

export function park(db: Store, rowIds: number[], at: string, reason: string) {
  const { searchOutbox: o } = db.t;
  return db.exec(db.q.update(o).set({ parkedAt: at, lastError: reason }).where(inArray(o.id, rowIds)));
}

/** After a rebuild: the rows it covered are done, and the plans it could not index are parked anew. */
export function finishRebuild(db: Store, at: string, upToId: number, refused: Refused[]) {
  const { searchOutbox: o } = db.t;
  return db.tx(function* (q) {
    yield* run(q.update(o).set({ doneAt: at }).where(and(isNull(o.doneAt), lte(o.id, upToId))));
    for (const r of refused) {
      yield* run(q.insert(o).values({ planId: r.planId, createdAt: at, nextAttemptAt: at, parkedAt: at, lastError: r.reason }));
    }
  });
}

/** Every row still waiting is due now (after an outage, rather than at each one's back-off time). */
export function retryAllNow(db: Store, at: string) {
  return db.exec(db.q.update(db.t.searchOutbox).set({ nextAttemptAt: at }).where(waiting(db.t)));
}

/** Every parked row back to the worker, from its first attempt; the number handed back. */
export function unparkAll(db: Store, at: string) {
  return db.exec(db.q.update(db.t.searchOutbox).set({ parkedAt: null, attempts: 0, nextAttemptAt: at }).where(parked(db.t)));
}

export async function waitingCount(db: Store): Promise<number> {
  return (await db.one(db.q.select({ n: count() }).from(db.t.searchOutbox).where(waiting(db.t))))?.n ?? 0;
}

export async function parkedCount(db: Store): Promise<number> {
  return (await db.one(db.q.select({ n: count() }).from(db.t.searchOutbox).where(parked(db.t))))?.n ?? 0;
}

export function parkedRows(db: Store): Promise<ParkedRow[]> {
  const { searchOutbox: o } = db.t;
  return db.many(
    db.q
      .select({ id: o.id, planId: o.planId, createdAt: o.createdAt, parkedAt: sql<string>`${o.parkedAt}`, reason: o.lastError })
      .from(o)
      .where(parked(db.t))
      .orderBy(asc(o.id)),
  );
}

/** The newest row's id (0 when none): what a rebuild covers. */
export async function newestId(db: Store): Promise<number> {
  return (await db.one(db.q.select({ id: max(db.t.searchOutbox.id) }).from(db.t.searchOutbox)))?.id ?? 0;
}

/** The document format the index was last built with (document.ts `searchDocFormat`). */
export async function indexFormat(db: Store): Promise<string | undefined> {
  const { searchIndexState: s } = db.t;
  return (await db.one(db.q.select({ format: s.format }).from(s).where(eq(s.id, 1))))?.format;
}

export function recordIndexFormat(db: Store, format: string, at: string) {
  const { searchIndexState: s } = db.t;
  return db.exec(
    db.q
      .insert(s)
      .values({ id: 1, format, builtAt: at })
      .onConflictDoUpdate({ target: s.id, set: { format, builtAt: at } }),
  );
}

// The search change log (`search_outbox`), the cursors of the indexes that consume it, parked plans and the
// published plans the entries name: statements written once for both dialects (db/runtime.ts). What the
// worker does with them (build, apply, park, rebuild, prune) is in sync.ts.
import { and, asc, count, eq, gt, inArray, isNull, lt, lte, max, min, or, sql } from 'drizzle-orm';
import { all, lock, one, run, type Body, type Q, type Store } from '../../db/runtime.js';
import { appendSearchLogIn } from '../plans/versions/store.js';

export type Entry = { id: number; planId: string; createdAt: string };
export type Cursor = { consumer: string; position: number; format: string; holder: string | null; heldUntil: string | null };
export type ParkedRow = { id: number; planId: string; parkedAt: string; reason: string };
/**
 * A plan's current published version as its search document is built from. `subject` and `locations`
 * are as stored (text on SQLite, read raw so that one corrupt record is refused alone instead of failing
 * the whole read; already parsed jsonb on PostgreSQL).
 */
export type SourceRow = { id: string; externalRef: string; owningOrg: string; subject: unknown; locations: unknown };
export type Parking = { planId: string; position: number; reason: string };

/** A cursor not yet built: it holds the log (pruning stops below it) while its index is rebuilt. */
export const UNBUILT = -1;

const published = (t: Store['t']) => and(eq(t.planVersions.status, 'published'), isNull(t.plans.withdrawnAt));

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

/** Entries after `from`, oldest first: prepared once, every index's worker asks at each poll. */
export function entriesAfter(db: Store) {
  const { searchOutbox: o } = db.t;
  const after = db.prepared<{ from: number; limit: number }, Entry>('search_log_after', (q) =>
    q
      .select({ id: o.id, planId: o.planId, createdAt: o.createdAt })
      .from(o)
      .where(gt(o.id, sql.placeholder('from')))
      .orderBy(asc(o.id))
      .limit(sql.placeholder('limit')),
  );
  return (from: number, limit: number) => after.all({ from, limit });
}

/** The log's newest position (what a rebuild covers) and the highest pruned one. */
export async function logBounds(db: Store): Promise<{ head: number; floor: number }> {
  const { searchOutbox: o, searchLogState: s } = db.t;
  const floor = (await db.one(db.q.select({ through: s.prunedThrough }).from(s).where(eq(s.id, 1))))?.through ?? 0;
  const head = (await db.one(db.q.select({ id: max(o.id) }).from(o)))?.id ?? 0;
  return { head: Math.max(head, floor), floor };
}

/** How many entries an index at `position` has still to apply, and when the oldest of them was written. */
export async function behind(db: Store, position: number): Promise<{ n: number; oldest: string | null }> {
  const { searchOutbox: o } = db.t;
  const r = await db.one(
    db.q
      .select({ n: count(), oldest: min(o.createdAt) })
      .from(o)
      .where(gt(o.id, position)),
  );
  return { n: r?.n ?? 0, oldest: r?.oldest ?? null };
}

/** How far behind the fallback's cursor is (a search service without a worker of its own: metrics). */
export async function fallbackProgress(db: Store) {
  const { searchCursors: c } = db.t;
  const position = (await db.one(db.q.select({ position: c.position }).from(c).where(eq(c.consumer, 'fallback'))))?.position ?? 0;
  return behind(db, Math.max(0, position));
}

export function cursors(db: Store, consumers: string[]): Promise<Cursor[]> {
  const { searchCursors: c } = db.t;
  return db.many(
    db.q
      .select({ consumer: c.consumer, position: c.position, format: c.format, holder: c.holder, heldUntil: c.heldUntil })
      .from(c)
      .where(inArray(c.consumer, consumers)),
  );
}

/** The cursor's row as the transaction sees it (the fallback reads its own under the fallback's lock). */
export function* cursorIn(q: Q, t: Store['t'], consumer: string): Body<number | undefined> {
  const { searchCursors: c } = t;
  return (yield* one(q.select({ position: c.position }).from(c).where(eq(c.consumer, consumer))))?.position;
}

/**
 * Moves a cursor forward to `to` (never back) and says it was seen. For a shared index only while `holder`
 * still holds it. 0 when the row is gone (pruned away as unseen) or held by another: the caller decides.
 */
export function* advanceIn(q: Q, t: Store['t'], consumer: string, to: number, at: string, holder?: string): Body<number> {
  const { searchCursors: c } = t;
  return yield* run(
    q
      .update(c)
      .set({ position: sql`CASE WHEN ${c.position} < ${to} THEN ${to} ELSE ${c.position} END`, seenAt: at })
      .where(and(eq(c.consumer, consumer), holder === undefined ? undefined : eq(c.holder, holder))),
  );
}

export function advance(db: Store, consumer: string, to: number, at: string, holder?: string) {
  return db.tx((q) => advanceIn(q, db.t, consumer, to, at, holder));
}

/**
 * A shared index's writer lost its hold while it wrote: what it sent may have landed after a newer
 * holder's writes, so the cursor goes back to before its batch and the entries are applied again.
 */
export function rewind(db: Store, consumer: string, to: number) {
  const { searchCursors: c } = db.t;
  return db.exec(
    db.q
      .update(c)
      .set({ position: sql`CASE WHEN ${c.position} > ${to} THEN ${to} ELSE ${c.position} END` })
      .where(and(eq(c.consumer, consumer), gt(c.position, UNBUILT))),
  );
}

/** The cursor's row, unbuilt, if there is none yet (under the lock pruning takes, so it sees it). */
export function ensureCursor(db: Store, consumer: string, at: string) {
  const { searchCursors: c } = db.t;
  return db.tx(function* (q) {
    yield* lock('search-cursors');
    yield* run(q.insert(c).values({ consumer, position: UNBUILT, format: '', builtAt: at, seenAt: at }).onConflictDoNothing());
  });
}

/** After a rebuild: the index holds every plan as of log position `position`, in `format`. */
export function recordBuilt(db: Store, consumer: string, position: number, format: string, at: string) {
  const { searchCursors: c } = db.t;
  return db.tx(function* (q) {
    yield* lock('search-cursors');
    yield* run(
      q
        .insert(c)
        .values({ consumer, position, format, builtAt: at, seenAt: at })
        .onConflictDoUpdate({ target: c.consumer, set: { position, format, builtAt: at, seenAt: at } }),
    );
  });
}

/** Still here, working this cursor (pruning drops cursors nobody has seen for a long time). */
export function seen(db: Store, consumers: string[], at: string) {
  const { searchCursors: c } = db.t;
  return db.exec(db.q.update(c).set({ seenAt: at }).where(inArray(c.consumer, consumers)));
}

/**
 * Takes (or keeps) the right to write a shared index until `until`: granted when nobody holds it, its
 * holder is `holder` already, or the hold ran out. Returns whether `holder` holds it now.
 */
export async function hold(db: Store, consumer: string, holder: string, until: string, now: string): Promise<boolean> {
  const { searchCursors: c } = db.t;
  const n = await db.exec(
    db.q
      .update(c)
      .set({ holder, heldUntil: until })
      .where(and(eq(c.consumer, consumer), or(isNull(c.holder), eq(c.holder, holder), lt(c.heldUntil, now)))),
  );
  return n === 1;
}

export function release(db: Store, consumer: string, holder: string) {
  const { searchCursors: c } = db.t;
  return db.exec(
    db.q
      .update(c)
      .set({ holder: null, heldUntil: null })
      .where(and(eq(c.consumer, consumer), eq(c.holder, holder))),
  );
}

/**
 * Pruning: cursors not seen since `unseenBefore` are dropped, then every entry all the remaining cursors
 * have passed is deleted and the floor recorded. Returns how many entries went.
 */
export function prune(db: Store, unseenBefore: string, at: string) {
  const { searchCursors: c, searchOutbox: o, searchLogState: s } = db.t;
  return db.tx(function* (q) {
    yield* lock('search-cursors');
    yield* run(q.delete(c).where(lt(c.seenAt, unseenBefore)));
    const slowest = yield* one(q.select({ p: min(c.position), n: count() }).from(c));
    const head = (yield* one(q.select({ id: max(o.id) }).from(o)))?.id ?? 0;
    // No index left at all: nothing to keep (an index that comes back has no cursor, so it rebuilds).
    const through = slowest?.n ? (slowest.p ?? 0) : head;
    const floor = (yield* one(q.select({ through: s.prunedThrough }).from(s).where(eq(s.id, 1))))?.through ?? 0;
    if (through <= floor) return 0;
    const gone = yield* run(q.delete(o).where(lte(o.id, through)));
    yield* run(
      q
        .insert(s)
        .values({ id: 1, prunedThrough: through, prunedAt: at })
        .onConflictDoUpdate({ target: s.id, set: { prunedThrough: through, prunedAt: at } }),
    );
    return gone;
  });
}

/**
 * One write transaction that reads the plans' published sources (a plan with none any more is absent from
 * the map) and hands them to `body`, which writes what follows from them. The fallback's lock comes
 * before the read: two writers (two nodes, or a nudge and a pass) read and write in turn, so the later
 * write is always of the later read and no older document ever replaces a newer one. On SQLite the
 * write lock is taken before the read (BEGIN IMMEDIATE) to the same end. On PostgreSQL the body may run
 * again (after a deadlock), so it keeps nothing outside what it returns.
 */
export function withSources<R>(db: Store, planIds: string[], body: (q: Q, sources: Map<string, SourceRow>) => Body<R>) {
  return db.tx(function* (q) {
    yield* lock('search-fallback');
    const rows = planIds.length ? yield* all(sources(q, db.t).where(and(published(db.t), inArray(db.t.plans.id, planIds)))) : [];
    return yield* body(q, new Map(rows.map((r) => [r.id, r])));
  });
}

/** Published plans' sources (those of `planIds`), outside any transaction: a Meilisearch rebuild's batch. */
export function sourcesOf(db: Store, planIds: string[]): Promise<SourceRow[]> {
  return db.many(sources(db.q, db.t).where(and(published(db.t), inArray(db.t.plans.id, planIds))));
}

/** Every published plan's id, in order (a rebuild reads their sources batch by batch). */
export async function publishedIds(db: Store): Promise<string[]> {
  const { plans, planVersions } = db.t;
  const rows = await db.many(
    db.q
      .select({ id: plans.id })
      .from(plans)
      .innerJoin(planVersions, eq(planVersions.id, plans.currentVersionId))
      .where(published(db.t))
      .orderBy(asc(plans.id)),
  );
  return rows.map((r) => r.id);
}

export async function publishedCount(db: Store): Promise<number> {
  const { plans, planVersions } = db.t;
  const r = await db.one(
    db.q.select({ n: count() }).from(plans).innerJoin(planVersions, eq(planVersions.id, plans.currentVersionId)).where(published(db.t)),
  );
  return r?.n ?? 0;
}

/** Published plans that are parked: they may be missing from an index on purpose. */
export async function parkedPublishedCount(db: Store): Promise<number> {
  const { plans, planVersions, searchParked: p } = db.t;
  const r = await db.one(
    db.q
      .select({ n: count() })
      .from(p)
      .innerJoin(plans, eq(plans.id, p.planId))
      .innerJoin(planVersions, eq(planVersions.id, plans.currentVersionId))
      .where(published(db.t)),
  );
  return r?.n ?? 0;
}

/** Set aside (or set aside again, at the later position), with the reason. */
export function* parkIn(q: Q, t: Store['t'], rows: Parking[], at: string): Body<void> {
  const { searchParked: p } = t;
  for (const r of rows) {
    yield* run(
      q
        .insert(p)
        .values({ planId: r.planId, position: r.position, parkedAt: at, reason: r.reason })
        .onConflictDoUpdate({
          target: p.planId,
          set: {
            position: sql`CASE WHEN ${p.position} < ${r.position} THEN ${r.position} ELSE ${p.position} END`,
            parkedAt: at,
            reason: r.reason,
          },
        }),
    );
  }
}

export function park(db: Store, rows: Parking[], at: string) {
  return rows.length ? db.tx((q) => parkIn(q, db.t, rows, at)) : Promise.resolve();
}

/**
 * Plans indexed as they now are: a parking from before `position` (the plan's latest entry applied) is
 * settled. A parking at that entry itself stays: another index refused that very change.
 */
export function* settleIn(q: Q, t: Store['t'], applied: Map<string, number>): Body<void> {
  if (!applied.size) return;
  const { searchParked: p } = t;
  const parked = yield* all(
    q
      .select({ planId: p.planId, position: p.position })
      .from(p)
      .where(inArray(p.planId, [...applied.keys()])),
  );
  for (const r of parked) {
    if (r.position < applied.get(r.planId)!)
      yield* run(q.delete(p).where(and(eq(p.planId, r.planId), lt(p.position, applied.get(r.planId)!))));
  }
}

export function settle(db: Store, applied: Map<string, number>) {
  return applied.size ? db.tx((q) => settleIn(q, db.t, applied)) : Promise.resolve();
}

/** After a rebuild covering the log to `position`: every parking up to it is settled but `refused`'s. */
export function settleRebuilt(db: Store, position: number, refused: Parking[], at: string) {
  const { searchParked: p } = db.t;
  return db.tx(function* (q) {
    yield* run(q.delete(p).where(lte(p.position, position)));
    yield* parkIn(q, db.t, refused, at);
  });
}

/** Every parked plan goes into the log again, so every index tries it anew; the number handed back. */
export function retryParked(db: Store, at: string) {
  const { searchParked: p } = db.t;
  return db.tx(function* (q) {
    const rows = yield* all(q.select({ planId: p.planId }).from(p).orderBy(asc(p.planId)));
    yield* appendSearchLogIn(
      { q, t: db.t },
      rows.map((r) => r.planId),
      at,
    );
    return rows.length;
  });
}

export async function parkedCount(db: Store): Promise<number> {
  return (await db.one(db.q.select({ n: count() }).from(db.t.searchParked)))?.n ?? 0;
}

export function parkedRows(db: Store): Promise<ParkedRow[]> {
  const { searchParked: p } = db.t;
  return db.many(
    db.q
      .select({ id: p.position, planId: p.planId, parkedAt: p.parkedAt, reason: p.reason })
      .from(p)
      .orderBy(asc(p.position), asc(p.planId)),
  );
}

// What the metrics read from the database (both dialects): the search outbox's backlog and progress.
import { and, asc, count, gt, isNotNull, isNull, max, min } from 'drizzle-orm';
import type { Store } from '../../../db/runtime.js';

export function metricsStore(db: Store) {
  const { searchOutbox: o } = db.t;
  return {
    pending: async () =>
      (await db.one(db.q.select({ n: count(), oldest: min(o.createdAt) }).from(o).where(and(isNull(o.doneAt), isNull(o.parkedAt))))) ?? {
        n: 0,
        oldest: null,
      },
    parked: async () => (await db.one(db.q.select({ n: count() }).from(o).where(and(isNull(o.doneAt), isNotNull(o.parkedAt)))))?.n ?? 0,
    /** Outbox rows above `id`, oldest first (at most 10,000 per scrape). */
    since: (id: number) =>
      db.many(
        db.q
          .select({ id: o.id, createdAt: o.createdAt, doneAt: o.doneAt, parkedAt: o.parkedAt })
          .from(o)
          .where(gt(o.id, id))
          .orderBy(asc(o.id))
          .limit(10_000),
      ),
    newestId: async () => (await db.one(db.q.select({ id: max(o.id) }).from(o)))?.id ?? 0,
  };
}

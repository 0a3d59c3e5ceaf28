// Refusal-summary windows shared by every node (refusal_windows), both dialects.
import { and, count, eq, gt, lte, sql } from 'drizzle-orm';
import type { Store } from '../../../db/runtime.js';

export type RefusalWindowRow = Store['t']['refusalWindows']['$inferSelect'];

export function refusalStore(db: Store) {
  const { refusalWindows: w } = db.t;
  return {
    /** One more refusal in the key's open window; false when it has none open (absent, or ended before `openAfter`). */
    countIn: async (key: string, openAfter: number) =>
      (await db.exec(
        db.q
          .update(w)
          .set({ count: sql`${w.count} + 1` })
          .where(and(eq(w.key, key), gt(w.fromMs, openAfter))),
      )) > 0,
    /** Opens a window; false when another request (on any node) opened it first. */
    open: async (row: RefusalWindowRow) => !!(await db.one(db.q.insert(w).values(row).onConflictDoNothing().returning({ key: w.key }))),
    /** Counts into the key's window, opening it if absent (the clients over the cap share one). */
    openOrCount: (row: RefusalWindowRow) =>
      db.exec(
        db.q
          .insert(w)
          .values(row)
          .onConflictDoUpdate({ target: w.key, set: { count: sql`${w.count} + 1` } }),
      ),
    /** Clients with a window open since `openAfter`, the overflow row aside. */
    clients: async (openAfter: number) =>
      Number(
        (
          await db.one(
            db.q
              .select({ n: count() })
              .from(w)
              .where(and(gt(w.fromMs, openAfter), eq(w.overflow, false))),
          )
        )?.n ?? 0,
      ),
    /** DELETE … RETURNING: each ended window is taken, and summarised, by exactly one node. */
    takeEnded: (endedBy: number, key?: string) =>
      db.many(
        db.q
          .delete(w)
          .where(key === undefined ? lte(w.fromMs, endedBy) : and(eq(w.key, key), lte(w.fromMs, endedBy)))
          .returning(),
      ),
  };
}

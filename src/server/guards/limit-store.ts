// The shared rate-limit counters and hand-offs (db/schema/shared.ts), both dialects: what several nodes
// on one database count together. Every statement is one autocommit statement or one short transaction.
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { all, lock, run, type Store } from '../../../db/runtime.js';

export type HitRow = { key: string; at: number; n: number };

export function limitStore(db: Store) {
  const { limitHits: h, limitRefs: r, handoffs: o } = db.t;
  return {
    /** The keys' rows after `after` (epoch ms), newest first. */
    hits: async (keys: string[], after: number) =>
      (
        await db.many(
          db.q
            .select({ key: h.key, at: h.at, n: h.n })
            .from(h)
            .where(and(inArray(h.key, keys), gt(h.at, after)))
            .orderBy(desc(h.at)),
        )
      ).map((x) => ({ key: x.key, at: Number(x.at), n: Number(x.n) })),
    /** One more hit for `key` at `at` (an upsert-increment: hits from any node add up). */
    add: (key: string, at: number) =>
      db.exec(
        db.q
          .insert(h)
          .values({ key, at, n: 1 })
          .onConflictDoUpdate({ target: [h.key, h.at], set: { n: sql`${h.n} + 1` } }),
      ),
    /**
     * Judges a hit from the keys' rows after `after` and, unless `judge` refuses it (returns a value), counts
     * it for each of `hitKeys`, all under the keys' locks (taken in one order, so two requests over the same
     * keys cannot deadlock): hits racing on several nodes are judged one after another, as in one process.
     */
    judged: <R>(
      keys: string[],
      hitKeys: string[],
      at: number,
      after: number,
      judge: (rows: HitRow[]) => R | undefined,
    ): Promise<R | undefined> =>
      db.tx(function* (q) {
        for (const key of [...keys].sort()) yield* lock(`limit:${key}`);
        const rows = yield* all(
          q
            .select({ key: h.key, at: h.at, n: h.n })
            .from(h)
            .where(and(inArray(h.key, keys), gt(h.at, after)))
            .orderBy(desc(h.at)),
        );
        const refused = judge(rows.map((x) => ({ key: x.key, at: Number(x.at), n: Number(x.n) })));
        if (refused !== undefined) return refused;
        if (hitKeys.length) {
          const values = [...hitKeys].sort().map((key) => ({ key, at, n: 1 }));
          yield* run(
            q
              .insert(h)
              .values(values)
              .onConflictDoUpdate({ target: [h.key, h.at], set: { n: sql`${h.n} + 1` } }),
          );
        }
        return undefined;
      }),
    pruneHits: (before: number) => db.exec(db.q.delete(h).where(lt(h.at, before))),

    /**
     * Reads `key`'s references since `since`, lets `decide` judge them, and records `ref` at `at` when it
     * says so, all under the key's lock: two nodes' look-ups by one person are judged one after the other.
     */
    refs: <R>(
      key: string,
      ref: string,
      at: number,
      since: number,
      decide: (rows: { ref: string; at: number }[]) => { record: boolean; result: R },
    ) =>
      db.tx(function* (q) {
        yield* lock(`limit-refs:${key}`);
        const rows = yield* all(
          q
            .select({ ref: r.ref, at: r.at })
            .from(r)
            .where(and(eq(r.key, key), gte(r.at, since)))
            .orderBy(asc(r.at)),
        );
        const d = decide(rows);
        if (d.record)
          yield* run(
            q
              .insert(r)
              .values({ key, ref, at })
              .onConflictDoUpdate({ target: [r.key, r.ref], set: { at } }),
          );
        return d.result;
      }),
    pruneRefs: (before: number) => db.exec(db.q.delete(r).where(lt(r.at, before))),

    putHandoff: (key: string, value: string, expiresAt: number) =>
      db.exec(db.q.insert(o).values({ key, value, expiresAt }).onConflictDoUpdate({ target: o.key, set: { value, expiresAt } })),
    /** DELETE … RETURNING: taken once, by one request on one node. */
    takeHandoff: (key: string) => db.one(db.q.delete(o).where(eq(o.key, key)).returning({ value: o.value, expiresAt: o.expiresAt })),
    peekHandoff: (key: string) => db.one(db.q.select({ value: o.value, expiresAt: o.expiresAt }).from(o).where(eq(o.key, key))),
    sweepHandoffs: (now: number) => db.exec(db.q.delete(o).where(lte(o.expiresAt, now))),
  };
}
export type LimitStore = ReturnType<typeof limitStore>;

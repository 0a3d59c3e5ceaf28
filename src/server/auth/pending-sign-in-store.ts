// Sign-ins under way (pending_sign_ins), both dialects: any node may finish a sign-in another began.
import { count, eq, lte } from 'drizzle-orm';
import type { Store } from '../../../db/runtime.js';

export type PendingRow = Store['t']['pendingSignIns']['$inferSelect'];

export function pendingSignInStore(db: Store) {
  const { pendingSignIns: p } = db.t;
  return {
    insert: (row: PendingRow) => db.exec(db.q.insert(p).values(row)),
    /**
     * DELETE … RETURNING: taking the pending sign-in and using it up is one statement, so a replayed
     * state finds nothing even when two requests race (on two nodes too).
     */
    take: (stateHash: string) => db.one(db.q.delete(p).where(eq(p.stateHash, stateHash)).returning()),
    sweep: (now: number) => db.exec(db.q.delete(p).where(lte(p.expiresAt, now))),
    count: async () => (await db.one(db.q.select({ n: count() }).from(p)))?.n ?? 0,
  };
}

// Web sessions' statements (both dialects, db/runtime.ts).
import { eq, lte, or, sql } from 'drizzle-orm';
import { run, type Store } from '../../../db/runtime.js';

export type SessionRow = Store['t']['webSessions']['$inferSelect'];
export type NewSessionRow = Store['t']['webSessions']['$inferInsert'];

export function sessionStore(db: Store) {
  const { webSessions: s } = db.t;
  // The read path of every signed-in page: prepared once.
  const byHash = db.prepared<{ idHash: string }, SessionRow>('session_by_hash', (q) =>
    q
      .select()
      .from(s)
      .where(eq(s.idHash, sql.placeholder('idHash'))),
  );
  return {
    insert: (row: NewSessionRow) => db.exec(db.q.insert(s).values(row)),
    byHash: (idHash: string) => byHash.one({ idHash }),
    /** Last-seen times, written together in one transaction. */
    touch: (rows: [string, number][]) =>
      db.tx(function* (q) {
        for (const [idHash, t] of rows) yield* run(q.update(s).set({ lastSeenAt: t }).where(eq(s.idHash, idHash)));
      }),
    remove: (idHash: string) => db.exec(db.q.delete(s).where(eq(s.idHash, idHash))),
    setPurpose: (idHash: string, purpose: string, at: number) =>
      db.exec(db.q.update(s).set({ purpose, purposeAt: at }).where(eq(s.idHash, idHash))),
    sweep: (now: number, idleBefore: number) => db.exec(db.q.delete(s).where(or(lte(s.expiresAt, now), lte(s.lastSeenAt, idleBefore)))),
  };
}

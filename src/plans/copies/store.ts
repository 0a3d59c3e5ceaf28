// The person's copies' statements, written once for both dialects (db/runtime.ts).
import { and, desc, eq } from 'drizzle-orm';
import { one, type Body, type Schema, type Store } from '../../../db/runtime.js';
import type { Tx } from '../versions/store.js';

export type PersonCopyRow = Schema['personCopies']['$inferSelect'];

export function* insertPersonCopyIn(tx: Tx, row: Omit<PersonCopyRow, 'id'>): Body<PersonCopyRow> {
  return yield* one(tx.q.insert(tx.t.personCopies).values(row).returning());
}

/** The copy the person holds: the last one printed. */
export function latestPersonCopy(db: Store, planId: string): Promise<PersonCopyRow | undefined> {
  const { personCopies } = db.t;
  return db.one(db.q.select().from(personCopies).where(eq(personCopies.planId, planId)).orderBy(desc(personCopies.id)).limit(1));
}

export function findPersonCopy(db: Store, planId: string, copyId: number): Promise<PersonCopyRow | undefined> {
  const { personCopies } = db.t;
  return db.one(
    db.q
      .select()
      .from(personCopies)
      .where(and(eq(personCopies.planId, planId), eq(personCopies.id, copyId))),
  );
}

import { and, desc, eq } from 'drizzle-orm';
import { schema } from '../../../db/index.js';
import type { Queryable } from '../versions/store.js';

const { personCopies } = schema;

export type PersonCopyRow = typeof personCopies.$inferSelect;

export function insertPersonCopy(db: Queryable, row: Omit<PersonCopyRow, 'id'>): PersonCopyRow {
  return db.insert(personCopies).values(row).returning().get();
}

/** The copy the person holds: the last one printed. */
export function latestPersonCopy(db: Queryable, planId: string): PersonCopyRow | undefined {
  return db.select().from(personCopies).where(eq(personCopies.planId, planId)).orderBy(desc(personCopies.id)).get();
}

export function findPersonCopy(db: Queryable, planId: string, copyId: number): PersonCopyRow | undefined {
  return db.select().from(personCopies).where(and(eq(personCopies.planId, planId), eq(personCopies.id, copyId))).get();
}

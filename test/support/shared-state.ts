// The guards' counters on each backend they can run on: memory (one node), and the database's on SQLite
// and on PostgreSQL (several nodes). A test run over `counterBackends` holds for all three.
import { testStore, testClock } from '../helpers.js';
import {
  databaseCounters,
  databaseHandoffs,
  memoryCounters,
  memoryHandoffs,
  type Counters,
  type Handoffs,
} from '../../src/server/guards/shared-state.js';
import type { Db } from '../../db/index.js';

export type Backend = {
  name: string;
  /** The store the database's counters use (undefined for memory). */
  db?: () => Promise<Db>;
};

export const counterBackends: Backend[] = [
  { name: 'memory' },
  { name: 'database on SQLite', db: () => testStore('sqlite') },
  { name: 'database on PostgreSQL', db: () => testStore('pg') },
];

/** Counters and hand-offs of `b` over a test clock. */
export async function sharedParts(
  b: Backend,
  clock = testClock(),
): Promise<{ clock: typeof clock; counters: Counters; handoffs: Handoffs; db?: Db }> {
  if (!b.db) return { clock, counters: memoryCounters(clock), handoffs: memoryHandoffs(clock) };
  const db = await b.db();
  return { clock, counters: databaseCounters(db, clock), handoffs: databaseHandoffs(db, clock), db };
}

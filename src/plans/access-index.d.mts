import type Database from 'better-sqlite3';

export declare function accessIndexer(db: Database.Database): {
  /** Indexes up to `maxEvents` more events in one transaction; returns how many remain. */
  pass(maxEvents: number): number;
  backlog(): number;
};

/** Every (plan_id, seq) pair the log holds for events in (@from, @to]. */
export declare const PLAN_REFERENCES_SQL: string;

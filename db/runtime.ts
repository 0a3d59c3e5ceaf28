// One handle, two dialects. Store modules write each statement once, with drizzle's query builder, and run
// it through this handle; on SQLite it runs synchronously on better-sqlite3, on PostgreSQL through a pool.
//
// Transactions are generators: `db.tx(function* (q) { const row = yield* one(q.select()…); … })`. The
// body yields each statement and gets its result back. On SQLite the body is driven synchronously inside
// one `BEGIN IMMEDIATE` (better-sqlite3 refuses async transaction functions, drizzle-orm#1472, #2275, and a
// transaction held open across an await would take in other requests' statements on the one connection);
// on PostgreSQL each statement is awaited inside a real transaction. The body is the same code for both
// and must not await anything itself: it decides from what it reads, it never waits on the outside world.
import type Database from 'better-sqlite3';
import { is, sql, SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type pg from 'pg';
import type * as sqliteSchema from './schema/index.js';

export type Schema = typeof sqliteSchema;
/**
 * The builder store code writes against: drizzle's SQLite builder over the SQLite tables. On PostgreSQL the
 * same calls reach drizzle's pg builder over `db/pg/schema`, whose tables have the same names and columns
 * (test/db checks the parity); stores use only what both builders have, and the finishing call
 * (`.get()`, `.all()`, `.run()`) is made by the handle, never by the store.
 */
export type Q = BetterSQLite3Database<Schema>;
export type Dialect = 'sqlite' | 'pg';

type Gettable<T> = { get(): T };
type Listable<T> = { all(): T[] };
type Runnable = { run(): unknown };
export type Op =
  | { k: 'one'; q: Gettable<unknown> | SQL }
  | { k: 'all'; q: Listable<unknown> | SQL }
  | { k: 'run'; q: Runnable | SQL }
  | { k: 'lock'; key: string };
export type Body<R> = Generator<Op, R, unknown>;

/** The first row (or undefined) of a select, an `insert … returning`, or raw SQL. */
export function one<T>(q: Gettable<T>): Body<T>;
export function one<T>(q: SQL): Body<T | undefined>;
export function* one(q: Gettable<unknown> | SQL): Body<unknown> {
  return yield { k: 'one', q };
}
export function all<T>(q: Listable<T>): Body<T[]>;
export function all<T>(q: SQL): Body<T[]>;
export function* all(q: Listable<unknown> | SQL): Body<unknown> {
  return yield { k: 'all', q };
}
/** Runs a write; returns the number of rows it changed. */
export function* run(q: Runnable | SQL): Body<number> {
  return (yield { k: 'run', q }) as number;
}
/**
 * Serialises this transaction against every other holding the same key until it ends. On SQLite every
 * write transaction is already serial (BEGIN IMMEDIATE), so it is free there; on PostgreSQL it is an
 * advisory transaction lock, because read committed would otherwise let two bodies decide on the same read.
 */
export function* lock(key: string): Body<void> {
  yield { k: 'lock', key };
}

export type Prepared<P extends Record<string, unknown>, T> = {
  one(params: P): Promise<T | undefined>;
  all(params: P): Promise<T[]>;
};

export interface Store {
  readonly kind: Dialect;
  /** The tables of the dialect in use. */
  readonly t: Schema;
  /** Builder for statements outside a transaction. */
  readonly q: Q;
  one<T>(q: Gettable<T>): Promise<T>;
  one<T>(q: SQL): Promise<T | undefined>;
  many<T>(q: Listable<T>): Promise<T[]>;
  many<T>(q: SQL): Promise<T[]>;
  /** Runs a write; resolves to the number of rows it changed. */
  exec(q: Runnable | SQL): Promise<number>;
  tx<R>(body: (q: Q) => Body<R>): Promise<R>;
  /**
   * A statement prepared once for a hot path, with `sql.placeholder(name)` for its parameters: `name`
   * must be unique per statement (PostgreSQL keeps it per connection).
   */
  prepared<P extends Record<string, unknown>, T>(name: string, build: (q: Q) => Listable<T>): Prepared<P, T>;
  close(): Promise<void>;
  /** Dialect-only access, for the store modules that cannot be written once (FTS5, backup, the log writer). */
  readonly sqlite?: { client: Database.Database; file: string };
  readonly pg?: { pool: pg.Pool; url: string };
}

/** The SQLSTATE of a PostgreSQL error, through drizzle's wrapping. */
function sqlState(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; x && depth < 4; x = x.cause as typeof x, depth++) {
    if (typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code)) return x.code;
  }
  return undefined;
}
/** deadlock_detected, serialization_failure. */
const RETRYABLE = new Set(['40P01', '40001']);

const UNIQUE = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);
/** A unique or primary-key violation, from either dialect (drizzle may wrap the driver's error). */
export function isUniqueViolation(e: unknown): boolean {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; x && depth < 4; x = x.cause as typeof x, depth++) {
    if (typeof x.code === 'string' && UNIQUE.has(x.code)) return true;
  }
  return false;
}

/** Drives a body to completion with `step` executing each statement (sync on SQLite, async on pg). */
function driveSync<R>(gen: Body<R>, step: (op: Op) => unknown): R {
  let r = gen.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = step(r.value);
    } catch (e) {
      r = gen.throw(e);
      continue;
    }
    r = gen.next(value);
  }
  return r.value;
}

async function driveAsync<R>(gen: Body<R>, step: (op: Op) => Promise<unknown>): Promise<R> {
  let r = gen.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = await step(r.value);
    } catch (e) {
      r = gen.throw(e);
      continue;
    }
    r = gen.next(value);
  }
  return r.value;
}

/** The handle over one better-sqlite3 connection (db/index.ts opens it). */
export function sqliteStore(drz: Q, client: Database.Database, file: string, t: Schema): Store {
  const step = (op: Op): unknown => {
    switch (op.k) {
      case 'one':
        return is(op.q, SQL) ? drz.get(op.q) : op.q.get();
      case 'all':
        return is(op.q, SQL) ? drz.all(op.q) : op.q.all();
      case 'run':
        return ((is(op.q, SQL) ? drz.run(op.q) : op.q.run()) as Database.RunResult).changes;
      case 'lock':
        return undefined;
    }
  };
  const exec = (op: Op) => {
    try {
      return Promise.resolve(step(op));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return {
    kind: 'sqlite',
    t,
    q: drz,
    one: (q: Gettable<unknown> | SQL) => exec({ k: 'one', q }),
    many: (q: Listable<unknown> | SQL) => exec({ k: 'all', q }),
    exec: (q: Runnable | SQL) => exec({ k: 'run', q }) as Promise<number>,
    tx<R>(body: (q: Q) => Body<R>) {
      try {
        return Promise.resolve(client.transaction(() => driveSync(body(drz), step)).immediate());
      } catch (e) {
        return Promise.reject(e);
      }
    },
    prepared<P extends Record<string, unknown>, T>(_name: string, build: (q: Q) => Listable<T>) {
      const p = (build(drz) as unknown as { prepare(): { get(p: P): T | undefined; all(p: P): T[] } }).prepare();
      return {
        one: (params: P) => Promise.resolve(p.get(params)),
        all: (params: P) => Promise.resolve(p.all(params)),
      };
    },
    async close() {
      client.close();
    },
    sqlite: { client, file },
  } as Store;
}

type PgExecutor = { execute(q: SQL): Promise<{ rows: unknown[]; rowCount: number | null }> };

async function pgStep(x: PgExecutor, op: Op): Promise<unknown> {
  switch (op.k) {
    case 'one': {
      const rows = is(op.q, SQL) ? (await x.execute(op.q)).rows : ((await (op.q as unknown as PromiseLike<unknown[]>)) ?? []);
      return rows[0];
    }
    case 'all':
      return is(op.q, SQL) ? (await x.execute(op.q)).rows : await (op.q as unknown as PromiseLike<unknown[]>);
    case 'run': {
      const res = is(op.q, SQL) ? await x.execute(op.q) : await (op.q as unknown as PromiseLike<{ rowCount: number | null }>);
      return (res as { rowCount?: number | null }).rowCount ?? 0;
    }
    case 'lock': {
      await x.execute(sql`select pg_advisory_xact_lock(hashtextextended(${op.key}, 0))`);
      return undefined;
    }
  }
}

/** The handle over a node-postgres pool (db/pg/open.ts opens it). `drz` is drizzle's node-postgres db. */
export function pgStore(drz: unknown, pool: pg.Pool, url: string, t: unknown, close: () => Promise<void>): Store {
  const x = drz as PgExecutor & { transaction<R>(fn: (tx: unknown) => Promise<R>): Promise<R> };
  return {
    kind: 'pg',
    t: t as Schema,
    q: drz as Q,
    one: (q: Gettable<unknown> | SQL) => pgStep(x, { k: 'one', q }),
    many: (q: Listable<unknown> | SQL) => pgStep(x, { k: 'all', q }),
    exec: (q: Runnable | SQL) => pgStep(x, { k: 'run', q }) as Promise<number>,
    async tx<R>(body: (q: Q) => Body<R>) {
      // A deadlock or serialisation failure rolls the whole transaction back: the body only read and
      // decided, so running it again from the start is safe.
      for (let attempt = 1; ; attempt++) {
        try {
          return await x.transaction((tx) => driveAsync(body(tx as Q), (op) => pgStep(tx as PgExecutor, op)));
        } catch (e) {
          if (attempt >= 5 || !RETRYABLE.has(sqlState(e) ?? '')) throw e;
          await new Promise((r) => setTimeout(r, attempt * 5 * Math.random()));
        }
      }
    },
    prepared<P extends Record<string, unknown>, T>(name: string, build: (q: Q) => Listable<T>) {
      const p = (build(drz as Q) as unknown as { prepare(name: string): { execute(p: P): Promise<T[]> } }).prepare(name);
      return {
        one: async (params: P) => (await p.execute(params))[0],
        all: (params: P) => p.execute(params),
      };
    },
    close,
    pg: { pool, url },
  } as Store;
}

/**
 * Runs a body's statements one after another through the handle, outside any transaction: for a store's
 * multi-statement reads that are also used inside transactions (`yield*`), where no snapshot is needed.
 * `lock` means nothing here. Build the statements from `db.q`.
 */
export async function outside<R>(db: Store, body: Body<R>): Promise<R> {
  return driveAsync(body, (op) => {
    switch (op.k) {
      case 'one':
        return db.one(op.q as SQL);
      case 'all':
        return db.many(op.q as SQL);
      case 'run':
        return db.exec(op.q);
      case 'lock':
        return Promise.resolve(undefined);
    }
  });
}

// Backup and restore's statements. Dialect-specific by nature: a snapshot is a read transaction on its
// own connection (SQLite) or a REPEATABLE READ READ ONLY transaction on one pool client with a cursor per
// table (PostgreSQL), and a restore is one transaction that inserts with explicit keys. What the rows mean
// (the format, the chain) is the domain's (format.ts, chain-check.ts, backup.ts).
import { getTableColumns, getTableName, is, Table, type Column } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Store } from '../../../db/runtime.js';
import type { ColumnKind, MigrationLevel, Row, TableShape, TableSpec } from './format.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function tablesOf(db: Store): Map<string, Table> {
  const found = new Map<string, Table>();
  for (const t of Object.values(db.t as unknown as Record<string, unknown>)) {
    if (is(t, Table)) found.set(getTableName(t), t);
  }
  return found;
}

/** Every table of the store's schema, by SQL name. */
export function schemaTableNames(db: Store): string[] {
  return [...tablesOf(db).keys()].sort();
}

const kindOf = (c: Column): ColumnKind =>
  c.dataType === 'json' ? 'json' : c.dataType === 'boolean' ? 'boolean' : c.dataType === 'number' ? 'integer' : 'text';

/** The columns of each table, as this release's schema has them (the same on both dialects). */
export function tableShapes(db: Store, specs: readonly TableSpec[]): TableShape[] {
  const tables = tablesOf(db);
  return specs.map((s) => {
    const t = tables.get(s.name);
    if (!t) throw new Error(`the schema has no table ${s.name}`);
    const columns = Object.values(getTableColumns(t)).map((c) => ({ name: c.name, kind: kindOf(c), notNull: c.notNull }));
    return { name: s.name, columns };
  });
}

export type Snapshot = {
  migrations: MigrationLevel;
  /** The table's rows in `orderBy` order, a batch at a time, as the snapshot saw them. */
  rows(shape: TableShape, orderBy: string[]): AsyncIterable<Row[]>;
};

const selectSql = (shape: TableShape, orderBy: string[]) =>
  `SELECT ${shape.columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(shape.name)} ORDER BY ${orderBy.map(quote).join(', ')}`;

const BATCH = 1000;

/**
 * Runs `body` inside one read transaction: every table it reads is as it was at one moment, whatever the
 * service writes meanwhile (WAL on SQLite: writers go on, the snapshot is kept; MVCC on PostgreSQL).
 */
export async function withSnapshot<R>(db: Store, body: (s: Snapshot) => Promise<R>): Promise<R> {
  if (db.kind === 'sqlite') return sqliteSnapshot(db.sqlite!.client, body);
  return pgSnapshot(db.pg!.pool, body);
}

async function sqliteSnapshot<R>(client: Database.Database, body: (s: Snapshot) => Promise<R>): Promise<R> {
  client.exec('BEGIN');
  try {
    // The snapshot starts at the transaction's first read.
    const m = client.prepare('SELECT count(*) AS applied, max(created_at) AS latestAt FROM __drizzle_migrations').get() as MigrationLevel;
    const result = await body({
      migrations: { applied: m.applied, latestAt: m.latestAt === null ? null : Number(m.latestAt) },
      async *rows(shape, orderBy) {
        const fix = converters(shape, 'sqlite');
        const it = client.prepare(selectSql(shape, orderBy)).iterate() as IterableIterator<Row>;
        try {
          for (;;) {
            const batch: Row[] = [];
            while (batch.length < BATCH) {
              const r = it.next();
              if (r.done) break;
              batch.push(fix(r.value));
            }
            // better-sqlite3 iterates synchronously: handing each batch on lets the file's stream drain.
            if (batch.length) yield batch;
            if (batch.length < BATCH) return;
          }
        } finally {
          it.return?.();
        }
      },
    });
    client.exec('COMMIT');
    return result;
  } catch (e) {
    if (client.inTransaction) client.exec('ROLLBACK');
    throw e;
  }
}

async function pgSnapshot<R>(pool: pg.Pool, body: (s: Snapshot) => Promise<R>): Promise<R> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const m = (
      await client.query<{ applied: number; latestAt: string | null }>(
        'SELECT count(*)::int AS applied, max(created_at) AS "latestAt" FROM drizzle.__drizzle_migrations',
      )
    ).rows[0]!;
    const result = await body({
      migrations: { applied: m.applied, latestAt: m.latestAt === null ? null : Number(m.latestAt) },
      async *rows(shape, orderBy) {
        const fix = converters(shape, 'pg');
        await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR ${selectSql(shape, orderBy)}`);
        try {
          for (;;) {
            const { rows } = await client.query<Row>(`FETCH ${BATCH} FROM backup_rows`);
            if (!rows.length) return;
            yield rows.map(fix);
          }
        } finally {
          await client.query('CLOSE backup_rows');
        }
      },
    });
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** A row as the dialect returns it → as the file holds it: JSON parsed (SQLite keeps text), 0/1 → booleans. */
function converters(shape: TableShape, dialect: 'sqlite' | 'pg'): (r: Row) => Row {
  const json = dialect === 'sqlite' ? shape.columns.filter((c) => c.kind === 'json').map((c) => c.name) : [];
  const bools = dialect === 'sqlite' ? shape.columns.filter((c) => c.kind === 'boolean').map((c) => c.name) : [];
  if (!json.length && !bools.length) return (r) => r;
  return (r) => {
    for (const c of json) if (typeof r[c] === 'string') r[c] = JSON.parse(r[c] as string);
    for (const c of bools) if (r[c] !== null) r[c] = r[c] === 1;
    return r;
  };
}

export type Loader = {
  /** Tables of the backup that already hold rows (a seeded table counts only past its seed). */
  occupied(): Promise<{ table: string; rows: number }[]>;
  insert(shape: TableShape, spec: TableSpec, rows: Row[]): Promise<void>;
  /** Checkpoints whose head event is not in the loaded chain with the hash they signed (at most `limit`). */
  checkpointsOffChain(limit: number): Promise<{ id: number; headSeq: number }[]>;
};

const OFF_CHAIN = (limit: number) =>
  `SELECT c.id AS id, c.head_seq AS "headSeq" FROM audit_checkpoints c LEFT JOIN access_events e ON e.seq = c.head_seq
   WHERE e.seq IS NULL OR e.hash <> c.head_hash ORDER BY c.id LIMIT ${Math.trunc(limit)}`;

/**
 * Runs `body` in one write transaction that nothing else can write into meanwhile; it commits only if
 * `body` returns, and rolls everything back if it throws, so a store is restored whole or left as it was.
 */
export async function loadInOneTransaction<R>(db: Store, tables: TableShape[], body: (load: Loader) => Promise<R>): Promise<R> {
  if (db.kind === 'sqlite') return sqliteLoad(db.sqlite!.client, tables, body);
  return pgLoad(db.pg!.pool, tables, body);
}

const occupiedSql = (tables: TableShape[]) =>
  tables
    .map((t) =>
      t.name === 'access_index_state'
        ? `SELECT '${t.name}' AS "table", count(*) AS "rows" FROM access_index_state WHERE indexed_seq > 0`
        : `SELECT '${t.name}' AS "table", count(*) AS "rows" FROM ${quote(t.name)}`,
    )
    .join(' UNION ALL ');

/** A seeded table's row is overwritten, not added. */
const upsertSql = (shape: TableShape, spec: TableSpec) =>
  spec.seeded
    ? ` ON CONFLICT (${spec.orderBy.map(quote).join(', ')}) DO UPDATE SET ${shape.columns
        .filter((c) => !spec.orderBy.includes(c.name))
        .map((c) => `${quote(c.name)} = excluded.${quote(c.name)}`)
        .join(', ')}`
    : '';

const columnList = (shape: TableShape) => shape.columns.map((c) => quote(c.name)).join(', ');

const sqliteInsertSql = (shape: TableShape, spec: TableSpec) =>
  `INSERT INTO ${quote(shape.name)} (${columnList(shape)}) VALUES (${shape.columns.map(() => '?').join(', ')})${upsertSql(shape, spec)}`;

/** A value from the file → as the dialect binds it. */
function binder(shape: TableShape, dialect: 'sqlite' | 'pg'): (r: Row) => unknown[] {
  return (r) =>
    shape.columns.map((c) => {
      const v = r[c.name];
      if (v === null) return null;
      // pg would turn a JS array into a PostgreSQL array literal, not JSON: always bind the JSON text.
      if (c.kind === 'json') return JSON.stringify(v);
      if (c.kind === 'boolean' && dialect === 'sqlite') return v ? 1 : 0;
      return v;
    });
}

async function sqliteLoad<R>(client: Database.Database, tables: TableShape[], body: (load: Loader) => Promise<R>): Promise<R> {
  // IMMEDIATE: the write lock from the start, so the emptiness seen is still true at commit.
  client.exec('BEGIN IMMEDIATE');
  const statements = new Map<string, { stmt: Database.Statement; bind: (r: Row) => unknown[] }>();
  try {
    const result = await body({
      async occupied() {
        const rows = client.prepare(occupiedSql(tables)).all() as { table: string; rows: number }[];
        return rows.filter((r) => r.rows > 0);
      },
      async insert(shape, spec, rows) {
        let s = statements.get(shape.name);
        if (!s) {
          s = { stmt: client.prepare(sqliteInsertSql(shape, spec)), bind: binder(shape, 'sqlite') };
          statements.set(shape.name, s);
        }
        for (const r of rows) s.stmt.run(s.bind(r));
      },
      async checkpointsOffChain(limit) {
        return client.prepare(OFF_CHAIN(limit)).all() as { id: number; headSeq: number }[];
      },
    });
    client.exec('COMMIT');
    return result;
  } catch (e) {
    if (client.inTransaction) client.exec('ROLLBACK');
    throw e;
  }
}

// One array per column, unnested: a statement with a parameter per value (500 rows of access events are
// 8,000) costs PostgreSQL far more to parse and bind than the same rows as 16 arrays.
const PG_ARRAY: Record<ColumnKind, string> = { text: 'text[]', integer: 'int8[]', json: 'text[]', boolean: 'bool[]' };

const pgInsertSql = (shape: TableShape, spec: TableSpec) => {
  const cols = shape.columns;
  const as = cols.map((_, i) => `c${i}`);
  const select = cols.map((c, i) => (c.kind === 'json' ? `c${i}::jsonb` : `c${i}`)).join(', ');
  const arrays = cols.map((c, i) => `$${i + 1}::${PG_ARRAY[c.kind]}`).join(', ');
  return (
    `INSERT INTO ${quote(shape.name)} (${columnList(shape)}) SELECT ${select} FROM unnest(${arrays}) AS u(${as.join(', ')})` +
    upsertSql(shape, spec)
  );
};

async function pgLoad<R>(pool: pg.Pool, tables: TableShape[], body: (load: Loader) => Promise<R>): Promise<R> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Writers (a node of the service started too soon) wait until the restore commits or rolls back.
    await client.query(`LOCK TABLE ${tables.map((t) => quote(t.name)).join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
    const result = await body({
      async occupied() {
        const { rows } = await client.query<{ table: string; rows: number }>(occupiedSql(tables));
        return rows.filter((r) => r.rows > 0);
      },
      async insert(shape, spec, rows) {
        const bind = binder(shape, 'pg');
        const bound = rows.map(bind);
        await client.query(
          pgInsertSql(shape, spec),
          shape.columns.map((_, i) => bound.map((r) => r[i])),
        );
      },
      async checkpointsOffChain(limit) {
        return (await client.query<{ id: number; headSeq: number }>(OFF_CHAIN(limit))).rows;
      },
    });
    // Explicit ids leave each identity's sequence where it was: the next insert would collide with a
    // restored row.
    const { rows: identities } = await client.query<{ table: string; column: string }>(
      `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
       WHERE table_schema = current_schema() AND is_identity = 'YES' AND table_name = ANY($1)`,
      [tables.map((t) => t.name)],
    );
    for (const { table, column } of identities) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${quote(column)}), 1), max(${quote(column)}) IS NOT NULL) FROM ${quote(table)}`,
        [quote(table), column],
      );
    }
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

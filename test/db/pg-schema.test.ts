// The two schemas are one schema in two dialects: the same store code runs on either, handed the tables
// of the dialect in use. Every export, table, column, index and key of db/schema must have its twin in
// db/pg/schema with the same names and the same JS values back, and the other way round, so a change to
// one that is not made to the other (and regenerated: npm run db:generate) fails here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getTableColumns, is, type Column, type SQL } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgDialect, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/index.js';
import * as pgSchema from '../../db/pg/schema/index.js';
import { openPostgres } from '../../db/pg/open.js';
import * as sqliteSchema from '../../db/schema/index.js';
import { createTestDatabase } from '../support/postgres.js';

/**
 * Tables only one dialect has, outside drizzle's schemas (migrations' hand-written parts). FTS5 is
 * SQLite's alone (migration 0005: the virtual table, its vocabulary view and FTS5's own shadow tables);
 * PostgreSQL's search fallback keeps its name keys in a table of its own instead (pg migration 0001).
 */
const SQLITE_ONLY_TABLES = [
  'search_fts',
  'search_fts_vocab',
  'search_fts_config',
  'search_fts_content',
  'search_fts_data',
  'search_fts_docsize',
  'search_fts_idx',
  'sqlite_sequence',
  '__drizzle_migrations', // PostgreSQL's is in the `drizzle` schema
];
const PG_ONLY_TABLES = ['search_fallback_terms'];

/** Column types each SQLite type may become: the same JS values back (text stays text: no timestamps). */
const TYPE_TWINS: Record<string, string[]> = {
  SQLiteText: ['PgText'],
  SQLiteTextJson: ['PgJsonb'],
  SQLiteInteger: ['PgInteger', 'PgBigInt53'],
  SQLiteBoolean: ['PgBoolean'],
};

type Shape = ReturnType<typeof shapeOf>;

function shapeOf(
  config: ReturnType<typeof sqliteTableConfig> | ReturnType<typeof pgTableConfig>,
  table: object,
  whereSql: (s: SQL) => string,
) {
  const columns = Object.fromEntries(
    Object.entries(getTableColumns(table as never) as Record<string, Column>).map(([prop, c]) => [
      prop,
      {
        name: c.name,
        dataType: c.dataType,
        notNull: c.notNull,
        primary: c.primary,
        default: c.default,
        enumValues: c.enumValues,
        unique: c.isUnique ? c.uniqueName : undefined,
      },
    ]),
  );
  return {
    name: config.name,
    columns,
    indexes: config.indexes
      .map((i) => ({
        name: i.config.name,
        unique: i.config.unique,
        columns: i.config.columns.map((c) => (c as { name: string }).name),
        where: i.config.where ? whereSql(i.config.where) : undefined,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    primaryKeys: config.primaryKeys.map((k) => k.columns.map((c) => c.name)),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const r = fk.reference();
        const target = is(r.foreignTable, PgTable)
          ? pgTableConfig(r.foreignTable as PgTable).name
          : sqliteTableConfig(r.foreignTable as SQLiteTable).name;
        return `${r.columns.map((c) => c.name).join(',')} -> ${target}(${r.foreignColumns.map((c) => c.name).join(',')})`;
      })
      .sort(),
  };
}

function tablesOf(schema: Record<string, unknown>, dialect: 'sqlite' | 'pg'): Map<string, { shape: Shape; table: object }> {
  const sqliteDialect = new SQLiteSyncDialect();
  const pgDialect = new PgDialect();
  const found = new Map<string, { shape: Shape; table: object }>();
  for (const [exported, value] of Object.entries(schema)) {
    if (dialect === 'sqlite' && is(value, SQLiteTable)) {
      found.set(exported, { table: value, shape: shapeOf(sqliteTableConfig(value), value, (s) => sqliteDialect.sqlToQuery(s).sql) });
    }
    if (dialect === 'pg' && is(value, PgTable)) {
      found.set(exported, { table: value, shape: shapeOf(pgTableConfig(value), value, (s) => pgDialect.sqlToQuery(s).sql) });
    }
  }
  return found;
}

describe('the PostgreSQL schema is the SQLite schema in the other dialect', () => {
  const sqlite = tablesOf(sqliteSchema, 'sqlite');
  const pg = tablesOf(pgSchema, 'pg');

  it('exports the same names', () => {
    expect(Object.keys(pgSchema).sort()).toEqual(Object.keys(sqliteSchema).sort());
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys()].sort());
    expect(sqlite.size).toBeGreaterThan(15);
    // Whatever else they export (the enums' value lists) is the very same value.
    for (const [name, value] of Object.entries(sqliteSchema)) {
      if (!sqlite.has(name)) expect((pgSchema as Record<string, unknown>)[name], name).toEqual(value);
    }
  });

  it('has every table with the same SQL name, columns, keys and indexes', () => {
    for (const [name, { shape }] of sqlite) {
      expect(pg.get(name)?.shape, name).toEqual(shape);
    }
  });

  it('maps each column to a type that gives the same JS value back', () => {
    for (const [name, { table }] of sqlite) {
      const twin = getTableColumns(pg.get(name)!.table as PgTable);
      for (const [prop, column] of Object.entries(getTableColumns(table as SQLiteTable))) {
        const pgColumn = twin[prop]!;
        expect(TYPE_TWINS[column.columnType], `${name}.${prop}: ${column.columnType}`).toContain(pgColumn.columnType);
        // SQLite's AUTOINCREMENT, and its INTEGER PRIMARY KEY that the code leaves out on insert: an identity.
        const autoIncrement = (column as { autoIncrement?: boolean }).autoIncrement === true;
        if (autoIncrement) expect(pgColumn.generatedIdentity?.type, `${name}.${prop}`).toBe('byDefault');
        if (pgColumn.generatedIdentity) {
          expect(column.primary && column.columnType === 'SQLiteInteger', `${name}.${prop} is an identity on PostgreSQL only`).toBe(true);
        }
      }
    }
  });
});

describe('the migrated databases', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-schema-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('have the same tables and columns, and guard the same tables with triggers', async () => {
    const sqlite = openDatabase(path.join(dir, 'plans.sqlite')).sqlite!.client;
    const sqliteTables = sqlite
      .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .all()
      .map((t) => t.name)
      .filter((t) => !SQLITE_ONLY_TABLES.includes(t));
    const sqliteColumns = Object.fromEntries(
      sqliteTables.map((t) => [
        t,
        sqlite
          .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${t}')`)
          .all()
          .map((c) => c.name)
          .sort(),
      ]),
    );
    const sqliteTriggered = sqlite
      .prepare<[], { tbl_name: string }>(`SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'`)
      .all()
      .map((t) => t.tbl_name)
      .sort();
    sqlite.close();

    const database = await createTestDatabase({ empty: true });
    const pg = await openPostgres(database.url, { max: 1 });
    try {
      const rows = (
        await pg.pool.query<{ table_name: string; column_name: string }>(
          `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'
           AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')`,
        )
      ).rows;
      const pgColumns: Record<string, string[]> = {};
      for (const r of rows) if (!PG_ONLY_TABLES.includes(r.table_name)) (pgColumns[r.table_name] ??= []).push(r.column_name);
      for (const cols of Object.values(pgColumns)) cols.sort();
      expect(pgColumns).toEqual(sqliteColumns);
      // read_cache_epoch lives outside drizzle's schema on both: the comparison above is what covers it.
      expect(pgColumns.read_cache_epoch).toEqual(['id', 'n']);

      const pgTriggered = (
        await pg.pool.query<{ t: string }>(
          `SELECT DISTINCT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE NOT g.tgisinternal ORDER BY 1`,
        )
      ).rows.map((r) => r.t);
      expect(pgTriggered).toEqual(sqliteTriggered);
    } finally {
      await pg.close();
      await database.drop();
    }
  });
});

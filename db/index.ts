import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { secureDatabaseFiles } from './file-modes.js';
import { applyPragmas } from './pragmas.mjs';
import { pgStore, sqliteStore, type Store } from './runtime.js';
import * as schema from './schema/index.js';

/**
 * The store handle (db/runtime.ts), on either dialect. SQLite-only code (its file's backup, the access
 * log's writer thread, benches and tests about the file) reaches the driver through `db.sqlite`.
 */
export type Db = Store;
export { schema };
export type { Store } from './runtime.js';

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Opens (creating if needed) the service's SQLite file and brings it to the latest migration. */
export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Created 0600 before SQLite opens it: the WAL and -shm files SQLite makes copy the database's mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const sqlite = new Database(file);
  applyPragmas(sqlite);
  secureDatabaseFiles(file);
  const drz = drizzle(sqlite, { schema });
  migrate(drz, { migrationsFolder });
  return sqliteStore(drz, sqlite, file, schema);
}

/**
 * The store the configuration names: PostgreSQL when `databaseUrl` (DATABASE_URL) is set, brought to the
 * latest migration under an advisory lock; otherwise the SQLite file under `dataDir`, as always.
 */
export async function openStore(opts: { dataDir: string; databaseUrl?: string; applicationName?: string }): Promise<Db> {
  if (!opts.databaseUrl) return openDatabase(databaseFile(opts.dataDir));
  const { openPostgres, pgSchema } = await import('./pg/open.js');
  const pg = await openPostgres(opts.databaseUrl, { applicationName: opts.applicationName });
  return pgStore(pg.db, pg.pool, opts.databaseUrl, pgSchema, pg.close);
}

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'plans.sqlite');
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { secureDatabaseFiles } from './file-modes.js';
import { applyPragmas } from './pragmas.mjs';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export { schema };

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Opens (creating if needed) the service's SQLite file and brings it to the latest migration. */
export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Created 0600 before SQLite opens it: the WAL and -shm files SQLite makes copy the database's mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const sqlite = new Database(file);
  applyPragmas(sqlite);
  secureDatabaseFiles(file);
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'plans.sqlite');
}

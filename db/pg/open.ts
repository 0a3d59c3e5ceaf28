import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as pgSchema from './schema/index.js';
import { RECONNECT_WAIT_MS, waitForServer } from './reconnect.js';

export type Pg = {
  db: NodePgDatabase<typeof pgSchema> & { $client: pg.Pool };
  pool: pg.Pool;
  close(): Promise<void>;
};
export { pgSchema };

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Held while migrating, so that nodes starting together migrate one at a time: drizzle's migrate() takes
 * no lock, and two of them racing on an empty database fail on each other's CREATE statements. The first
 * eight bytes of sha256("response-plan-lookup migrations"), as a signed 64-bit integer.
 */
export const MIGRATION_LOCK_KEY = '-3889084489198505593';

export const MIN_SERVER_VERSION_NUM = 150000;

// int8 (bigint, count(*), sum of integers) comes back from node-postgres as a string, because a JS number
// cannot hold every int8. The SQLite store returns numbers, and the same store code runs on both, so read
// int8 as a number, and fail loudly instead of silently rounding a value past 2^53. drizzle's node-postgres
// driver reads type parsers from pg's global registry on every query (a pool's own `types` is not used),
// so the parser is set there. Every value this service keeps as bigint (sequence numbers, epoch
// milliseconds) stays far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (text: string) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is beyond JavaScript's safe integers`);
  return n;
});

/**
 * Connects to PostgreSQL 15 or later, brings the database to the latest migration (under an advisory
 * lock: several nodes may start at once), and returns a pool whose every session commits durably.
 * Errors name the server, never the password.
 */
export async function openPostgres(
  url: string,
  opts: { max?: number; applicationName?: string; reconnectWaitMs?: number } = {},
): Promise<Pg> {
  const target = describe(url);
  const config: pg.PoolConfig = {
    connectionString: target.connectionString,
    // The access log's promise (nothing is shown before its event is durable) rests on every commit
    // waiting for the WAL flush, and for the synchronous standby's too where one is configured. A role or
    // database default of `off` would quietly break it; a startup option overrides both.
    options: [target.options, '-c synchronous_commit=on'].filter(Boolean).join(' '),
    application_name: opts.applicationName ?? 'response-plan-lookup',
  };

  await migrateUnderLock(config, target);

  const pool = new pg.Pool({ ...config, max: opts.max ?? 10 });
  // An idle client whose connection breaks (a server restart, a failover) emits 'error' on the pool; with
  // no listener that would end the process. The pool drops that client and the next query connects anew.
  pool.on('error', () => {});
  // A client checked out of the pool has no listener of the pool's: one whose session is ended between two
  // of its statements (a fast shutdown ends every session at once) would emit an unheard 'error' and end
  // the process. Its holder learns of it anyway, as its next statement fails, and the pool does not take
  // back a client that is no longer queryable.
  pool.on('connect', (client) => client.on('error', () => {}));
  waitForServer(pool, opts.reconnectWaitMs ?? RECONNECT_WAIT_MS);
  const db = drizzle(pool, { schema: pgSchema }) as Pg['db'];
  return { db, pool, close: () => pool.end() };
}

type Target = { connectionString: string; options: string; where: string; password: string };

/** Checks the URL's shape and says where it points (host, port, database, user), without its password. */
function describe(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // URL's own error carries the input, password and all: say nothing of it.
    throw new Error('DATABASE_URL is not a valid URL: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (it starts with ${u.protocol}//)`);
  }
  const host = u.searchParams.get('host') ?? (u.hostname || 'localhost');
  const port = u.searchParams.get('port') ?? (u.port || '5432');
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default)';
  const user = decodeURIComponent(u.username) || '(default user)';
  // node-postgres lets the URL's `options` replace the pool's: take it out and join it to ours.
  const options = u.searchParams.get('options') ?? '';
  u.searchParams.delete('options');
  return {
    connectionString: u.toString(),
    options,
    where: `${host}:${port}, database ${database}, user ${user}`,
    password: decodeURIComponent(u.password),
  };
}

async function migrateUnderLock(config: pg.PoolConfig, target: Target): Promise<void> {
  // A client of its own, with a connect timeout (the pool has none: under load it would turn a wait for a
  // free client into an error), so a server that never answers fails start-up instead of hanging it.
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  // A connection that breaks while migrating would otherwise emit an unhandled 'error'; the query in
  // flight fails with it anyway.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw connectError(err, target);
  }
  try {
    refuseUnsupported(await serverSettings(client), target.where);
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    // Ending the session would release the lock too, should the unlock above have failed.
    await client.end().catch(() => {});
  }
}

/** The settings of the server and session that decide whether this service can run on it. */
export type ServerSettings = {
  server_version_num: string;
  server_version: string;
  server_encoding: string;
  synchronous_commit: string;
};

export async function serverSettings(client: pg.Client): Promise<ServerSettings> {
  const { rows } = await client.query<{ name: keyof ServerSettings; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version_num', 'server_version', 'server_encoding', 'synchronous_commit')`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.setting])) as ServerSettings;
}

/** Throws, saying why and what to do, unless the server (`where`, for the message) is one this service runs on. */
export function refuseUnsupported(s: ServerSettings, where: string): void {
  if (!(Number(s.server_version_num) >= MIN_SERVER_VERSION_NUM)) {
    throw new Error(`PostgreSQL 15 or later is required; ${where} runs ${s.server_version ?? 'an unknown version'}`);
  }
  if (s.server_encoding !== 'UTF8') {
    // Names in any script must go in as written (SQL_ASCII would not even check them).
    throw new Error(`the database at ${where} is encoded ${s.server_encoding}; create it with ENCODING 'UTF8'`);
  }
  if (s.synchronous_commit !== 'on') {
    // A connection pooler that drops startup options would leave the server's own setting in force.
    throw new Error(`synchronous_commit is ${s.synchronous_commit} on ${where}, and the access log needs it on`);
  }
}

function connectError(err: unknown, target: Target): Error {
  const e = err as { code?: string; message?: string };
  const reason =
    e.code === 'ECONNREFUSED'
      ? 'connection refused (is PostgreSQL running and listening there?)'
      : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
        ? 'no such host'
        : e.code === '28P01'
          ? 'password authentication failed'
          : e.code === '3D000'
            ? 'no such database'
            : (e.message ?? String(err));
  const message = `cannot connect to PostgreSQL at ${target.where}: ${reason}`;
  // No message above is known to quote the password; this keeps it so should a driver's ever do.
  const safe = target.password.length >= 4 ? message.replaceAll(target.password, '***') : message;
  return new Error(safe, { cause: err });
}

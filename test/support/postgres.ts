// A fresh PostgreSQL database per test, in the run's throw-away cluster (test/support/postgres-cluster.ts,
// vitest's globalSetup), owned by a role with no more rights than a deployment's own.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgres } from '../../db/pg/open.js';
import type { PostgresCluster } from './postgres-cluster.js';

export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

export function testCluster(): PostgresCluster {
  const cluster = inject('postgres');
  if (!cluster) throw new Error('no test PostgreSQL: vitest.config.ts must list test/support/postgres-cluster.ts in globalSetup');
  return cluster;
}

/** Runs one statement as the cluster's superuser (over its private socket). */
export async function asSuperuser<T extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  database?: string,
): Promise<pg.QueryResult<T>> {
  const { admin } = testCluster();
  const client = new pg.Client({ ...admin, database: database ?? admin.database });
  await client.connect();
  try {
    return await client.query<T>(text);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database owned by the test role: migrated (a copy of a template migrated once per run, which
 * is far quicker than migrating each), or `empty` for tests of the migration itself. drop() is worth
 * calling (afterEach) to keep the cluster small; the cluster and all in it go at the run's end anyway.
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${process.pid}_${randomBytes(5).toString('hex')}`;
  const template = opts.empty ? '' : ` TEMPLATE ${await migratedTemplate()}`;
  await asSuperuser(`CREATE DATABASE ${name} OWNER ${testCluster().role}${template}`);
  return {
    name,
    url: urlOf(name),
    // FORCE: a test that failed midway may still hold connections.
    drop: async () => void (await asSuperuser(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

function urlOf(database: string): string {
  const { role, password, host, port } = testCluster();
  return `postgres://${role}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

const TEMPLATE = 'rpl_migrated';
const TEMPLATE_LOCK = 7_346_001;
let templateReady: Promise<string> | undefined;

/** Made by whichever test worker needs it first, under a lock the other workers wait on. */
function migratedTemplate(): Promise<string> {
  templateReady ??= (async () => {
    const client = new pg.Client(testCluster().admin);
    await client.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(${TEMPLATE_LOCK})`);
      const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = '${TEMPLATE}'`);
      if (!exists.rowCount) {
        // A worker killed halfway through may have left its unfinished copy.
        await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE}_wip WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${TEMPLATE}_wip OWNER ${testCluster().role}`);
        const migrated = await openPostgres(urlOf(`${TEMPLATE}_wip`), { max: 1 });
        await migrated.close();
        // Renamed only once complete, and closed to connections: a copy needs its template untouched.
        await client.query(`ALTER DATABASE ${TEMPLATE}_wip RENAME TO ${TEMPLATE}`);
        await client.query(`ALTER DATABASE ${TEMPLATE} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
      }
      return TEMPLATE;
    } finally {
      await client.end();
    }
  })();
  return templateReady;
}

/**
 * A new database with `source`'s content, as a test's snapshot of a state: `source`'s sessions are ended
 * (a template must have none), and ended again should one connect meanwhile.
 */
export async function copyDatabase(source: string): Promise<TestDatabase> {
  const name = `t_${process.pid}_${randomBytes(5).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    await asSuperuser(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${source}' AND pid <> pg_backend_pid()`);
    try {
      await asSuperuser(`CREATE DATABASE ${name} OWNER ${testCluster().role} TEMPLATE ${source}`);
      break;
    } catch (err) {
      // 55006: source database "…" is being accessed by other users.
      if (attempt >= 5 || (err as { code?: string }).code !== '55006') throw err;
    }
  }
  return { name, url: urlOf(name), drop: async () => void (await asSuperuser(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

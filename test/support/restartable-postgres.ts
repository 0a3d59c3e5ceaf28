// A small PostgreSQL cluster of a test's own, for the tests that restart the server under a running
// service (the run's shared cluster, test/support/postgres-cluster.ts, serves every other test at once and
// must not be restarted). Made from the same installed binaries and in the same way; stopped and deleted
// when the test ends, or by a later run's globalSetup should this process die first.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { onCleanup } from '../cleanup.js';
import { findBinaries, postgresUser, initCluster, startServer } from './postgres-cluster.js';

const run = promisify(execFile);

export type RestartablePostgres = {
  /** A database owned by a role without superuser rights, over TCP with a password: a node's DATABASE_URL. */
  url: string;
  /** `pg_ctl restart -m fast`: every session is ended, the server is down for a moment, then accepts again. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: the server is gone until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Runs one statement as the superuser (over the cluster's private socket). */
  query<T extends pg.QueryResultRow>(text: string, database?: string): Promise<T[]>;
};

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const bin = await findBinaries();
  const owner = process.getuid?.() === 0 ? await postgresUser() : undefined;
  // The run's prefix and owner file: a later run's globalSetup removes it if this process dies first.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-pg-'));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const pgRun = (tool: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args], { cwd: dir })
      : run(path.join(bin, tool), args, { cwd: dir });
  onCleanup(async () => {
    await pgRun('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });

  await initCluster(pgRun, data);
  const port = await startServer(pgRun, data, dir);
  const admin = { host: dir, port, user: 'postgres', database: 'postgres' };
  const query = async <T extends pg.QueryResultRow>(text: string, database?: string) => {
    const client = new pg.Client({ ...admin, database: database ?? admin.database });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  };
  const password = randomBytes(18).toString('base64url');
  await query(`CREATE ROLE rpl_app LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  await query('CREATE DATABASE rpl OWNER rpl_app');
  return {
    url: `postgres://rpl_app:${password}@127.0.0.1:${port}/rpl`,
    // pg_ctl restart starts the server again with the options it last ran with (postmaster.opts).
    restart: async () =>
      void (await pgRun('pg_ctl', ['restart', '-D', data, '-m', 'fast', '-w', '-t', '60', '-l', path.join(dir, 'server.log')])),
    stop: async () => void (await pgRun('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w'])),
    start: async () =>
      void (await pgRun('pg_ctl', [
        'start',
        '-D',
        data,
        '-w',
        '-t',
        '60',
        '-l',
        path.join(dir, 'server.log'),
        '-o',
        `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}`,
      ])),
    query,
  };
}

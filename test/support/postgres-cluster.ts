// vitest globalSetup: one throw-away PostgreSQL cluster for the whole test run, started from the
// installed binaries (Debian's `postgresql` package), stopped and deleted at the end. Tests get their own
// database in it through createTestDatabase() (test/support/postgres.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);

/** What a test worker needs to reach the cluster (vitest `provide`/`inject`, key `postgres`). */
export type PostgresCluster = {
  /** The superuser, over the cluster's private unix socket: creates and drops test databases. */
  admin: { host: string; port: number; user: string; database: string };
  /** A role without superuser, CREATEDB or CREATEROLE, owning each test database, as a deployment's would. */
  role: string;
  password: string;
  /** TCP, password-checked (scram-sha-256), as a service node connects. */
  host: string;
  port: number;
};

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresCluster;
  }
}

const INSTALL = 'PostgreSQL 15 or later is needed to run the tests: apt-get install -y postgresql';
const PREFIX = 'rpl-pg-';
const ROLE = 'rpl_app';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const bin = await findBinaries();
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await postgresUser() : undefined;
  await removeAbandonedClusters(bin, owner);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  // Whose cluster this is: a later run removes it if this process died without its teardown.
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const data = path.join(dir, 'data');
  // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres OS user.
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const pgRun = (tool: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args], { cwd: dir })
      : run(path.join(bin, tool), args, { cwd: dir });

  const stop = async () => {
    if (process.env.PG_TEST_TIMING) console.log(`postgres: ${cpuSeconds(data)} s of CPU over the run`);
    await pgRun('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await initCluster(pgRun, data);
    const port = await startServer(pgRun, data, dir);
    const password = randomBytes(18).toString('base64url');
    const admin = { host: dir, port, user: 'postgres', database: 'postgres' };
    const client = new pg.Client(admin);
    await client.connect();
    try {
      await client.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    } finally {
      await client.end();
    }
    project.provide('postgres', { admin, role: ROLE, password, host: '127.0.0.1', port });
    if (process.env.PG_TEST_TIMING) console.log(`postgres: cluster ready in ${Date.now() - started} ms`);
  } catch (err) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log) ? `\n${fs.readFileSync(log, 'utf8').split('\n').slice(-20).join('\n')}` : '';
    await stop();
    throw new Error(`could not start the test PostgreSQL cluster: ${(err as Error).message}${tail}`, { cause: err });
  }
  return stop;
}

/** The bin directory of the newest installed PostgreSQL 15+: Debian's layout first, then pg_config on PATH. */
export async function findBinaries(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const debian = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && Number(v) >= 15 && fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (debian[0]) return path.join(root, debian[0], 'bin');
  const found = await run('pg_config', ['--bindir']).then(
    (r) => r.stdout.trim(),
    () => undefined,
  );
  if (found && fs.existsSync(path.join(found, 'initdb'))) {
    const { stdout } = await run(path.join(found, 'initdb'), ['--version']);
    const major = Number(/(\d+)/.exec(stdout)?.[1]);
    if (major >= 15) return found;
    throw new Error(`${INSTALL} (found PostgreSQL ${major} in ${found})`);
  }
  throw new Error(`${INSTALL} (no initdb under ${root}/*/bin or from pg_config)`);
}

export async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(`the tests run as root, and PostgreSQL refuses to: they need the postgres OS user. ${INSTALL}`);
  }
}

export type PgRun = (tool: string, args: string[]) => Promise<unknown>;

/**
 * A new cluster in `data`, superuser `postgres`. --no-sync: only initdb's own final flush is skipped (a lost
 * throw-away cluster costs nothing); the server itself keeps fsync on, so the tests see real durable
 * commits. C.UTF-8 gives Unicode letters without depending on which locales the machine has generated.
 */
export async function initCluster(pgRun: PgRun, data: string): Promise<void> {
  await pgRun('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-sync',
    '--no-instructions',
  ]);
}

/** Starts the server on a free port, trying again should another process take the port meanwhile. */
export async function startServer(pgRun: PgRun, data: string, dir: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const settings = [
      `-c port=${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dir}`,
      '-c shared_buffers=32MB',
      '-c max_connections=200',
    ].join(' ');
    try {
      await pgRun('pg_ctl', ['start', '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', settings]);
      return port;
    } catch (err) {
      const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
      if (attempt >= 3 || !/could not bind|Address already in use/i.test(log)) throw err;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Clusters left by runs that were killed before their teardown: stop them and delete their files. */
async function removeAbandonedClusters(bin: string, owner: { uid: number } | undefined): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp).filter((n) => n.startsWith(PREFIX))) {
    const dir = path.join(tmp, name);
    let pid: number;
    try {
      pid = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (alive(pid)) continue;
    const args = ['stop', '-D', path.join(dir, 'data'), '-m', 'immediate', '-w'];
    await (owner ? run('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args]) : run(path.join(bin, 'pg_ctl'), args)).catch(
      () => {},
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The server's CPU time so far (user and system), its ended backends included: PG_TEST_TIMING reports it. */
function cpuSeconds(data: string): string {
  try {
    const pid = fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    // /proc/PID/stat: fields 14–17 are utime, stime, cutime, cstime in clock ticks (100 a second on Linux).
    const fields = fs
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    const ticks = fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
    return (ticks / 100).toFixed(1);
  } catch {
    return 'unknown';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

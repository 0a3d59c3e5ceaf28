// Several service nodes as real processes: `src/main.ts` spawned once per node (node --import tsx), each
// with its own PORT, DATA_DIR and managed Meilisearch, all on one DATABASE_URL and one set of keys, as a
// deployment runs them behind a load balancer. For the process-level tests (test/nodes/): SIGKILL, restart,
// a PostgreSQL restart under them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliHere, repoRoot } from '../cli/helpers.js';
import { onCleanup } from '../cleanup.js';
import { tempDir } from '../helpers.js';
import { initKeys } from '../../src/plans/keys/keys.js';
import { loadDevIssuer, type DevIssuer } from '../../src/server/auth/dev-issuer.js';

export type ServiceNode = {
  name: string;
  dataDir: string;
  /** http://127.0.0.1:PORT; the same across restarts (a load balancer's configuration names it). */
  url: string;
  port: number;
  pid(): number | undefined;
  /** The process is alive (not exited, not killed). */
  running(): boolean;
  /** What the process printed so far (this run's), for a failing test's message. */
  output(): { stdout: string; stderr: string };
  /** Resolves once GET /readyz answers 200. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown at all, as a machine that dies (its Meilisearch is ended too). */
  kill(): Promise<void>;
  /** SIGTERM and wait: the graceful stop. Resolves to the exit code. */
  stop(): Promise<number | null>;
  /** Starts the process again on the same port and data directory (after kill or stop). */
  start(): Promise<void>;
};

export type Nodes = {
  nodes: ServiceNode[];
  /** The key material every node shares (the checkpoint signing key, the development issuer's key). */
  keysDir: string;
  /** A bearer token from the shared development issuer, accepted by every node. */
  token(who: { sub: string; org: string; roles: string[] }, ttlSeconds?: number): Promise<string>;
  /**
   * `npm run cli -- …args` as an operator of this deployment runs it (in this process: see cliHere): its
   * DATABASE_URL (unless `env` says another) and its keys.
   */
  cli(args: string[], env?: Record<string, string>): ReturnType<typeof cliHere>;
};

/**
 * One deployment's keys in one KEYS_DIR for every node and the CLI, as a deployment mounts one: made by
 * `keys init`'s code (or copied from `from`, another deployment's), so every node signs checkpoints with
 * one key and accepts one issuer's tokens.
 */
async function sharedKeys(from?: string) {
  const keysDir = path.join(tempDir('rpl-keys-'), 'keys');
  if (from) fs.cpSync(from, keysDir, { recursive: true });
  initKeys(keysDir);
  const issuer = await loadDevIssuer(keysDir);
  return {
    keysDir,
    issuer,
    nodeEnv: (): Record<string, string> => ({ KEYS_DIR: keysDir }),
    cliDataDir: tempDir('rpl-cli-'),
  };
}

/**
 * Starts `count` nodes on `databaseUrl` (migrated or empty: they migrate under a lock) and waits until each
 * is ready. `--no-demo`: a test seeds what it needs before, since nodes starting together would each load
 * the demo set. Every node is SIGKILLed (with its Meilisearch) when the test ends.
 */
export async function startNodes(opts: {
  databaseUrl: string;
  count?: number;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Another deployment's keys to use (a restore drill's new node keeps verifying the old checkpoints). */
  keysDir?: string;
}): Promise<Nodes> {
  const keys = await sharedKeys(opts.keysDir);
  const nodes: ServiceNode[] = [];
  for (let i = 0; i < (opts.count ?? 2); i++) {
    const dataDir = tempDir(`rpl-node-${i}-`);
    nodes.push(serviceNode(String.fromCharCode(65 + i), dataDir, { ...opts.env, ...keys.nodeEnv(), DATABASE_URL: opts.databaseUrl }));
  }
  await Promise.all(nodes.map((n) => n.start()));
  await Promise.all(nodes.map((n) => n.ready(opts.readyTimeoutMs)));
  return {
    nodes,
    keysDir: keys.keysDir,
    token: (w, ttl = 3600) => devToken(keys.issuer, w, ttl),
    cli: (args, env = {}) => cliHere(args, keys.cliDataDir, { ...keys.nodeEnv(), DATABASE_URL: opts.databaseUrl, ...env }),
  };
}

const devToken = (issuer: DevIssuer, w: { sub: string; org: string; roles: string[] }, ttl: number) =>
  issuer.sign({ sub: w.sub, org: w.org, roles: w.roles as Parameters<DevIssuer['sign']>[0]['roles'] }, ttl);

/** One node on `dataDir` (SQLite there unless `env` has a DATABASE_URL), not yet started; SIGKILLed when the test ends. */
export function serviceNode(name: string, dataDir: string, env: Record<string, string>): ServiceNode {
  let child: ChildProcess | undefined;
  let port = 0;
  let stdout = '';
  let stderr = '';
  let exited: Promise<number | null> = Promise.resolve(null);

  const node: ServiceNode = {
    name,
    dataDir,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    pid: () => child?.pid,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    output: () => ({ stdout, stderr }),
    async start() {
      if (node.running()) throw new Error(`node ${name} is running`);
      stdout = '';
      stderr = '';
      const c = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/main.ts'), '--no-demo'], {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          LOG_LEVEL: 'warn',
          ...env,
          DATA_DIR: dataDir,
          PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      exited = new Promise((r) => c.once('exit', (code) => r(code)));
      c.stderr!.on('data', (d) => (stderr += d));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node ${name} did not start in 90 s:\n${stderr}`)), 90_000);
        c.stdout!.on('data', (d) => {
          stdout += d;
          const m = /Response-plan lookup service: (http:\/\/\S+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        c.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`node ${name} exited with ${code} while starting:\n${stderr}`));
        });
      });
      port = Number(new URL(url).port);
    },
    async ready(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        if (!child || child.exitCode !== null) throw new Error(`node ${name} is not running:\n${stderr}`);
        try {
          const res = await fetch(`${node.url}/readyz`);
          if (res.status === 200) return;
          last = `${res.status} ${await res.text()}`;
        } catch (e) {
          last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`node ${name} not ready after ${timeoutMs} ms (last /readyz: ${last})`);
    },
    async kill() {
      if (node.running()) child!.kill('SIGKILL');
      await exited;
      endMeili(dataDir);
    },
    async stop() {
      if (node.running()) child!.kill('SIGTERM');
      return exited;
    },
  };
  onCleanup(() => node.kill());
  return node;
}

/**
 * A node killed outright leaves its managed Meilisearch running (the next start on that DATA_DIR ends it,
 * meili-process.ts); a test's last kill must end it itself. Only the process whose command line names this
 * data directory.
 */
function endMeili(dataDir: string) {
  const meiliDir = path.join(dataDir, 'meili');
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(meiliDir, 'meilisearch.pid'), 'utf8'));
    if (!(pid > 1) || !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(meiliDir)) return;
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

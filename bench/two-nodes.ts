/**
 * `npm run bench:nodes`: two service nodes (src/main.ts, each its own DATA_DIR and managed Meilisearch)
 * behind haproxy (health checks on /readyz) on one PostgreSQL database, on this machine. For audited plan
 * views and for searches: a phase with both nodes up, then a phase in which node A is killed (SIGKILL)
 * halfway. Per phase: rps, p50, p99, errors; for the kill phases also the p99 before and after the kill
 * (the survivor's) and the errors after it. Prints a table and writes bench/results-two-nodes.json.
 *
 * Needs DATABASE_URL (a database the role owns: seeded with BENCH_PLANS synthetic plans when it has none)
 * and haproxy on PATH (Debian: apt-get install haproxy). Env: BENCH_PLANS (2000), BENCH_SECONDS per phase
 * with both up (10; a kill phase runs twice as long), BENCH_CONNECTIONS (20).
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { openStore } from '../db/index.js';
import { seedSyntheticPlans } from '../src/plans/demo/demo.js';
import { initKeys } from '../src/plans/keys/keys.js';
import { loadDevIssuer } from '../src/server/auth/dev-issuer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PLANS = Number(process.env.BENCH_PLANS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const PURPOSE = 'BENCH-NODES load test';

type Sample = { at: number; ms: number; ok: boolean };
type Stats = { requests: number; rps: number; p50Ms: number; p99Ms: number; errors: number };
type Phase = { name: string; all: Stats; beforeKill?: Stats; afterKill?: Stats };

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) fail('DATABASE_URL is not set: this bench runs two nodes on one PostgreSQL database');
if (spawnSync('haproxy', ['-v']).status !== 0) fail('haproxy is not installed (Debian: apt-get install haproxy)');

function fail(message: string): never {
  process.stderr.write(`bench:nodes: ${message}\n`);
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-bench-nodes-'));
const children: ChildProcess[] = [];
const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/**
 * SIGTERM and wait, so each node stops its managed Meilisearch; a node killed outright leaves its
 * Meilisearch running (the next start on that DATA_DIR would end it), so those are ended by their pid file.
 */
async function stopAll() {
  await Promise.all(
    children.filter(running).map(async (c) => {
      c.kill('SIGTERM');
      const exited = new Promise((r) => c.once('exit', r));
      if ((await Promise.race([exited, sleep(10_000).then(() => 'late')])) === 'late') c.kill('SIGKILL');
    }),
  );
  for (const name of ['a', 'b']) {
    try {
      const pid = Number(fs.readFileSync(path.join(work, name, 'meili', 'meilisearch.pid'), 'utf8'));
      if (pid > 1 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(work)) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file, or that process is gone
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}
process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      (await fetch(`${url}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return;
    await sleep(200);
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms`);
}

/** One node: started, killed and started again on the same port and DATA_DIR. */
function node(name: string, port: number, keys: string) {
  const dataDir = path.join(work, name);
  fs.mkdirSync(dataDir, { mode: 0o700 });
  let child: ChildProcess | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    start() {
      child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts'), '--no-demo'], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          LOG_LEVEL: 'warn',
          DATABASE_URL: databaseUrl,
          DATA_DIR: dataDir,
          KEYS_DIR: keys,
          PORT: String(port),
          TRUST_PROXY: 'x-forwarded-for:1',
          // One bench identity makes every search: the per-person limit would measure itself.
          SEARCH_BURST: '1000000000',
          SEARCH_PER_HOUR: '1000000000',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
    },
    kill() {
      child?.kill('SIGKILL');
    },
  };
}

function haproxyConfig(front: number, backends: number[]) {
  return `global
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 3s
    option forwardfor
    retries 2
    retry-on conn-failure empty-response
    option redispatch 1
frontend rpl
    bind 127.0.0.1:${front}
    http-request disable-l7-retry if !METH_GET !METH_HEAD
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
${backends.map((p, i) => `    server n${i} 127.0.0.1:${p} check`).join('\n')}
    option allbackups
${backends.map((p, i) => `    server n${i}-any 127.0.0.1:${p} backup`).join('\n')}
`;
}

function stats(samples: Sample[], seconds: number): Stats {
  const ms = samples
    .filter((s) => s.ok)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const q = (p: number) => (ms.length ? Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]! * 10) / 10 : 0);
  return {
    requests: samples.length,
    rps: Math.round(ms.length / seconds),
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    errors: samples.filter((s) => !s.ok).length,
  };
}

/** Drives `requests` through the proxy for `seconds`; `atHalf` runs halfway (the kill). */
async function phase(
  name: string,
  url: string,
  headers: Record<string, string>,
  paths: string[],
  seconds: number,
  atHalf?: () => void,
): Promise<Phase> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  let i = 0;
  let killedAt: number | undefined;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const instance = autocannon(
    {
      url,
      connections: CONNECTIONS,
      duration: seconds,
      headers,
      timeout: 10,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
    },
    () => finished(),
  );
  instance.on('response', (_client, status, _bytes, responseTime) => {
    samples.push({ at: performance.now() - t0, ms: responseTime, ok: status >= 200 && status < 300 });
  });
  instance.on('reqError', () => samples.push({ at: performance.now() - t0, ms: 0, ok: false }));
  const timer =
    atHalf &&
    setTimeout(
      () => {
        killedAt = performance.now() - t0;
        atHalf();
      },
      (seconds * 1000) / 2,
    );
  await done;
  clearTimeout(timer);
  const result: Phase = { name, all: stats(samples, seconds) };
  if (killedAt !== undefined) {
    result.beforeKill = stats(
      samples.filter((s) => s.at < killedAt!),
      killedAt / 1000,
    );
    result.afterKill = stats(
      samples.filter((s) => s.at >= killedAt!),
      seconds - killedAt / 1000,
    );
  }
  return result;
}

async function main() {
  const db = await openStore({ dataDir: work, databaseUrl });
  const count = async () =>
    (await db.many<{ n: number }>(sql`SELECT count(*)::int AS n FROM plans WHERE current_version_id IS NOT NULL`))[0]!.n;
  if ((await count()) === 0) {
    process.stderr.write(`seeding ${PLANS} synthetic plans…\n`);
    await seedSyntheticPlans(db, PLANS, { now: () => new Date() });
  }
  const rows = await db.many<{ id: string; subject: { givenNames: string; familyName: string } }>(
    sql`SELECT p.id, v.subject FROM plans p JOIN plan_versions v ON v.id = p.current_version_id
        WHERE p.owning_org IN ('southbank-mh', 'northgate-mh') AND p.withdrawn_at IS NULL ORDER BY p.id LIMIT 2000`,
  );
  await db.close();
  const views = rows.map((r) => `/api/v1/plans/${r.id}`);
  const searches = rows.slice(0, 500).map((r, i) => {
    const family = r.subject.familyName.toLowerCase();
    const q = i % 2 ? family : `${r.subject.givenNames.split(' ')[0]!.toLowerCase()} ${family}`;
    return `/api/v1/search?${new URLSearchParams({ q })}`;
  });

  // One KEYS_DIR for both nodes, made as `keys init` makes it.
  const keys = path.join(work, 'keys');
  initKeys(keys);
  const issuer = await loadDevIssuer(keys);
  const [pa, pb, front] = [await freePort(), await freePort(), await freePort()];
  const a = node('a', pa, keys);
  const b = node('b', pb, keys);
  a.start();
  await waitReady(a.url);
  b.start();
  await waitReady(b.url);
  const cfg = path.join(work, 'haproxy.cfg');
  fs.writeFileSync(cfg, haproxyConfig(front, [pa, pb]));
  const proxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(proxy);
  const url = `http://127.0.0.1:${front}`;
  await waitReady(url);
  await sleep(2500); // both servers through `rise 2`

  const token = await issuer.sign({ sub: 'bench.officer', org: 'capital-police', roles: ['responder'] }, 3600);
  const headers = { authorization: `Bearer ${token}`, 'x-access-purpose': PURPOSE };
  // Warm both nodes (view caches, JIT) before measuring.
  await phase('warm-up', url, headers, views, 5);
  await phase('warm-up', url, headers, searches, 3);

  const phases: Phase[] = [];
  for (const [kind, paths] of [
    ['plan-view-audited', views],
    ['search', searches],
  ] as const) {
    phases.push(await phase(`${kind} both-up`, url, headers, paths, SECONDS));
    phases.push(await phase(`${kind} A-killed-halfway`, url, headers, paths, SECONDS * 2, () => a.kill()));
    a.start();
    await waitReady(a.url);
    await sleep(2500);
  }

  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10) };
  const row = (label: string, s: Stats) =>
    `${label.padEnd(44)} ${String(s.rps).padStart(6)} ${String(s.p50Ms).padStart(8)} ${String(s.p99Ms).padStart(8)} ${String(s.errors).padStart(7)}`;
  const lines = [`${'phase'.padEnd(44)} ${'rps'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`];
  for (const p of phases) {
    lines.push(row(p.name, p.all));
    if (p.beforeKill) lines.push(row('  before the kill', p.beforeKill));
    if (p.afterKill) lines.push(row('  after the kill (survivor)', p.afterKill));
  }
  process.stdout.write(
    `\ntwo nodes behind haproxy, ${rows.length} plans, ${CONNECTIONS} connections, load average ${machine.loadavg.join(' ')}\n${lines.join('\n')}\n`,
  );
  fs.writeFileSync(
    path.join(root, 'bench', 'results-two-nodes.json'),
    `${JSON.stringify({ machine, plans: rows.length, connections: CONNECTIONS, phases }, null, 2)}\n`,
  );
}

main().then(
  () => stopAll().then(() => process.exit(0)),
  (e) => {
    process.stderr.write(`bench:nodes failed: ${(e as Error).stack ?? e}\n`);
    return stopAll().then(() => process.exit(1));
  },
);

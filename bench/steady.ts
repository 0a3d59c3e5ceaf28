/**
 * The fixed-rate scenario (issue 24): the service as `npm start` runs it (src/main.ts: request log, timers,
 * index sync, refusal summaries and all), on the bench's plans, under a steady, moderate load: plan views
 * and searches at fixed rates at the same time, for minutes. Not a throughput test: what it shows is the
 * tail, the requests that something else held up.
 *
 * The client is paced, not closed-loop: each request has a scheduled send time and its latency counts
 * from then, and a request is never queued behind another (a fresh keep-alive socket whenever all are
 * busy). A stall of the service then shows in full in every request it held, and in those that were due
 * meanwhile, instead of being hidden by a client that waits (coordinated omission). The client's own event
 * loop delay is reported beside it, so a stall of the client is not taken for one of the service.
 *
 * The service's main thread is watched from inside (bench/stall-probe.mjs: late timers, GC pauses), and
 * each episode of slow requests is listed with what the probe saw at that moment.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { rssOfProcessMb } from './proc.js';
import { loadDevIssuer } from '../src/server/auth/dev-issuer.js';
import { searchQueries } from './scenarios.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);

export type SteadyOptions = {
  dataDir: string;
  databaseUrl: string | undefined;
  planIds: string[];
  seconds: number;
  warmupSeconds: number;
  viewsPerSecond: number;
  searchesPerSecond: number;
};

type Kind = 'view' | 'search';
type Sample = { kind: Kind; scheduled: number; ms: number; ok: boolean };
type ProbeEntry = {
  kind: 'loop' | 'gc' | 'sql';
  thread: string;
  sql?: string;
  at: number;
  ms: number;
  gc?: string;
  cpuMs?: number;
  queuedMs?: number;
  blockedMs?: number;
};
/** Where a thread's stalled time went (bench/stall-probe.mjs): running, waiting for a core, asleep in a system call. */
type StallTime = {
  stalls: number;
  over50Ms: number;
  longestMs: number;
  totalMs: number;
  cpuMs: number;
  queuedMs: number;
  blockedMs: number;
};

function slowStatements(entries: ProbeEntry[]): SteadyResult['slowStatements'] {
  const by = new Map<string, SteadyResult['slowStatements'][number]>();
  for (const e of entries) {
    const thread = e.thread === 'main' ? 'main' : 'worker';
    const key = `${thread} ${e.sql}`;
    const s = by.get(key) ?? { thread, sql: e.sql ?? '', count: 0, maxMs: 0, totalMs: 0 };
    s.count++;
    s.maxMs = Math.max(s.maxMs, e.ms);
    s.totalMs += e.ms;
    by.set(key, s);
  }
  return [...by.values()].sort((a, b) => b.maxMs - a.maxMs).slice(0, 15);
}

function stallTime(entries: ProbeEntry[]): StallTime {
  const sum = (f: (e: ProbeEntry) => number) => entries.reduce((n, e) => n + (Number.isFinite(f(e)) ? f(e) : 0), 0);
  return {
    stalls: entries.length,
    over50Ms: entries.filter((e) => e.ms > 50).length,
    longestMs: Math.max(0, ...entries.map((e) => e.ms)),
    totalMs: sum((e) => e.ms),
    cpuMs: sum((e) => e.cpuMs ?? NaN),
    queuedMs: sum((e) => e.queuedMs ?? NaN),
    blockedMs: sum((e) => e.blockedMs ?? NaN),
  };
}

export type LatencySummary = {
  requests: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  errors: number;
};

export type SteadyResult = {
  plans: number;
  seconds: number;
  warmupSeconds: number;
  viewsPerSecond: number;
  searchesPerSecond: number;
  /** From the service's start until /readyz answered 200 (index caught up). */
  readyMs: number;
  views: LatencySummary;
  searches: LatencySummary;
  /** Sampled every second over the measured part: the service's RSS, and the managed Meilisearch's. */
  rssMb: { service: { min: number; max: number }; meilisearch: { min: number; max: number } | null };
  /** 1-minute load average at the start and the end of the measured part (a shared machine). */
  loadAverage: { start: number; end: number };
  /** The bench client's own event-loop delay (ms): a stall here would be the client's, not the service's. */
  clientLoopDelayMaxMs: number;
  /**
   * What the probe saw over the measured part: the main thread's stalls over 10 ms and its GC pauses over
   * 5 ms; the worker threads' (the access-log writer's: a commit and its fsync hold it, and every request
   * in flight waits for its event's commit). Each stall's time is split into running (cpuMs), waiting for
   * a core (queuedMs: the machine's other load) and asleep in a system call (blockedMs: I/O).
   */
  serviceMainThread: StallTime & { gcPausesOver5Ms: number; longestGcPauseMs: number; gcMsTotal: number };
  workerThreads: StallTime;
  /** SQLite statements over 5 ms (their text, never parameters), by thread and text, longest first. */
  slowStatements: { thread: 'main' | 'worker'; sql: string; count: number; maxMs: number; totalMs: number }[];
  /**
   * Episodes of slow requests (over SLOW_MS, overlapping in time), slowest first: when (seconds into the
   * measured part), how long the worst request took, how many were caught, and what the probe saw then.
   */
  episodes: { atS: number; worstMs: number; requests: number; main: StallTime; gcMs: number; writer: StallTime }[];
};

/** A request slower than this belongs to a stall episode. */
const SLOW_MS = 50;
const round1 = (n: number) => Math.round(n * 10) / 10;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return round1(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

function summary(samples: Sample[], seconds: number): LatencySummary {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    rps: round1(samples.length / seconds),
    p50Ms: percentile(ms, 50),
    p90Ms: percentile(ms, 90),
    p99Ms: percentile(ms, 99),
    p999Ms: percentile(ms, 99.9),
    maxMs: round1(ms.at(-1) ?? NaN),
    errors: samples.filter((s) => !s.ok).length,
  };
}

/** The managed Meilisearch: the service's child process of that name (Linux /proc; null elsewhere). */
function meiliPid(parent: number): number | undefined {
  try {
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const [comm, rest] = [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), stat.slice(stat.lastIndexOf(')') + 2)];
        if (comm.startsWith('meilisearch') && Number(rest.split(' ')[1]) === parent) return Number(d);
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    // No /proc.
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

function get(agent: http.Agent, port: number, pathname: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, headers, agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** src/main.ts on the bench's data dir, its request log into a file there; resolves once it listens. */
async function startService(opts: SteadyOptions, stallLog: string): Promise<{ child: ChildProcess; port: number; started: number }> {
  const logFile = path.join(opts.dataDir, 'steady-service.log');
  const out = fs.openSync(logFile, 'w');
  const { DATABASE_URL: _, ...inherited } = process.env;
  const started = now();
  const child = fork(path.join(repo, 'src', 'main.ts'), ['--no-demo'], {
    cwd: repo,
    env: {
      ...inherited,
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
      DATA_DIR: opts.dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      // The load is many responders' worth from one token: the per-person search limit would answer 429.
      SEARCH_BURST: '1000000000',
      SEARCH_PER_HOUR: '1000000000',
      BENCH_STALL_LOG: stallLog,
    },
    execArgv: ['--import', 'tsx', '--import', path.join(here, 'stall-probe.mjs')],
    stdio: ['ignore', out, 'inherit', 'ipc'],
  });
  fs.closeSync(out);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`service exited with ${code}`))));
  exited.catch(() => undefined);
  for (;;) {
    const ready = fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('"msg":"ready"'));
    if (ready) {
      const port = Number(new URL(JSON.parse(ready).url).port);
      return { child, port, started };
    }
    await Promise.race([sleep(100), exited]);
  }
}

async function stopService(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function runSteady(opts: SteadyOptions): Promise<SteadyResult> {
  const stallLog = path.join(opts.dataDir, 'steady-stalls.jsonl');
  const queries = await searchQueries({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl });
  const issuer = await loadDevIssuer(path.join(opts.dataDir, 'keys'));
  const token = await issuer.sign({ sub: 'bench.officer', org: 'capital-police', roles: ['responder'] }, 3600 * 4);
  const headers = { authorization: `Bearer ${token}`, 'x-access-purpose': 'BENCH-0001 steady load' };
  fs.writeFileSync(stallLog, '');
  const { child, port, started } = await startService(opts, stallLog);
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    // Out of rotation until the index has caught up: that is when a load balancer would send it requests.
    while ((await get(agent, port, '/readyz', {})) !== 200) await sleep(200);
    const readyMs = Math.round(now() - started);
    process.stdout.write(`steady: service ready (readyz 200) ${readyMs} ms after its start\n`);

    const samples: Sample[] = [];
    const t0 = now();
    const measureFrom = t0 + opts.warmupSeconds * 1000;
    const end = measureFrom + opts.seconds * 1000;
    const rss = { service: [] as number[], meili: [] as number[] };
    const meili = child.pid ? meiliPid(child.pid) : undefined;
    const load = { start: NaN, end: NaN };
    const clientDelay = monitorEventLoopDelay({ resolution: 10 });
    let outstanding = 0;
    const send = (kind: Kind, scheduled: number, pathname: string) => {
      outstanding++;
      void get(agent, port, pathname, headers).then((status) => {
        outstanding--;
        if (scheduled >= measureFrom) samples.push({ kind, scheduled, ms: now() - scheduled, ok: status >= 200 && status < 300 });
      });
    };
    const streams = [
      {
        kind: 'view' as const,
        every: 1000 / opts.viewsPerSecond,
        next: t0,
        n: 0,
        path: (n: number) => `/api/v1/plans/${opts.planIds[n % opts.planIds.length]}`,
      },
      {
        kind: 'search' as const,
        every: 1000 / opts.searchesPerSecond,
        next: t0,
        n: 0,
        path: (n: number) => `/api/v1/search?${queries[n % queries.length]}`,
      },
    ];
    process.stdout.write(
      `steady: ${opts.viewsPerSecond} views/s and ${opts.searchesPerSecond} searches/s, ${opts.warmupSeconds} s warm-up then ${opts.seconds} s measured (load average ${os.loadavg()[0]!.toFixed(2)})\n`,
    );
    let lastSample = 0;
    let measuring = false;
    for (;;) {
      const t = now();
      if (!measuring && t >= measureFrom) {
        measuring = true;
        clientDelay.enable();
        load.start = os.loadavg()[0]!;
      }
      if (t >= end) break;
      for (const s of streams) {
        while (s.next <= t) {
          send(s.kind, s.next, s.path(s.n++));
          s.next += s.every;
        }
      }
      if (measuring && t - lastSample >= 1000) {
        lastSample = t;
        const sr = rssOfProcessMb(child.pid);
        const mr = rssOfProcessMb(meili);
        if (sr !== null) rss.service.push(sr);
        if (mr !== null) rss.meili.push(mr);
      }
      const next = Math.min(...streams.map((s) => s.next), end);
      await sleep(Math.max(0, next - now()));
    }
    load.end = os.loadavg()[0]!;
    clientDelay.disable();
    while (outstanding > 0) await sleep(50);
    agent.destroy();

    // Every measured request, for a closer look beside the probe's file (times are epoch ms).
    fs.writeFileSync(path.join(opts.dataDir, 'steady-samples.jsonl'), samples.map((x) => `${JSON.stringify(x)}\n`).join(''));
    const probe: ProbeEntry[] = fs
      .readFileSync(stallLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ProbeEntry)
      .filter((e) => e.at >= measureFrom && e.at < end);
    const loops = probe.filter((e) => e.kind === 'loop' && e.thread === 'main');
    const gcs = probe.filter((e) => e.kind === 'gc' && e.thread === 'main');
    const workers = probe.filter((e) => e.kind === 'loop' && e.thread !== 'main');
    const overlapping = (entries: ProbeEntry[], from: number, to: number) => entries.filter((x) => x.at < to && x.at + x.ms > from);
    const overlapMs = (entries: ProbeEntry[], from: number, to: number) => overlapping(entries, from, to).reduce((n, e) => n + e.ms, 0);
    // Slow requests whose [scheduled, answered] spans overlap make one episode.
    const slow = samples.filter((s) => s.ms > SLOW_MS).sort((a, b) => a.scheduled - b.scheduled);
    const episodes: { from: number; to: number; worstMs: number; requests: number }[] = [];
    for (const s of slow) {
      const last = episodes.at(-1);
      if (last && s.scheduled <= last.to) {
        last.to = Math.max(last.to, s.scheduled + s.ms);
        last.worstMs = Math.max(last.worstMs, s.ms);
        last.requests++;
      } else episodes.push({ from: s.scheduled, to: s.scheduled + s.ms, worstMs: s.ms, requests: 1 });
    }
    const result: SteadyResult = {
      plans: opts.planIds.length,
      seconds: opts.seconds,
      warmupSeconds: opts.warmupSeconds,
      viewsPerSecond: opts.viewsPerSecond,
      searchesPerSecond: opts.searchesPerSecond,
      readyMs,
      views: summary(
        samples.filter((s) => s.kind === 'view'),
        opts.seconds,
      ),
      searches: summary(
        samples.filter((s) => s.kind === 'search'),
        opts.seconds,
      ),
      rssMb: {
        service: { min: Math.min(...rss.service), max: Math.max(...rss.service) },
        meilisearch: rss.meili.length ? { min: Math.min(...rss.meili), max: Math.max(...rss.meili) } : null,
      },
      loadAverage: { start: round1(load.start), end: round1(load.end) },
      clientLoopDelayMaxMs: round1(clientDelay.max / 1e6),
      serviceMainThread: {
        ...stallTime(loops),
        gcPausesOver5Ms: gcs.length,
        longestGcPauseMs: Math.max(0, ...gcs.map((e) => e.ms)),
        gcMsTotal: gcs.reduce((n, e) => n + e.ms, 0),
      },
      workerThreads: stallTime(workers),
      slowStatements: slowStatements(probe.filter((e) => e.kind === 'sql')),
      episodes: episodes
        .sort((a, b) => b.worstMs - a.worstMs)
        .slice(0, 15)
        .map((e) => ({
          atS: round1((e.from - measureFrom) / 1000),
          worstMs: round1(e.worstMs),
          requests: e.requests,
          main: stallTime(overlapping(loops, e.from, e.to)),
          gcMs: overlapMs(gcs, e.from, e.to),
          writer: stallTime(overlapping(workers, e.from, e.to)),
        })),
    };
    return result;
  } finally {
    await stopService(child);
  }
}

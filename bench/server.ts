/**
 * The benchmark's service process: the real app (access log with group commit, signed checkpoints,
 * search on a managed Meilisearch with its outbox worker, web sessions) and a bare Hono route, both served
 * by @hono/node-server in this one process, as `npm start` serves the app. Started by bench/run.ts over
 * IPC; reports its ports, start-up time and, on request, its RSS and the search engine's own timings.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import pino from 'pino';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/index.js';
import { planLookupBacklog } from '../src/plans/access-log/events-store.js';
import { createAccessLog } from '../src/plans/access-log/log.js';
import { catchUpPlanLookup } from '../src/plans/access-log/queries.js';
import { loadAuditSigner } from '../src/plans/access-log/signer.js';
import { isoDay, systemClock } from '../src/plans/core/clock.js';
import { createPlanReader } from '../src/plans/versions/read.js';
import { securedResponse } from '../src/server/security-headers.js';
import { createApp } from '../src/server/app.js';
import { loadConfig } from '../src/config.js';
import { loadDevIssuer } from '../src/server/auth/dev-issuer.js';
import { createLogger, silentLogger } from '../src/logger.js';
import { createMetrics } from '../src/server/metrics/metrics.js';
import { rssOfProcessMb } from './proc.js';
import { startSearch } from '../src/search/index.js';
import { databaseUrl, openBenchStore, readablePlanIds } from './store.js';

export type ServerReady = {
  type: 'ready';
  appPort: number;
  barePort: number;
  unloggedPort: number;
  metricsPort: number;
  startupMs: number;
  rssMbAtReady: number;
  /** The managed Meilisearch, for `search-engine-direct` (bench only: the key never leaves the machine). */
  engine: { url: string; key: string } | null;
};
/** CPU time of the whole service process (all threads, the access-log writer included), in µs. */
export type ServerCpu = {
  type: 'cpu';
  user: number;
  system: number /** The managed Meilisearch's CPU (user + system), µs. */;
  engine: number | null;
};
export type ServerStats = {
  type: 'stats';
  rssMb: number;
  /** The managed Meilisearch process's own RSS (a separate process, not counted in rssMb). */
  meiliRssMb: number | null;
  logBatches: number;
  logEvents: number;
  commitMsAvg: number;
  commitMsMax: number;
};
/** The plan lookup brought up to date: how many events it took in, and how long that took. */
export type ServerCaughtUp = { type: 'caught-up'; events: number; ms: number };
/** Each search since the last ask: Meilisearch's processingTimeMs and the service's own tookMs. */
export type ServerSearches = { type: 'searches'; engineMs: number[]; tookMs: number[]; degraded: number };

/** Linux only: a process's CPU time (user + system) from /proc, in µs (null elsewhere or when gone). */
function cpuOfProcessUs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** One plan as a police responder's view of it, serialised as the plan route serialises it. */
async function sampleViewJson(db: Db): Promise<string> {
  const [planId] = await readablePlanIds(db);
  if (!planId) throw new Error('bench: no plan a responder may read');
  const reader = createPlanReader(db);
  const police = { sub: 'bench.sample', org: 'capital-police', orgKind: 'police' as const, roles: ['responder' as const] };
  const read = await reader.byId(police, planId, isoDay(systemClock()));
  if (!read.ok) throw new Error(`bench: no sample view (${read.detail})`);
  return JSON.stringify(read.value.view);
}

function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<number> {
  return new Promise((resolve) => {
    serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
}

async function main(dataDir: string) {
  const db = await openBenchStore(dataDir, databaseUrl);
  const accessLog = createAccessLog(db, { clock: systemClock, signer: loadAuditSigner(path.join(dataDir, 'keys')) });
  // BENCH_LOG=1: search's warnings on stderr (a search over its time budget, the engine degraded).
  const searchLogger = process.env.BENCH_LOG === '1' ? createLogger('warn', pino.destination(2)) : silentLogger();
  const search = await startSearch({ db, logger: searchLogger, dataDir });
  const searches = { engineMs: [] as number[], tookMs: [] as number[], degraded: 0 };
  const service = search.service;
  const measured: typeof service = {
    ...service,
    async search(...args) {
      const r = await service.search(...args);
      if (r.ok) {
        if (r.value.engineMs !== undefined) searches.engineMs.push(r.value.engineMs);
        searches.tookMs.push(r.value.tookMs);
        if (r.value.degraded) searches.degraded += 1;
      }
      return r;
    },
  };
  // The load is many responders' worth from a few tokens: the per-person search limit (tested on its
  // own) would answer most of it 429.
  const searchLimits = { perMinute: 1_000_000_000, perHour: 1_000_000_000 };
  // What every app here shares (the diagnostic ones below differ only in their log or metrics).
  const base = {
    db,
    clock: systemClock,
    logger: silentLogger(),
    devIssuer: await loadDevIssuer(path.join(dataDir, 'keys')),
    publicBaseUrl: 'http://127.0.0.1',
  };
  const app = createApp({
    ...base,
    accessLog,
    search: measured,
    searchLimits,
    // Capacity is measured unshed: a closed-loop client answered 503 asks again at once, so shed answers would
    // count as requests. SEARCH_MAX_IN_FLIGHT (and SEARCH_QUEUE…) set: shedding as `npm start` reads them.
    searchConcurrency: process.env.SEARCH_MAX_IN_FLIGHT ? loadConfig(process.env).searchConcurrency : 'off',
  });
  // The floor under the audited view: a bare route sending what a plan view sends (a real view's JSON,
  // the same security headers) with no auth, no database and no log. Writing 2–3 KB to a socket costs
  // far more than the tiny bare reply on these machines, and no application work can make it cheaper.
  // Built on first use, so the service's start-up time does not include it.
  let sample: string | undefined;
  const bare = new Hono()
    .get('/bare', (c) => c.json({ ok: true, at: Date.now() }))
    .get('/bare-plan-sized', async () => securedResponse((sample ??= await sampleViewJson(db)), 200, 'application/json'));
  // Diagnostic (BENCH_UNLOGGED=1): the same app with a log that writes nothing, to show what the audit
  // itself costs. Off by default: a second app instance would inflate the service's RSS.
  const unlogged =
    process.env.BENCH_UNLOGGED !== '1'
      ? undefined
      : createApp({
          ...base,
          accessLog: { record: async () => undefined, planLookup: async () => undefined, close: async () => undefined },
        });
  // BENCH_METRICS=1: the same app and access log with Prometheus metrics on, for `plan-view-metrics`.
  const withMetrics =
    process.env.BENCH_METRICS !== '1'
      ? undefined
      : createApp({ ...base, accessLog, search: measured, searchLimits, metrics: createMetrics() });
  const [appPort, barePort] = await Promise.all([listen(app.fetch), listen(bare.fetch)]);
  // performance.now() counts from process start: module loading and opening the database included.
  const startupMs = Math.round(performance.now());
  const unloggedPort = unlogged ? await listen(unlogged.fetch) : 0;
  const metricsPort = withMetrics ? await listen(withMetrics.fetch) : 0;
  const rssMbAtReady = Math.round(process.memoryUsage().rss / 2 ** 20);
  const engine = search.managed ? { url: search.managed.url, key: search.managed.key } : null;
  const ready: ServerReady = { type: 'ready', appPort, barePort, unloggedPort, metricsPort, startupMs, rssMbAtReady, engine };
  process.send!(ready);
  let profiler: Session | undefined;
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'cpu')
      process.send!({ type: 'cpu', ...process.cpuUsage(), engine: cpuOfProcessUs(search.managed?.pid()) } satisfies ServerCpu);
    if (m.type === 'searches') {
      process.send!({
        type: 'searches',
        engineMs: searches.engineMs.splice(0),
        tookMs: searches.tookMs.splice(0),
        degraded: searches.degraded,
      } satisfies ServerSearches);
      searches.degraded = 0;
    }
    if (m.type === 'stats') {
      const { batches, events, commitMsTotal, commitMsMax } = accessLog.stats();
      const round1 = (n: number) => Math.round(n * 10) / 10;
      process.send!({
        type: 'stats',
        rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
        meiliRssMb: rssOfProcessMb(search.managed?.pid()),
        logBatches: batches,
        logEvents: events,
        commitMsAvg: batches ? round1(commitMsTotal / batches) : 0,
        commitMsMax: round1(commitMsMax),
      } satisfies ServerStats);
    }
    // BENCH_PROF=dir: a CPU profile of the measured rounds only (not start-up or warm-up).
    if (m.type === 'profile-start') {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
      process.send!({ type: 'profiling' });
    }
    if (m.type === 'profile-stop' && profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      const file = path.join(process.env.BENCH_PROF!, `rounds-${Date.now()}.cpuprofile`);
      fs.mkdirSync(process.env.BENCH_PROF!, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      profiler.disconnect();
      profiler = undefined;
      process.send!({ type: 'profiled', file });
    }
    // The plan lookup is built from the log after the fact (by the writer when idle); the bench builds
    // it between rounds, on the clock but outside any round, so it never steals a later round's CPU.
    if (m.type === 'catch-up') {
      const before = await planLookupBacklog(db);
      const started = performance.now();
      await catchUpPlanLookup(db);
      process.send!({ type: 'caught-up', events: before, ms: performance.now() - started } satisfies ServerCaughtUp);
    }
    if (m.type === 'stop') {
      await Promise.allSettled([accessLog.close(), search.stop()]);
      await db.close();
      process.exit(0);
    }
  });
}

main(process.argv[2]!).catch((e) => {
  process.stderr.write(`bench server failed: ${(e as Error).stack}\n`);
  process.exit(1);
});

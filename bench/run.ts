/**
 * `npm run bench`: seeds ~10,000 synthetic plans once (kept under bench/.data), starts the service in a
 * child process, drives each scenario with autocannon at 50 connections, prints a table and writes
 * bench/results.json (CONTRACTS §6). Ratios compare scenarios of the same run, never absolute numbers.
 * The machine is shared and noisy, so scenarios are interleaved over several rounds and each reports its
 * median round: a burst of outside load then hurts every scenario alike rather than one.
 * After the load, publish → findable is measured on the quiet service (publishes one at a time through
 * the API, then searches until the plan is found).
 * Env: BENCH_LOG=1 (search's warnings on stderr), BENCH_PLANS (10000), BENCH_SECONDS per round (5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (50),
 * BENCH_ONLY (comma list of scenario names), BENCH_UNLOGGED=1 (adds `plan-view-unlogged`: the same app
 * with a no-op log, so `planViewAuditedVsUnlogged` shows what the audit itself costs), BENCH_PUBLISHES
 * (30; 0 skips the publish → findable measurement), BENCH_METRICS=1 (adds `plan-view-metrics`: the same app
 * and log with Prometheus metrics on; `planViewMetricsVsAudited` is their cost), BENCH_PROF=dir (a CPU profile of the service's main
 * thread over the measured rounds, written to dir), BENCH_IMPORT=0 (skips the import measurement: before
 * the service starts, BENCH_PLANS synthetic plans imported into a fresh scratch data dir through the
 * check and import functions, `import.ms`, and end to end through `npm run cli -- import`, `import.cliMs`;
 * about 10 s at 10,000 plans).
 * DATABASE_URL (as for the service): every scenario runs on that PostgreSQL, seeded once like SQLite, and
 * `plan-view-audited-sqlite` runs the audited plan view on SQLite beside it in the same rounds, for
 * `planViewPgVsSqlite`; results.json says which store it ran on. The import measurement then uses a
 * scratch database beside DATABASE_URL's (its role needs CREATEDB; BENCH_IMPORT=0 skips it).
 * The fixed-rate scenario `steady` (bench/steady.ts) runs first, on the service as `npm start` runs it:
 * BENCH_STEADY_S measured seconds (300; 0 skips it) after BENCH_STEADY_WARMUP_S (60), at
 * BENCH_STEADY_VIEWS plan views (150) and BENCH_STEADY_SEARCHES searches (30) a second; results.json
 * `steady`. BENCH_ONLY=steady runs it alone.
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedSyntheticPlans } from '../src/plans/demo/demo.js';
import { loadDevIssuer } from '../src/server/auth/dev-issuer.js';
import { benchImport, type ImportBench } from './import.js';
import { publishToFindable } from './publish.js';
import type { BenchContext } from './scenarios.js';
import { scenarios } from './scenarios.js';
import { runSteady, type SteadyResult } from './steady.js';
import { databaseUrl, openBenchStore, planCount, readablePlanIds, storeKind } from './store.js';
import type { ServerCaughtUp, ServerCpu, ServerReady, ServerSearches, ServerStats } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLANS = Number(process.env.BENCH_PLANS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ONLY = process.env.BENCH_ONLY?.split(',');
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 30);
const IMPORT = process.env.BENCH_IMPORT !== '0';
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 300);
const STEADY_WARMUP_S = Number(process.env.BENCH_STEADY_WARMUP_S ?? 60);
const STEADY_VIEWS = Number(process.env.BENCH_STEADY_VIEWS ?? 150);
const STEADY_SEARCHES = Number(process.env.BENCH_STEADY_SEARCHES ?? 30);

/**
 * CPU is per round, in % of one core: the load generator shares the two cores with the service, so a
 * client near 100% means the round measured the client as much as the service.
 */
type ScenarioResult = {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  clientCpuPct: number;
  serviceCpuPct: number;
  /** The managed Meilisearch's CPU over the round (null with an external one). */
  engineCpuPct: number | null;
  /** Service and engine CPU per request, ms: what a request costs the machine, whatever else shared it. */
  cpuMsPerRequest: number | null;
  /** The engine's part of cpuMsPerRequest (the rest is the service's). */
  engineCpuMsPerRequest: number | null;
  /** Search scenarios: Meilisearch's own processingTimeMs and the service's tookMs over the round. */
  engine?: { searches: number; degraded: number; engineP50Ms: number; engineP99Ms: number; serviceP50Ms: number; serviceP99Ms: number };
};

async function seeded(dataDir: string, url: string | undefined): Promise<string[]> {
  const db = await openBenchStore(dataDir, url);
  try {
    if ((await planCount(db)) < PLANS) {
      process.stdout.write(`seeding ${PLANS} synthetic plans into the ${storeKind(url)} store (once)…\n`);
      await seedSyntheticPlans(db, PLANS, { seed: 7, now: () => new Date() });
    }
    return await readablePlanIds(db);
  } finally {
    await db.close();
  }
}

function startServer(dataDir: string, url: string | undefined): Promise<{ child: ChildProcess; ready: ServerReady }> {
  const { DATABASE_URL: _, ...inherited } = process.env;
  const env = { ...inherited, ...(url ? { DATABASE_URL: url } : {}) };
  const child = fork(path.join(here, 'server.ts'), [dataDir], {
    env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ready: m as ServerReady }));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

const ask = <T>(child: ChildProcess, type: string) =>
  new Promise<T>((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send({ type });
  });

/** A round runs for `seconds`; a warm-up may instead send `amount` requests (e.g. one per plan, to fill caches). */
async function drive(
  child: ChildProcess,
  name: string,
  options: Partial<autocannon.Options>,
  length: { seconds: number } | { amount: number },
  expectStatus?: number,
): Promise<ScenarioResult> {
  // Let the last round's requests finish, and forget their searches, before this round starts; and build
  // the plan lookup for the last round's events now rather than during this round.
  await new Promise((r) => setTimeout(r, 300));
  const caughtUp = await ask<ServerCaughtUp>(child, 'catch-up');
  lookupCatchUp.events += caughtUp.events;
  lookupCatchUp.ms += caughtUp.ms;
  await ask<ServerSearches>(child, 'searches');
  const serviceBefore = await ask<ServerCpu>(child, 'cpu');
  const clientBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const r = await autocannon({
    connections: CONNECTIONS,
    ...options,
    ...('amount' in length ? { amount: length.amount } : { duration: length.seconds }),
  } as autocannon.Options);
  const wallUs = (performance.now() - wallBefore) * 1000;
  const client = process.cpuUsage(clientBefore);
  const serviceAfter = await ask<ServerCpu>(child, 'cpu');
  const searched = await ask<ServerSearches>(child, 'searches');
  const pct = (us: number) => Math.round((100 * us) / wallUs);
  // A scenario that expects a redirect counts every other status as an error, as non2xx does for the rest.
  const unexpected = expectStatus
    ? Object.entries(r.statusCodeStats ?? {}).reduce((n, [code, s]) => n + (Number(code) === expectStatus ? 0 : (s?.count ?? 0)), 0)
    : r.non2xx;
  const errors = r.errors + r.timeouts + unexpected;
  if (errors) {
    const codes = Object.entries(r.statusCodeStats ?? {})
      .map(([code, s]) => `${code}×${s?.count ?? 0}`)
      .join(' ');
    process.stdout.write(`${name}: ${errors} errors (statuses ${codes}; ${r.errors} socket errors, ${r.timeouts} timeouts)\n`);
  }
  return {
    name,
    rps: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors,
    clientCpuPct: pct(client.user + client.system),
    serviceCpuPct: pct(serviceAfter.user + serviceAfter.system - serviceBefore.user - serviceBefore.system),
    engineCpuPct: serviceAfter.engine !== null && serviceBefore.engine !== null ? pct(serviceAfter.engine - serviceBefore.engine) : null,
    cpuMsPerRequest:
      r.requests.total && serviceAfter.engine !== null && serviceBefore.engine !== null
        ? Math.round(
            ((serviceAfter.user +
              serviceAfter.system -
              serviceBefore.user -
              serviceBefore.system +
              serviceAfter.engine -
              serviceBefore.engine) /
              1000 /
              r.requests.total) *
              100,
          ) / 100
        : null,
    engineCpuMsPerRequest:
      r.requests.total && serviceAfter.engine !== null && serviceBefore.engine !== null
        ? Math.round(((serviceAfter.engine - serviceBefore.engine) / 1000 / r.requests.total) * 100) / 100
        : null,
    // Only rounds that were searches (a request or two of the round before can finish during the next).
    ...(searched.tookMs.length > r.requests.total / 2
      ? {
          engine: {
            searches: searched.tookMs.length,
            degraded: searched.degraded,
            engineP50Ms: percentile(searched.engineMs, 50),
            engineP99Ms: percentile(searched.engineMs, 99),
            serviceP50Ms: percentile(searched.tookMs, 50),
            serviceP99Ms: percentile(searched.tookMs, 99),
          },
        }
      : {}),
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
/** The plan lookup's deferred work over the run (bench/server.ts 'catch-up'), reported, not hidden. */
const lookupCatchUp = { events: 0, ms: 0 };

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return round1(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

async function main() {
  // First, while nothing else of the bench is running.
  let imported: ImportBench | null = null;
  if (IMPORT) {
    process.stdout.write(`import: ${PLANS} plans into a scratch data dir, in process and through the CLI…\n`);
    imported = await benchImport(PLANS);
  }
  const steady = STEADY_S > 0 && (!ONLY || ONLY.includes('steady')) ? await steadyScenario(databaseUrl) : null;
  if (ONLY && !scenarios.some((s) => ONLY.includes(s.name))) {
    writeResults({ store: storeKind(databaseUrl), machine: machine(), plans: PLANS, steady });
    return;
  }
  const { child, ready, ctx } = await startTarget(databaseUrl);
  // On PostgreSQL, the same audited plan view on SQLite in the same run: the ratio issue 22 asks for.
  const baseline = databaseUrl ? await startTarget(undefined) : null;
  const results: ScenarioResult[] = [];
  try {
    const chosen = scenarios.filter((s) => !ONLY || ONLY.includes(s.name));
    const runs = chosen.map((s) => ({ scenario: s, name: s.name, target: { child, ctx } }));
    const viewOnSqlite = scenarios.find((s) => s.name === 'plan-view-audited');
    if (baseline && viewOnSqlite) runs.push({ scenario: viewOnSqlite, name: 'plan-view-audited-sqlite', target: baseline });
    const prepared = [];
    for (const { scenario: s, name, target } of runs) {
      const options = await s.options(target.ctx);
      // Warm-up: JIT, caches, connections; scenarios that cycle through the plans first read each one once.
      await drive(
        target.child,
        name,
        options,
        s.warmupRequests ? { amount: s.warmupRequests(target.ctx) } : { seconds: 2 },
        s.expectStatus,
      );
      prepared.push({ name, child: target.child, options, expectStatus: s.expectStatus, rounds: [] as ScenarioResult[] });
    }
    if (process.env.BENCH_PROF) await ask(child, 'profile-start');
    for (let round = 1; round <= ROUNDS; round++) {
      for (const p of prepared) {
        const r = await drive(p.child, p.name, p.options, { seconds: SECONDS }, p.expectStatus);
        p.rounds.push(r);
        process.stdout.write(
          `round ${round} ${r.name.padEnd(20)} ${String(r.rps).padStart(8)} rps  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}  cpu client ${r.clientCpuPct}% service ${r.serviceCpuPct}% engine ${r.engineCpuPct ?? '–'}% (${r.cpuMsPerRequest ?? '–'} ms/request, engine ${r.engineCpuMsPerRequest ?? '–'})${r.engine ? `  engine p50 ${r.engine.engineP50Ms} p99 ${r.engine.engineP99Ms} service p50 ${r.engine.serviceP50Ms} p99 ${r.engine.serviceP99Ms}` : ''}\n`,
        );
      }
    }
    if (process.env.BENCH_PROF)
      process.stdout.write(`profile of the rounds: ${(await ask<{ file: string }>(child, 'profile-stop')).file}\n`);
    for (const p of prepared) {
      const sorted = [...p.rounds].sort((a, b) => a.rps - b.rps);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      results.push({ ...median, errors: p.rounds.reduce((n, r) => n + r.errors, 0) });
    }
    const { rssMb, meiliRssMb, logBatches, logEvents, commitMsAvg, commitMsMax } = await ask<ServerStats>(child, 'stats');
    const findable = PUBLISHES > 0 ? await publishToFindable(ctx, PUBLISHES) : null;
    const rps = (n: string) => results.find((r) => r.name === n)?.rps;
    const ratio = (a: string, b: string) => (rps(a) && rps(b) ? Math.round((rps(a)! / rps(b)!) * 1000) / 1000 : null);
    const cpuPerRequest = (n: string) => {
      const r = results.find((x) => x.name === n);
      return r?.rps ? r.serviceCpuPct / r.rps : undefined;
    };
    const cpuPerRequestRatio = (a: string, b: string) =>
      cpuPerRequest(a) && cpuPerRequest(b) ? Math.round((cpuPerRequest(a)! / cpuPerRequest(b)!) * 1000) / 1000 : null;
    /** b's CPU per request (service + engine) over a's: the fraction of a's machine time b needs. */
    const cpuRatio = (a: string, b: string) => {
      const cpuOf = (n: string) => results.find((r) => r.name === n)?.cpuMsPerRequest;
      const [x, y] = [cpuOf(a), cpuOf(b)];
      return x && y ? Math.round((y / x) * 1000) / 1000 : null;
    };
    const out = {
      store: storeKind(databaseUrl),
      machine: machine(),
      plans: PLANS,
      connections: CONNECTIONS,
      secondsPerRound: SECONDS,
      rounds: ROUNDS,
      scenarios: results,
      ratios: {
        planViewVsBare: ratio('plan-view-audited', 'bare-hono'),
        // On PostgreSQL: the audited plan view against the same view on SQLite, in the same run.
        planViewPgVsSqlite: ratio('plan-view-audited', 'plan-view-audited-sqlite'),
        // What the access log itself costs: the same app and route with a log that writes nothing.
        planViewAuditedVsUnlogged: ratio('plan-view-audited', 'plan-view-unlogged'),
        // What Prometheus metrics cost on the hot route (BENCH_METRICS=1): same app and log, metrics on.
        planViewMetricsVsAudited: ratio('plan-view-metrics', 'plan-view-audited'),
        // The same as service CPU per request (metrics / audited): steadier than rps on a shared machine,
        // where a round's rps falls whenever the service cannot get its core.
        planViewMetricsCpuPerRequest: cpuPerRequestRatio('plan-view-metrics', 'plan-view-audited'),
        // The ceiling for any plan view: a bare route sending the same bytes and headers, vs the tiny reply.
        planSizedBareVsBare: ratio('bare-hono-plan-sized', 'bare-hono'),
        planViewVsPlanSizedBare: ratio('plan-view-audited', 'bare-hono-plan-sized'),
        // Our search (scope, 1–3 engine queries, re-ranking, access log) against one plain engine query each.
        searchVsEngineDirect: ratio('search', 'search-engine-direct'),
        // The same comparison in machine time: engine-direct's CPU per query over a search's (service and
        // engine together). Load from outside the bench moves rps far more than it moves CPU per request.
        searchVsEngineDirectCpu: cpuRatio('search', 'search-engine-direct'),
        // Issue 24's yardstick: a plain Meilisearch user's lean index (names, aliases, date parts, places),
        // one query each. Targets: rps ≥ 0.5, and CPU per request (lean over ours) ≥ 0.5.
        searchVsEngineLean: ratio('search', 'search-engine-lean'),
        searchVsEngineLeanCpu: cpuRatio('search', 'search-engine-lean'),
      },
      // Search through the API (median round) against Meilisearch's own processingTimeMs in that round.
      search: Object.fromEntries(
        results
          .filter((r) => r.engine)
          .map((r) => [
            r.name,
            { apiP50Ms: r.p50Ms, apiP99Ms: r.p99Ms, ...r.engine, apiP50MinusEngineP50Ms: round1(r.p50Ms - r.engine!.engineP50Ms) },
          ]),
      ),
      publishToFindableP99Ms: findable ? percentile(findable, 99) : null,
      publishToFindable: findable ? { samples: findable.length, p50Ms: percentile(findable, 50), maxMs: Math.max(...findable) } : null,
      // The service process only (Meilisearch is a separate process): ready = listening, search started.
      startupMs: ready.startupMs,
      // A fresh import of `plans` plans (DESIGN §5: < 5 s): `ms` the check and import functions, `cliMs`
      // the whole `npm run cli -- import` command.
      import: imported,
      rssMbAtReady: ready.rssMbAtReady,
      // After all the rounds: every cache warm (views, pointers, tokens, 5,000 sessions, rate windows).
      rssMb,
      meiliRssMb,
      // Group commit at work: access events per SQLite commit over the whole run.
      accessLog: {
        events: logEvents,
        commits: logBatches,
        eventsPerCommit: logBatches ? Math.round((logEvents / logBatches) * 10) / 10 : null,
        commitMsAvg,
        commitMsMax,
        // Building the plan lookup for those events, done between rounds (not inside any).
        lookupEventsIndexed: lookupCatchUp.events,
        lookupIndexMs: Math.round(lookupCatchUp.ms),
      },
      // Issue 24: the tail under a fixed, moderate load (bench/steady.ts), on the service as npm start runs it.
      steady,
    };
    writeResults(out);
    process.stdout.write('\n');
    console.table(results.map(({ engine: _, ...flat }) => flat));
    if (imported) console.table([{ name: 'import', ...imported }]);
    process.stdout.write(
      `search ${JSON.stringify(out.search)}\npublishToFindable ${JSON.stringify(out.publishToFindable)} p99 ${out.publishToFindableP99Ms}\n`,
    );
    process.stdout.write(
      `store ${out.store}  planViewVsBare ${out.ratios.planViewVsBare}${out.ratios.planViewPgVsSqlite !== null ? `  planViewPgVsSqlite ${out.ratios.planViewPgVsSqlite}` : ''}  planSizedBareVsBare ${out.ratios.planSizedBareVsBare}  planViewVsPlanSizedBare ${out.ratios.planViewVsPlanSizedBare}  auditedVsUnlogged ${out.ratios.planViewAuditedVsUnlogged}  searchVsEngineDirect ${out.ratios.searchVsEngineDirect} (cpu ${out.ratios.searchVsEngineDirectCpu})  searchVsEngineLean ${out.ratios.searchVsEngineLean} (cpu ${out.ratios.searchVsEngineLeanCpu})  metricsVsAudited ${out.ratios.planViewMetricsVsAudited} (cpu/request ${out.ratios.planViewMetricsCpuPerRequest})  startupMs ${out.startupMs}  rssMb at ready ${ready.rssMbAtReady} after load ${rssMb} (meilisearch ${meiliRssMb})  events/commit ${out.accessLog.eventsPerCommit}  commit ms avg ${commitMsAvg} max ${commitMsMax}  plan lookup: ${lookupCatchUp.events} events indexed between rounds in ${Math.round(lookupCatchUp.ms)} ms\nwrote bench/results.json\n`,
    );
  } finally {
    await Promise.all([stop(child), baseline && stop(baseline.child)]);
  }
}

function machine() {
  const cpu = os.cpus();
  return {
    cpus: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    memMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

function writeResults(out: object) {
  fs.writeFileSync(path.join(here, 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
}

/** The fixed-rate scenario on the seeded store, before the autocannon rounds (the data dir is then free). */
async function steadyScenario(url: string | undefined): Promise<SteadyResult> {
  const dataDir = path.join(here, '.data', `${url ? 'pg-' : ''}plans-${PLANS}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const planIds = await seeded(dataDir, url);
  const r = await runSteady({
    dataDir,
    databaseUrl: url,
    planIds,
    seconds: STEADY_S,
    warmupSeconds: STEADY_WARMUP_S,
    viewsPerSecond: STEADY_VIEWS,
    searchesPerSecond: STEADY_SEARCHES,
  });
  const line = (name: string, l: SteadyResult['views']) =>
    `steady ${name.padEnd(8)} ${l.rps} rps  p50 ${l.p50Ms} ms  p99 ${l.p99Ms} ms  p99.9 ${l.p999Ms} ms  max ${l.maxMs} ms  errors ${l.errors}\n`;
  process.stdout.write(line('views', r.views) + line('searches', r.searches));
  process.stdout.write(
    `steady rss service ${r.rssMb.service.min}–${r.rssMb.service.max} MB, meilisearch ${r.rssMb.meilisearch ? `${r.rssMb.meilisearch.min}–${r.rssMb.meilisearch.max} MB` : '–'}  load average ${r.loadAverage.start}→${r.loadAverage.end}  client loop delay max ${r.clientLoopDelayMaxMs} ms\n` +
      `steady service main thread ${JSON.stringify(r.serviceMainThread)}\nsteady writer ${JSON.stringify(r.workerThreads)}\nsteady slow statements ${JSON.stringify(r.slowStatements.slice(0, 8))}\nsteady slowest episodes ${JSON.stringify(r.episodes.slice(0, 8))}\n`,
  );
  return r;
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop' });
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  child.kill();
}

/** A seeded store and the bench service on it: PostgreSQL at `url`, or SQLite under its own data dir. */
async function startTarget(url: string | undefined) {
  // Keys, the managed Meilisearch's data and (on SQLite) the database: one directory per store.
  const dataDir = path.join(here, '.data', `${url ? 'pg-' : ''}plans-${PLANS}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const planIds = await seeded(dataDir, url);
  const { child, ready } = await startServer(dataDir, url);
  // Events left by earlier runs are indexed before anything is measured (and not counted below).
  const earlier = await ask<ServerCaughtUp>(child, 'catch-up');
  if (earlier.events)
    process.stdout.write(`plan lookup: ${earlier.events} events from earlier runs indexed in ${Math.round(earlier.ms)} ms\n`);
  const issuer = await loadDevIssuer(path.join(dataDir, 'keys'));
  const ctx: BenchContext = {
    appUrl: `http://127.0.0.1:${ready.appPort}`,
    bareUrl: `http://127.0.0.1:${ready.barePort}`,
    unloggedUrl: `http://127.0.0.1:${ready.unloggedPort}`,
    metricsUrl: `http://127.0.0.1:${ready.metricsPort}`,
    engine: ready.engine,
    dataDir,
    databaseUrl: url,
    planIds,
    tokenFor: (w) => issuer.sign(w, 3600),
  };
  return { child, ready, ctx };
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});

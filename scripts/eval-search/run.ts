/**
 * `npm run eval:search [-- --plans N --per-type K --seed S --only TYPE,… --show-misses]`: search quality and latency on a
 * labelled synthetic set, through the real HTTP app with a real managed Meilisearch (and the FTS5
 * fallback for comparison). Prints recall@1/@3 per query type, API p50/p99, Meilisearch
 * processingTimeMs and publish-to-findable, all from the same run.
 *
 * With `DATABASE_URL` (an empty PostgreSQL database made for this: the plans it imports stay there, as
 * published versions do) the whole run is on PostgreSQL, its fallback included.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openStore } from '../../db/index.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { importRecords } from '../../src/plans/versions/importer.js';
import { createApp } from '../../src/server/app.js';
import { loadDevIssuer } from '../../src/server/auth/dev-issuer.js';
import { silentLogger } from '../../src/logger.js';
import { startSearch } from '../../src/search/index.js';
import { createSearchService, type SearchService } from '../../src/search/service.js';
import { generatePeople, generateQueries, toImportRecord, type LabelledQuery } from './generate.js';

const { values } = parseArgs({
  options: {
    plans: { type: 'string', default: '5000' },
    'per-type': { type: 'string', default: '150' },
    // Another set of people and queries, to tell a real change from the luck of one draw (default: the kept table's).
    seed: { type: 'string' },
    // Only these query types (comma-separated, as in the table): a quicker look at one kind of query.
    only: { type: 'string' },
    'show-misses': { type: 'boolean', default: false },
  },
});
const N = Number(values.plans);
const PER_TYPE = Number(values['per-type']);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-eval-'));
  const logger = silentLogger();
  const db = await openStore({ dataDir: dir, databaseUrl: process.env.DATABASE_URL });
  const store = db.kind === 'pg' ? 'PostgreSQL' : 'FTS5';
  // Synthetic people must never join a deployment's plans, where they could be found.
  const used = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM plans`);
  if (used!.n > 0) throw new Error('DATABASE_URL must name an empty database made for the evaluation: it holds plans');
  const now = new Date();
  await ensureDemoOrganisations(db, now);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const only = values.only?.split(',').map((t) => t.trim());
  const people = generatePeople(N, seed);
  const queries = generateQueries(people, PER_TYPE, seed === undefined ? undefined : seed + 1).filter(
    (q) => !only || only.includes(q.type),
  );
  let t0 = performance.now();
  await importRecords(db, people.map(toImportRecord), { importedBy: 'eval', now: () => now });
  const importS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const search = await startSearch({ db, logger, dataDir: dir });
  const indexS = (performance.now() - t0) / 1000;

  const engineMs: number[] = [];
  const serviceMs: number[] = [];
  const recording: SearchService = {
    ...search.service,
    search: async (...args) => {
      const r = await search.service.search(...args);
      if (r.ok && r.value.engineMs !== undefined) {
        engineMs.push(r.value.engineMs);
        serviceMs.push(r.value.tookMs);
      }
      return r;
    },
  };
  const devIssuer = await loadDevIssuer(path.join(dir, 'keys'));
  const token = await devIssuer.sign({ sub: 'eval.officer', org: 'capital-police', roles: ['responder'] }, 3600);
  // One evaluator sends thousands of searches as one person: the per-person limit would refuse most of them.
  const searchLimits = { perMinute: 1_000_000_000, perHour: 1_000_000_000 };
  const appWith = (svc: SearchService) =>
    createApp({ db, clock: () => now, logger, devIssuer, publicBaseUrl: 'http://127.0.0.1', search: svc, searchLimits });

  async function evaluate(app: ReturnType<typeof appWith>, qs: LabelledQuery[]) {
    const latencies: number[] = [];
    const rows = new Map<string, { n: number; r1: number; r3: number; flagged: number }>();
    const misses: string[] = [];
    let degraded = 0;
    for (const q of qs) {
      const params = new URLSearchParams({
        q: q.q,
        limit: '10',
        ...(q.dob ? { dob: q.dob } : {}),
        ...(q.near ? { near: q.near, within: q.within ?? '500' } : {}),
      });
      const start = performance.now();
      const res = await app.request(`/api/v1/search?${params}`, {
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'EVAL-1' },
      });
      const body = (await res.json()) as {
        results: { externalRef: string; name: string; dateOfBirth: string; dateOfBirthSlip: unknown }[];
        degraded: boolean;
      };
      if (!res.ok) throw new Error(`search ${params} answered ${res.status}: ${JSON.stringify(body)}`);
      latencies.push(performance.now() - start);
      if (body.degraded) degraded++;
      const refs = body.results.map((x) => x.externalRef);
      const row = rows.get(q.type) ?? { n: 0, r1: 0, r3: 0, flagged: 0 };
      row.n++;
      // A slip counts as flagged only when the person is offered and marked as not matching the date.
      if (q.slip && body.results.slice(0, 3).some((x) => x.externalRef === q.expect && x.dateOfBirthSlip)) row.flagged++;
      // A query naming a family: its first result is one of them, and so are its first three (or all of
      // the family, when fewer), so nobody of that name was pushed down the page.
      const hit1 = q.anyOf ? q.anyOf.includes(refs[0] ?? '') : refs[0] === q.expect;
      const hit3 = q.anyOf
        ? refs.length >= Math.min(3, q.anyOf.length) && refs.slice(0, Math.min(3, q.anyOf.length)).every((x) => q.anyOf!.includes(x))
        : refs.slice(0, 3).includes(q.expect);
      if (hit1) row.r1++;
      if (hit3) row.r3++;
      if (!hit1 && values['show-misses']) {
        const want = people.find((p) => p.ref === q.expect)!;
        const wanted = q.anyOf
          ? `any of ${q.anyOf.length} called ${want.family}`
          : `${want.dob} ${want.given.join(' ')} ${want.family} (${want.preferred ?? ''}|${want.aliases.join(',')})`;
        misses.push(
          `${hit3 ? '@3' : 'MISS'} ${q.type}: "${q.q}"${q.dob ? ` dob=${q.dob}` : ''}${q.near ? ` near=${q.near}` : ''} → want ${wanted}, got ${body.results
            .slice(0, 3)
            .map((x) => x.name)
            .join('; ')}`,
        );
      }
      rows.set(q.type, row);
    }
    return { rows, latencies, misses, degraded };
  }

  // Warm up connections and caches, then measure.
  const app = appWith(recording);
  await evaluate(app, queries.slice(0, 50));
  engineMs.length = 0;
  serviceMs.length = 0;
  const meili = await evaluate(app, queries);
  const fallback = await evaluate(appWith(createSearchService({ db, logger })), queries);

  // Publish → findable through the outbox worker, as the service runs it.
  const findable: number[] = [];
  for (let i = 0; i < 30; i++) {
    const tag = String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26));
    const rec = toImportRecord(
      { ref: `EVAL-PUB-${i}`, given: ['Eluned'], family: `Zephaniah-Qx${tag}`, dob: '1990-01-01', aliases: [], locations: [] },
      1,
    );
    const start = performance.now();
    await importRecords(db, [rec], { importedBy: 'eval', now: () => now });
    await search.sync.nudge();
    for (;;) {
      const r = await search.service.search(
        { sub: 'e', org: 'capital-police', orgKind: 'police', roles: ['responder'] },
        { q: `eluned zephaniah qx${tag}`, limit: 1 },
        now.toISOString().slice(0, 10),
      );
      if (r.ok && !r.value.degraded && r.value.results[0]?.externalRef === rec.externalRef) break;
      await new Promise((res) => setTimeout(res, 5));
    }
    findable.push(performance.now() - start);
  }

  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const f = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(
    `\nSearch evaluation${seed === undefined ? '' : ` (seed ${seed})`}: ${N} plans (${people.filter((p) => p.cluster === 'lookalike').length} in lookalike clusters, ${people.filter((p) => p.cluster === 'twin').length} twins), ${queries.length} labelled queries`,
  );
  console.log(
    `store ${db.kind === 'pg' ? 'PostgreSQL' : 'SQLite'}; import ${importS.toFixed(1)} s; Meilisearch start + index ${indexS.toFixed(1)} s\n`,
  );
  console.log(line(['query type', 'n', 'recall@1', 'recall@3', `fallback (${store}) r@1`, 'fallback r@3', 'slip flagged (fallback)']));
  console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
  let n = 0,
    r1 = 0,
    r3 = 0,
    f1 = 0,
    f3 = 0;
  for (const [type, row] of meili.rows) {
    const fb = fallback.rows.get(type)!;
    const flagged = type.startsWith('DOB slip') ? `${f(row.flagged / row.r3 || 0)} (${f(fb.flagged / fb.r3 || 0)})` : '';
    console.log(line([type, row.n, f(row.r1 / row.n), f(row.r3 / row.n), f(fb.r1 / fb.n), f(fb.r3 / fb.n), flagged]));
    n += row.n;
    r1 += row.r1;
    r3 += row.r3;
    f1 += fb.r1;
    f3 += fb.r3;
  }
  console.log(line(['**all**', n, `**${f(r1 / n)}**`, `**${f(r3 / n)}**`, f(f1 / n), f(f3 / n), '']));
  console.log(
    `\nAPI search latency (in-process HTTP app, Meilisearch): p50 ${pct(meili.latencies, 50).toFixed(1)} ms, p99 ${pct(meili.latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `Meilisearch processingTimeMs (summed over the multi-search's queries): p50 ${pct(engineMs, 50)} ms, p99 ${pct(engineMs, 99)} ms`,
  );
  console.log(
    `search domain function (candidates + re-ranking, no HTTP/auth): p50 ${pct(serviceMs, 50).toFixed(1)} ms, p99 ${pct(serviceMs, 99).toFixed(1)} ms`,
  );
  console.log(
    `API search latency on the ${store} fallback: p50 ${pct(fallback.latencies, 50).toFixed(1)} ms, p99 ${pct(fallback.latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `publish → findable (outbox worker → Meilisearch), ${findable.length} publishes: p50 ${pct(findable, 50).toFixed(0)} ms, p99 ${pct(findable, 99).toFixed(0)} ms`,
  );
  if (meili.degraded) console.log(`WARNING: ${meili.degraded} searches were answered degraded during the Meilisearch run`);
  if (values['show-misses']) console.log(`\nmisses (not first):\n${meili.misses.join('\n')}`);
  await search.stop();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

// Exit once the report is printed: the two apps' access logs and health watchers are never closed here,
// and their timers sometimes kept the process (and a loop of runs over seeds) waiting for ever.
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

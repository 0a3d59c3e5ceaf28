/**
 * `npx tsx bench/access-log.ts`: what the access log itself costs per event, without HTTP: events/s and CPU
 * µs per event (the whole process, writer thread included), with and without the checkpoint signing key,
 * for waves of concurrent events (each wave one group commit) and for events one at a time (one commit,
 * and so one signed checkpoint, each: the worst case). Env: ACCESS_BENCH_EVENTS (20000), ACCESS_BENCH_ROUNDS (3).
 * Rounds alternate the two set-ups so that outside load on the shared machine hurts both alike; the median
 * round is printed, with each round's [events/s, CPU µs per event, µs per commit in the writer].
 * With DATABASE_URL, each run gets a scratch database beside it (its role must be allowed to create one).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { count } from 'drizzle-orm';
import { createAccessLog, type AccessEventInput } from '../src/plans/access-log/log.js';
import { loadAuditSigner } from '../src/plans/access-log/signer.js';
import { databaseUrl, openBenchStore, scratchDatabase } from './store.js';

const EVENTS = Number(process.env.ACCESS_BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.ACCESS_BENCH_ROUNDS ?? 3);

const event = (i: number): AccessEventInput => ({
  actor: { sub: `medic.${i % 7}`, org: 'metro-ambulance', roles: ['responder'] },
  action: 'view',
  channel: 'api',
  purpose: `INC-${100000 + i}`,
  planId: `plan${String(i % 500).padStart(12, '0')}`,
  versionId: 1,
  outcome: 'allowed',
});

async function run(signed: boolean, concurrency: number, events: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-logbench-'));
  const database = databaseUrl ? await scratchDatabase(databaseUrl) : undefined;
  try {
    const db = await openBenchStore(dir, database?.url);
    const log = createAccessLog(db, { clock: () => new Date(), signer: signed ? loadAuditSigner(path.join(dir, 'keys')) : undefined });
    await log.record(event(0)); // the writer thread started
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < events; i += concurrency) {
      await Promise.all(Array.from({ length: Math.min(concurrency, events - i) }, (_, k) => log.record(event(i + k + 1))));
    }
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const stats = log.stats();
    await log.close();
    const checkpoints = Number((await db.one(db.q.select({ n: count() }).from(db.t.auditCheckpoints)))?.n ?? 0);
    await db.close();
    return {
      eventsPerSec: Math.round((events / ms) * 1000),
      cpuUsPerEvent: +((used.user + used.system) / events).toFixed(1),
      commits: stats.batches - 1,
      // The writer thread's time inside the commit transaction (signing and the checkpoint row included).
      commitUs: Math.round((stats.commitMsTotal / stats.batches) * 1000),
      checkpoints,
    };
  } finally {
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;

for (const [concurrency, events] of [
  [50, EVENTS],
  [1, Math.round(EVENTS / 10)],
] as const) {
  const results: Record<'unsigned' | 'signed', Awaited<ReturnType<typeof run>>[]> = { unsigned: [], signed: [] };
  for (let r = 0; r < ROUNDS; r++) {
    results.unsigned.push(await run(false, concurrency, events));
    results.signed.push(await run(true, concurrency, events));
  }
  for (const k of ['unsigned', 'signed'] as const) {
    const m = median(results[k], (x) => x.cpuUsPerEvent);
    console.log(
      JSON.stringify({ concurrency, events, key: k, ...m, rounds: results[k].map((x) => [x.eventsPerSec, x.cpuUsPerEvent, x.commitUs]) }),
    );
  }
}

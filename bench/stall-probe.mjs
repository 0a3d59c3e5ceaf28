// Bench only (bench/steady.ts loads it into the service with --import): writes each stall of the
// service's main thread to BENCH_STALL_LOG as a JSON line, so a slow request can be matched with what
// held the event loop at that moment. A timer that should fire every TICK_MS and fires late means the
// loop was blocked for the difference (a synchronous query, a long task); a 'gc' entry is a collection's
// pause. Worker threads load it too: the access-log writer's "stalls" are its commits, which block it. Times are wall-clock epoch ms (performance.timeOrigin + now), as the bench client records them.
import fs from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.BENCH_STALL_LOG;
const TICK_MS = 5;
/** A late timer by more than this is a stall worth a line. */
const LOOP_MS = 10;
/** A GC pause longer than this too. */
const GC_MS = 5;

if (file) {
  // Worker threads load it too (the access-log writer's stalls are its commits): one file, appended to.
  const fd = fs.openSync(file, 'a');
  const thread = isMainThread ? 'main' : `worker-${threadId}`;
  const origin = performance.timeOrigin;
  const write = (/** @type {object} */ entry) => fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    if (late > LOOP_MS) write({ kind: 'loop', thread, at: Math.round(origin + last), ms: Math.round(late) });
    last = now;
  }, TICK_MS).unref();
  const gcKinds = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > GC_MS)
        write({
          kind: 'gc',
            thread,
          at: Math.round(origin + e.startTime),
          ms: Math.round(e.duration),
          gc: gcKinds[/** @type {{ detail?: { kind: number } }} */ (e).detail?.kind ?? -1] ?? 'other',
        });
    }
  }).observe({ entryTypes: ['gc'] });
}

// Bench only (bench/steady.ts loads it into the service with --import): writes each stall of a service
// thread to BENCH_STALL_LOG as a JSON line, so a slow request can be matched with what held things up at
// that moment. A timer that should fire every TICK_MS and fires late means the thread's loop was held for
// the difference; the thread's scheduler statistics (Linux /proc/thread-self/schedstat) then say where
// that time went: `cpuMs` running our own code (a synchronous query, a long task, GC), `queuedMs` ready
// but waiting for a core (other processes on the machine), `blockedMs` the rest, asleep in a system call
// (an fsync, a disk read). A 'gc' entry is a collection's pause. Worker threads load it too: the access-log
// writer's stalls are its commits. Times are wall-clock epoch ms, as the bench client records them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.BENCH_STALL_LOG;
const TICK_MS = 5;
/** A late timer by more than this is a stall worth a line. */
const LOOP_MS = 10;
/** A GC pause longer than this too. */
const GC_MS = 5;
/** And a SQLite statement (better-sqlite3 runs them synchronously on the calling thread) longer than this. */
const SQL_MS = 5;

/**
 * Time on a core and waiting for one, in ms, for the calling thread; null where there is no schedstat.
 * @returns {{ run: number; wait: number } | null}
 */
function schedstat() {
  try {
    const [run, wait] = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return { run: Number(run) / 1e6, wait: Number(wait) / 1e6 };
  } catch {
    return null;
  }
}

if (file) {
  // One file for every thread, appended to (a line is one write).
  const fd = fs.openSync(file, 'a');
  const thread = isMainThread ? 'main' : `worker-${threadId}`;
  const origin = performance.timeOrigin;
  const write = (/** @type {object} */ entry) => fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
  let last = performance.now();
  let lastSched = schedstat();
  setInterval(() => {
    const now = performance.now();
    const sched = schedstat();
    const late = now - last - TICK_MS;
    if (late > LOOP_MS) {
      const cpuMs = sched && lastSched ? sched.run - lastSched.run : NaN;
      const queuedMs = sched && lastSched ? sched.wait - lastSched.wait : NaN;
      write({
        kind: 'loop',
        thread,
        at: Math.round(origin + last),
        ms: Math.round(late),
        cpuMs: Math.round(cpuMs),
        queuedMs: Math.round(queuedMs),
        blockedMs: Math.max(0, Math.round(now - last - cpuMs - queuedMs)),
      });
    }
    last = now;
    lastSched = sched;
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

  // Every statement of every connection in this thread, timed: its SQL text (never its parameters) when
  // slow. BEGIN and COMMIT of better-sqlite3's transactions are statements too, so a commit's fsync (and a
  // WAL checkpoint the commit runs) shows as a slow COMMIT.
  // A COMMIT that also checkpointed the WAL (SQLite's auto-checkpoint runs inside the commit that takes
  // the WAL past 1,000 pages) moves nBackfill, a 32-bit count at offset 96 of the -shm file (the WAL
  // index's checkpoint info, after its two 48-byte headers): read before and after each COMMIT.
  /** @type {Map<string, number>} */
  const shm = new Map();
  const backfilled = (/** @type {string} */ file) => {
    try {
      let fd = shm.get(file);
      if (fd === undefined) shm.set(file, (fd = fs.openSync(`${file}-shm`, 'r')));
      const b = Buffer.alloc(4);
      fs.readSync(fd, b, 0, 4, 96);
      return b.readUInt32LE(0);
    } catch {
      return NaN;
    }
  };
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const Statement = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1'));
  for (const method of ['run', 'get', 'all']) {
    const original = Statement[method];
    Statement[method] = function (/** @type {unknown[]} */ ...args) {
      const commit = this.source === 'COMMIT' ? this.database.name : undefined;
      const before = commit ? backfilled(commit) : 0;
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - started;
        // Up: this commit checkpointed; down to 0: it restarted the WAL after an earlier checkpoint.
        const after = commit ? backfilled(commit) : 0;
        const checkpointed = after > before;
        if (ms > SQL_MS || checkpointed)
          write({
            kind: 'sql',
            thread,
            at: Math.round(origin + started),
            ms: Math.round(ms * 10) / 10,
            sql: String(this.source).slice(0, 100),
            ...(checkpointed ? { checkpointed } : {}),
          });
      }
    };
  }
}

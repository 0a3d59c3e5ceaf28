// The access log over PostgreSQL: group commit in this process, the commit itself in pg-writer-store.ts.
import type pg from 'pg';
import type { AccessLog, AccessLogOptions, AccessLogStats, ChainHead } from './types.js';
import { GENESIS_HASH, type EventBody } from './chain.js';
import { chainHead, commitEvents, newestCheckpoint } from './pg-writer-store.js';

type Pending = { resolve: () => void; reject: (e: Error) => void };

/**
 * Events recorded while a commit is under way wait here and go together in the next one: one commit in
 * flight per process (several nodes' writers are serialised by the chain lock). A failed commit fails
 * exactly the requests whose events it held; nothing of it is written, so the chain has no hole.
 */
export function createPgAccessLog(
  pool: pg.Pool,
  opts: AccessLogOptions,
  toBody: (e: Parameters<AccessLog['record']>[0], at: Date) => EventBody,
): AccessLog & { head(): ChainHead; stats(): AccessLogStats } {
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  const stats: AccessLogStats = { batches: 0, events: 0, checkpoints: 0, commitMsTotal: 0, commitMsMax: 0 };
  let queue: EventBody[] = [];
  let waiting: Pending[] = [];
  let committing: Promise<void> | undefined;
  let scheduled = false;
  let closed = false;
  const key = opts.signer && { privateKey: opts.signer.privateKey, keyId: opts.signer.keyId };

  const started = (async () => {
    try {
      head = await chainHead(pool);
      // A witness configured since the last run, or one that failed before it, is brought up to date at once.
      const newest = opts.witness ? await newestCheckpoint(pool) : undefined;
      if (newest) opts.witness?.offer(newest);
    } catch (e) {
      opts.onError?.(e as Error);
    }
  })();

  async function commit(events: EventBody[], batch: Pending[]) {
    const t0 = performance.now();
    try {
      const done = await commitEvents(pool, events, opts.clock().toISOString(), key);
      const ms = performance.now() - t0;
      head = done.head;
      stats.batches += 1;
      stats.events += events.length;
      stats.commitMsTotal += ms;
      stats.commitMsMax = Math.max(stats.commitMsMax, ms);
      if (done.checkpoint) {
        stats.checkpoints += 1;
        opts.witness?.offer(done.checkpoint);
      }
      for (const p of batch) p.resolve();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      opts.onError?.(err);
      for (const p of batch) p.reject(err);
    }
  }

  function send() {
    scheduled = false;
    if (committing || queue.length === 0) return;
    const events = queue;
    const batch = waiting;
    queue = [];
    waiting = [];
    committing = commit(events, batch).finally(() => {
      committing = undefined;
      if (queue.length) send();
    });
  }

  return {
    record(e) {
      if (closed) return Promise.reject(new Error('the access log is closed'));
      let body: EventBody;
      try {
        body = toBody(e, opts.clock());
      } catch (err) {
        return Promise.reject(err as Error);
      }
      return new Promise<void>((resolve, reject) => {
        queue.push(body);
        waiting.push({ resolve, reject });
        if (!scheduled && !committing) {
          scheduled = true;
          setImmediate(send);
        }
      });
    },
    // Written in each commit's own transaction: complete whenever a commit has returned.
    planLookup: () => (closed ? Promise.reject(new Error('the access log is closed')) : Promise.resolve()),
    async close() {
      if (closed) return;
      closed = true;
      await started;
      while (committing || queue.length) {
        if (!committing) send();
        await committing;
      }
      await opts.witness?.close();
    },
    head: () => ({ ...head }),
    stats: () => ({ ...stats }),
  };
}

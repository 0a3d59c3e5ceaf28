import { Worker } from 'node:worker_threads';
import type { Db } from '../../../db/index.js';
import { GENESIS_HASH, type EventBody } from './chain.js';
import { latestCheckpoint } from './checkpoints.js';
import { sqliteChainHead } from './sqlite-head-store.js';
import { createPgAccessLog } from './pg-log.js';
import { CHECKPOINT_BACKSTOP_PAGES, DEFAULT_AUTOCHECKPOINT_PAGES } from '../../../db/pragmas.mjs';
import type { CheckpointerOptions, FromWriter, ToWriter, WriterOptions } from './writer/protocol.mjs';
import { storedInteger, storedJson, storedText } from './stored-text.js';

export type {
  AccessAction,
  AccessChannel,
  AccessOutcome,
  AccessEventInput,
  AccessLog,
  AccessLogOptions,
  AccessLogStats,
  ChainHead,
} from './types.js';
import type { AccessEventInput, AccessLog, AccessLogOptions, AccessLogStats, ChainHead } from './types.js';

type Pending = { resolve: () => void; reject: (e: Error) => void };

// An actor's roles are the same array for every request with the same token (auth caches the actor).
const rolesJson = new WeakMap<readonly string[], string>();
function rolesOf(roles: readonly string[]): string | null {
  if (!Array.isArray(roles)) return storedJson([]);
  let json = rolesJson.get(roles);
  if (json === undefined) rolesJson.set(roles, (json = storedJson(roles.map((r) => storedText(r, 50)))!));
  return json;
}

/**
 * The event exactly as it will be stored and read back (see stored-text.ts), whatever the route or the
 * token put in it: what is hashed is what SQLite holds. Never throws, so one odd request cannot fail the
 * batch it would have joined.
 */
export function toEventBody(e: AccessEventInput, at: Date): EventBody {
  return {
    at: at.toISOString(),
    actorSub: e.actor ? storedText(e.actor.sub, 200) : null,
    actorOrg: e.actor ? storedText(e.actor.org, 100) : null,
    actorRoles: e.actor ? rolesOf(e.actor.roles) : null,
    action: storedText(e.action, 32) ?? '',
    channel: storedText(e.channel, 32) ?? '',
    purpose: storedText(e.purpose, 500),
    planId: storedText(e.planId, 100),
    versionId: storedInteger(e.versionId),
    query: e.query ? storedJson(e.query) : null,
    resultPlanIds: e.resultPlanIds ? storedJson(e.resultPlanIds) : null,
    outcome: storedText(e.outcome, 32) ?? '',
    reason: storedText(e.reason, 500),
  };
}

/**
 * The access log. Group commit: events recorded while the writer thread (writer/writer.mjs) is
 * busy queue here and go to it as one batch the moment it answers (or at the end of this turn of the
 * event loop when it is idle); the writer commits everything it has been sent in one transaction (one
 * fsync with synchronous=FULL), numbering and hashing the events as it writes them, and answers per batch. Each request awaits its batch: it is
 * served only once its event is durable, and refused (the promise rejects) if it could not be written.
 * The chain is continued from the committed head inside the write transaction, so a failed batch leaves
 * no hole and two processes writing to one file still make one chain. With a signer, the same transaction
 * holds a signed checkpoint of the new head, which then goes to the witness (if any) without the request
 * waiting for it.
 */
export function createAccessLog(
  db: Db,
  opts: AccessLogOptions,
): AccessLog & {
  head(): ChainHead;
  /** Commits, events and checkpoints so far (group commit: far fewer commits than events) and commit times. */
  stats(): AccessLogStats;
} {
  if (db.kind === 'pg') return createPgAccessLog(db.pg!.pool, opts, toEventBody);
  const sqlite = db.sqlite!;
  const last = sqliteChainHead(sqlite.client);
  let head: ChainHead = last ?? { seq: 0, hash: GENESIS_HASH };
  const stats: AccessLogStats = { batches: 0, events: 0, checkpoints: 0, commitMsTotal: 0, commitMsMax: 0 };
  // A witness configured since the last run, or one that failed before it, is brought up to date at once.
  const witness = opts.witness;
  if (witness) {
    latestCheckpoint(db).then(
      (newest) => newest && witness.offer(newest),
      (e: Error) => opts.onError?.(e),
    );
  }

  let queue: EventBody[] = [];
  let waiting: Pending[] = [];
  /** Batches sent and not yet answered, by id. */
  const inFlight = new Map<number, Pending[]>();
  let scheduled = false;
  let closed = false;
  const drained: (() => void)[] = [];
  let nextId = 1;

  /** planLookup() calls waiting for the writer to say the lookup is complete. */
  const lookupAsks = new Map<number, Pending>();

  let writer: Worker | undefined;
  function startWriter(): Worker {
    const workerData: WriterOptions = {
      file: sqlite.file,
      indexWhenIdleMs: opts.indexWhenIdleMs,
      forceIndexBacklog: opts.forceIndexBacklog,
      signingKey: opts.signer && { privateKey: opts.signer.privateKey, keyId: opts.signer.keyId },
    };
    const w = new Worker(new URL('./writer/writer.mjs', import.meta.url), { workerData });
    w.unref();
    w.on('message', (m: FromWriter) => {
      if (m.type === 'indexed') {
        const asked = lookupAsks.get(m.id);
        lookupAsks.delete(m.id);
        if (m.ok) asked?.resolve();
        else asked?.reject(new Error('the per-plan lookup could not be brought up to date'));
        return;
      }
      let committed = false;
      for (const r of m.results) {
        const batch = inFlight.get(r.id);
        if (!batch) continue;
        inFlight.delete(r.id);
        if (r.ok) {
          committed = true;
          stats.events += batch.length;
          for (const p of batch) p.resolve();
        } else {
          fail(batch, new Error(r.message));
        }
      }
      if (m.head) head = m.head;
      if (m.checkpoint) {
        stats.checkpoints += 1;
        opts.witness?.offer(m.checkpoint);
      }
      if (committed && m.ms !== undefined) {
        stats.batches += 1;
        stats.commitMsTotal += m.ms;
        stats.commitMsMax = Math.max(stats.commitMsMax, m.ms);
      }
      if (queue.length) send();
      whenIdle();
    });
    // A writer that dies fails whatever it held; the next batch starts a new one from the committed head.
    const lost = (e: Error) => {
      if (writer === w) writer = undefined;
      for (const batch of inFlight.values()) fail(batch, e);
      inFlight.clear();
      for (const asked of lookupAsks.values()) asked.reject(e);
      lookupAsks.clear();
      if (queue.length) send();
      whenIdle();
    };
    w.on('error', lost);
    w.on('exit', () => lost(new Error('the access log writer stopped')));
    return w;
  }

  // The WAL's checkpoints, off every commit (writer/checkpointer.mjs): started with the writer, and
  // again after one that died. While it runs, this process's own connection checkpoints only as a
  // backstop too, so a write on the main thread never stalls the event loop with a checkpoint.
  let checkpointer: Worker | undefined;
  function startCheckpointer(): Worker {
    const workerData: CheckpointerOptions = { file: sqlite.file, everyMs: opts.checkpointEveryMs };
    const w = new Worker(new URL('./writer/checkpointer.mjs', import.meta.url), { workerData });
    w.unref();
    sqlite.client.pragma(`wal_autocheckpoint = ${CHECKPOINT_BACKSTOP_PAGES}`);
    const lost = () => {
      if (checkpointer !== w) return;
      checkpointer = undefined;
      sqlite.client.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    };
    w.on('error', lost);
    w.on('exit', lost);
    return w;
  }

  /** Sends to the writer thread, starting one if there is none (the first use, or after one died). */
  function toWriter(message: ToWriter) {
    checkpointer ??= startCheckpointer();
    (writer ??= startWriter()).postMessage(message);
  }

  function fail(batch: Pending[], err: Error) {
    opts.onError?.(err);
    for (const p of batch) p.reject(err);
  }

  function whenIdle() {
    if (inFlight.size === 0 && queue.length === 0) for (const d of drained.splice(0)) d();
  }

  const maxInFlight = opts.maxBatchesInFlight ?? 1;
  function send() {
    scheduled = false;
    if (queue.length === 0 || inFlight.size >= maxInFlight) return;
    const id = nextId++;
    const events = JSON.stringify(queue);
    const batch = waiting;
    queue = [];
    waiting = [];
    inFlight.set(id, batch);
    try {
      // One string, not an array of objects: cloning a string across threads is a copy, not a walk.
      toWriter({ id, events, count: batch.length, at: opts.clock().toISOString() });
    } catch (e) {
      inFlight.delete(id);
      fail(batch, e as Error);
      whenIdle();
    }
  }

  return {
    record(e) {
      if (closed) return Promise.reject(new Error('the access log is closed'));
      let body: EventBody;
      try {
        body = toEventBody(e, opts.clock());
      } catch (err) {
        return Promise.reject(err as Error);
      }
      return new Promise<void>((resolve, reject) => {
        queue.push(body);
        waiting.push({ resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(send);
        }
      });
    },
    planLookup() {
      if (closed) return Promise.reject(new Error('the access log is closed'));
      return new Promise<void>((resolve, reject) => {
        const id = nextId++;
        lookupAsks.set(id, { resolve, reject });
        try {
          toWriter({ type: 'index', id });
        } catch (e) {
          lookupAsks.delete(id);
          reject(e as Error);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (inFlight.size || queue.length) await new Promise<void>((r) => drained.push(r));
      const w = writer;
      writer = undefined;
      if (w) {
        // The writer is unref'd so that it never holds a process open; closing must finish, though, or a
        // process with nothing else to do would end before the writer has and the witness is written.
        w.ref();
        const exited = new Promise((r) => w.once('exit', r));
        w.postMessage({ type: 'close' } satisfies ToWriter);
        await exited;
      }
      const c = checkpointer;
      checkpointer = undefined;
      if (c) {
        // Its last checkpoint takes in the writer's last commit; then the connection checkpoints itself again.
        c.ref();
        const exited = new Promise((r) => c.once('exit', r));
        c.postMessage({ type: 'close' });
        await exited;
        if (sqlite.client.open) sqlite.client.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      }
      await opts.witness?.close();
    },
    head: () => ({ ...head }),
    stats: () => ({ ...stats }),
  };
}

// The access log's writer thread (plain JS so it loads the same under tsx, vitest and node). It owns one
// SQLite connection and the hash chain: it numbers and hashes events and commits them with
// synchronous=FULL, so the fsync happens here while the main thread keeps serving.
//
// Group commit: events recorded while a commit is under way wait in the main thread (log.ts) and
// arrive as one batch; should several batches be waiting on the port (maxBatchesInFlight > 1), the next
// commit takes every one of them (receiveMessageOnPort drains it). Either way a request waits for at most
// the commit in progress and its own. Each batch is written under its own savepoint: a batch that cannot
// be written is rolled back alone and reported, the others in the commit still land.
//
// Every commit that moves the head also signs a checkpoint of it in the same transaction: whoever deletes
// the newest events must delete their checkpoints too, and the newest checkpoint also goes off the
// machine (witness.ts), so the tail cannot be cut without a checkpoint somewhere else naming the head.
import { sign } from 'node:crypto';
import { parentPort as port, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applyPragmas, CHECKPOINT_BACKSTOP_PAGES } from '../../../../db/pragmas.mjs';
import { accessIndexer } from './lookup.mjs';
import { eventRow, INSERT_EVENT_SQL } from '../columns.mjs';
import { checkpointPayload, eventHash, GENESIS_HASH } from './hash.mjs';

/** @typedef {import('../columns.mjs').EventBody} EventBody */
/** @typedef {import('./protocol.mjs').ChainHead} ChainHead */
/** @typedef {import('./protocol.mjs').Checkpoint} Checkpoint */
/** @typedef {import('./protocol.mjs').ToWriter} ToWriter */
/** @typedef {import('./protocol.mjs').FromWriter} FromWriter */
/** @typedef {Extract<ToWriter, { events: string }>} Batch */

if (!port) throw new Error('writer.mjs runs only as a worker thread');
const parentPort = port;
/** @param {FromWriter} message */
const reply = (message) => parentPort.postMessage(message);
const options = /** @type {import('./protocol.mjs').WriterOptions} */ (workerData);

const db = new Database(options.file);
applyPragmas(db);
// The WAL's checkpoints run in their own thread (checkpointer.mjs), never inside a batch's commit.
db.pragma(`wal_autocheckpoint = ${CHECKPOINT_BACKSTOP_PAGES}`);
const insert = db.prepare(INSERT_EVENT_SQL);
const lastRow = /** @type {import('better-sqlite3').Statement<[], ChainHead>} */ (
  db.prepare('SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1')
);
const insertCheckpoint = db.prepare(
  'INSERT INTO audit_checkpoints (at, head_seq, head_hash, key_id, signature) VALUES (@at, @headSeq, @headHash, @keyId, @signature)',
);
const signingKey = options.signingKey;

/**
 * The checkpoint of `head`: an Ed25519 signature (~30–70 µs here) per commit, not per event.
 * @param {ChainHead} head
 * @param {string} at
 * @returns {Checkpoint | undefined}
 */
function checkpointOf(head, at) {
  if (!signingKey) return undefined;
  const body = { at, headSeq: head.seq, headHash: head.hash, keyId: signingKey.keyId };
  const signature = sign(null, Buffer.from(checkpointPayload(body)), signingKey.privateKey).toString('base64');
  const checkpoint = { ...body, signature };
  insertCheckpoint.run(checkpoint);
  return checkpoint;
}

/** One batch on top of `head`, under a savepoint (a nested better-sqlite3 transaction). */
const writeBatch = db.transaction((/** @type {EventBody[]} */ events, /** @type {ChainHead} */ head) => {
  let { seq, hash } = head;
  for (const e of events) {
    const prevHash = hash;
    seq += 1;
    hash = eventHash(prevHash, e);
    insert.run(eventRow(e, seq, prevHash, hash));
  }
  return { seq, hash };
});

/**
 * The head is read inside the write transaction (BEGIN IMMEDIATE holds the write lock), so the chain
 * continues whatever is committed, even events another process's writer appended to the same file.
 */
const commitAll = db.transaction((/** @type {Batch[]} */ batches) => {
  const start = lastRow.get() ?? { seq: 0, hash: GENESIS_HASH };
  let head = start;
  /** @type {{ id: number; ok: boolean; message?: string }[]} */
  const results = [];
  for (const b of batches) {
    try {
      head = writeBatch(JSON.parse(b.events), head);
      results.push({ id: b.id, ok: true });
    } catch (e) {
      results.push({ id: b.id, ok: false, message: String(/** @type {Error} */ (e)?.message) });
    }
  }
  // Outside the batches' savepoints: a checkpoint that cannot be written fails the whole commit, so no
  // event is confirmed without the checkpoint that covers it.
  const checkpoint = head.seq > start.seq ? checkpointOf(head, /** @type {Batch} */ (batches.at(-1)).at) : undefined;
  return { head, results, checkpoint };
});

// The plan lookup (lookup.mjs) is built here, off the request path, a bounded pass at a time:
//  - when the log has been quiet for a moment (stopping as soon as a batch arrives);
//  - when asked (a query needs it complete): passes continue, between commits, until it is;
//  - after a commit, when the backlog passes FORCE_INDEX_BACKLOG: sustained load pays as it goes, so the
//    debt (and what a query may have to wait for) stays bounded (~100,000 events, about 2 s of work).
const indexer = accessIndexer(db);
const INDEX_WHEN_IDLE_MS = options.indexWhenIdleMs ?? 100;
const FORCE_INDEX_BACKLOG = options.forceIndexBacklog ?? 100_000;
// A batch that arrives during a pass waits for it, so passes are small (~1–5 ms for 100 events, searches
// listing ten plans each); the next one runs a turn of the loop later, after any batch waiting (a pass of
// 1,000 took 10–50 ms, and every request in flight waited behind it: issue 24).
const INDEX_PASS_EVENTS = 100;
// Forced passes run between commits under load: small, so the commit waiting behind one waits ~5 ms.
const FORCED_PASS_EVENTS = 250;
let unindexed = indexer.backlog();
/** @type {NodeJS.Timeout | undefined} */
let idleTimer;
/** @type {NodeJS.Immediate | undefined} */
let step;
/** @type {number[]} */
const askedBy = [];

/**
 * One pass. The lookup is derived data (rebuilt from the log if lost), so its transactions skip the
 * fsync: synchronous=NORMAL for the pass only; the log's own commits stay FULL.
 */
function indexPass(/** @type {number} */ events) {
  db.pragma('synchronous = NORMAL');
  try {
    return (unindexed = indexer.pass(events));
  } finally {
    db.pragma('synchronous = FULL');
  }
}

function indexStep() {
  step = undefined;
  let remaining = -1;
  try {
    remaining = indexPass(INDEX_PASS_EVENTS);
  } catch {
    // Busy (a query is catching up on its own) or failing: asked-for passes report it, others retry later.
  }
  if (remaining > 0) step = setImmediate(indexStep);
  else for (const id of askedBy.splice(0)) reply({ type: 'indexed', id, ok: remaining === 0 });
}
const indexSoon = () => (step ??= setImmediate(indexStep));
function indexWhenQuiet() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(indexSoon, INDEX_WHEN_IDLE_MS);
}
indexWhenQuiet();

parentPort.on('message', (/** @type {ToWriter} */ first) => {
  /** @type {Batch[]} */
  const batches = [];
  let closing = false;
  for (let msg = /** @type {ToWriter | undefined} */ (first); msg; msg = receiveMessageOnPort(parentPort)?.message) {
    if (msg.type === 'close') closing = true;
    else if (msg.type === 'index') askedBy.push(msg.id);
    else batches.push(msg);
  }
  if (batches.length) {
    // Quiet-time indexing gives way to the log; asked-for indexing carries on between commits.
    if (step && askedBy.length === 0) {
      clearImmediate(step);
      step = undefined;
    }
    const started = performance.now();
    try {
      const { head, results, checkpoint } = commitAll.immediate(batches);
      reply({ results, head, checkpoint, ms: performance.now() - started });
      unindexed += batches.reduce((n, b) => n + b.count, 0);
      if (unindexed > FORCE_INDEX_BACKLOG) {
        try {
          indexPass(FORCED_PASS_EVENTS);
        } catch {
          // Tried again after the next commit.
        }
      }
    } catch (e) {
      // The commit itself failed (disk full, I/O error, lock timeout): nothing in it was written.
      const message = String(/** @type {Error} */ (e)?.message);
      reply({ results: batches.map((b) => ({ id: b.id, ok: false, message })) });
    }
    indexWhenQuiet();
  }
  if (askedBy.length) indexSoon();
  if (closing) {
    clearTimeout(idleTimer);
    if (step) clearImmediate(step);
    for (const id of askedBy.splice(0)) reply({ type: 'indexed', id, ok: false });
    db.close();
    parentPort.close();
  }
});

// The access log's writer thread (plain JS so it loads the same under tsx, vitest and node). It owns one
// SQLite connection and commits each batch it is sent in one transaction with synchronous=FULL, so the
// fsync happens here while the main thread keeps serving; the main thread assigns sequence numbers and
// hashes. Kept deliberately tiny: all decisions live in access-log.ts.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare(
  `INSERT INTO access_events (seq, at, actor_sub, actor_org, actor_roles, action, channel, purpose, plan_id,
     version_id, query, result_plan_ids, outcome, reason, prev_hash, hash)
   VALUES (@seq, @at, @actorSub, @actorOrg, @actorRoles, @action, @channel, @purpose, @planId,
     @versionId, @query, @resultPlanIds, @outcome, @reason, @prevHash, @hash)`,
);
const commit = db.transaction((rows) => {
  for (const row of rows) insert.run(row);
});
// The chain head this writer has committed. A batch must continue it: after a failed batch, the batches
// the main thread had already sent on top of it are refused, and it resends from the committed head.
let lastHash = db.prepare('SELECT hash FROM access_events ORDER BY seq DESC LIMIT 1').pluck().get() ?? '0'.repeat(64);

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const rows = JSON.parse(msg.rows);
    if (rows.length && rows[0].prevHash !== lastHash) throw new Error('batch does not continue the committed chain (an earlier batch failed)');
    const started = performance.now();
    commit(rows);
    if (rows.length) lastHash = rows[rows.length - 1].hash;
    parentPort.postMessage({ id: msg.id, ok: true, ms: performance.now() - started });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, message: String(e && e.message) });
  }
});

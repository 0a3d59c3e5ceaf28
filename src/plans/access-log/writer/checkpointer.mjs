// The SQLite file's WAL checkpoints, in a thread of their own (plain JS, like the writer). SQLite runs its
// auto-checkpoint inside the commit that takes the WAL past 1,000 pages: on the access-log writer that was
// every second or two under a steady load, each time a copy of the WAL into the database and two fsyncs
// inside one batch's commit, so every request waiting for that batch, and every one arriving meanwhile,
// waited for the checkpoint too (issue 24: p99 in the hundreds of ms at a fifth of capacity). Here a
// PASSIVE checkpoint runs every EVERY_MS on this thread's own connection: it copies what is committed
// without taking the write lock, so the writer goes on committing while it runs. The writer and the main
// connection keep SQLite's auto-checkpoint only as a backstop at BACKSTOP_PAGES (log.ts), should this
// thread fall behind or stop, so the WAL stays bounded either way.
import { parentPort as port, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applyPragmas } from '../../../../db/pragmas.mjs';

if (!port) throw new Error('checkpointer.mjs runs only as a worker thread');
const parentPort = port;
const options = /** @type {import('./protocol.mjs').CheckpointerOptions} */ (workerData);

const db = new Database(options.file);
applyPragmas(db);
const EVERY_MS = options.everyMs ?? 500;

function checkpoint() {
  try {
    // Never waits: PASSIVE copies the frames no reader still needs and returns.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failing for a moment: the next tick tries again, and the backstop bounds the WAL meanwhile.
  }
}

const timer = setInterval(checkpoint, EVERY_MS);
parentPort.on('message', (/** @type {{ type: 'close' }} */ m) => {
  if (m.type !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});

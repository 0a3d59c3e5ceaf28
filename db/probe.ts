import { connectAtOnce } from './pg/reconnect.js';
import type { Store } from './runtime.js';

/**
 * One write transaction that touches no table, for readiness: on PostgreSQL, asking for a transaction id
 * makes COMMIT write a commit record and wait, as the access log's commits do, for the WAL flush and the
 * synchronous standby (synchronous_commit=on, db/pg/open.ts). So it fails or hangs exactly when an
 * access event could not be committed, without a row, a lock or an event of its own. On SQLite the file
 * is this process's own: a read says the handle works, and the access log's health covers the rest.
 */
export async function probeCommit(db: Store): Promise<void> {
  if (db.kind === 'sqlite') {
    db.sqlite!.client.prepare('SELECT 1').get();
    return;
  }
  const client = await connectAtOnce(db.pg!.pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_current_xact_id()');
    await client.query('COMMIT');
  } catch (e) {
    // Whatever state the session is in, the pool must not hand it out again.
    broken = true;
    throw e;
  } finally {
    client.release(broken);
  }
}

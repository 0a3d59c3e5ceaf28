// The access log's writer on PostgreSQL: the same promises as the SQLite writer thread (writer/writer.mjs).
//
// - Durable before any plan data is returned: a request's promise resolves after COMMIT, and the pool's
//   sessions run with synchronous_commit=on (db/pg/open.ts), so COMMIT returns once the WAL is flushed (and,
//   with synchronous replication, on the standby).
// - Group commit: events recorded while a commit is under way wait here and go in the next one, in one
//   multi-row INSERT; a request waits for at most the commit in progress and its own.
// - One chain for every node: the head is read, and the next seqs assigned, under a transaction-level
//   advisory lock that every writer takes, so two writers can never both continue from the same head
//   (locking "the last row" would not do: a row inserted meanwhile is not locked by anyone).
// - The stored text is the exact string hashed (the columns are text, not jsonb).
// - A signed checkpoint of the new head in the same transaction.
// - The per-plan lookup (access_event_plans) is written in the same transaction: on PostgreSQL its index
//   rows cost the commit little, and a query then never has to wait for a catch-up pass.
import { sign } from 'node:crypto';
import type pg from 'pg';
import { checkpointPayload, eventHash, GENESIS_HASH, type EventBody, type SignedCheckpoint } from './chain.js';
import { EVENT_FIELDS, EVENT_FIELD_NAMES } from './columns.mjs';
import type { ChainHead } from './writer/protocol.mjs';

/** Every writer of every node takes this lock to append (an arbitrary, fixed 64-bit key). */
export const CHAIN_LOCK_KEY = 7_305_202_611_000_022n;

const columns = ['seq', ...EVENT_FIELDS.map(([, c]) => c), 'prev_hash', 'hash'];
const types = ['bigint', ...EVENT_FIELDS.map(([f]) => (f === 'versionId' ? 'bigint' : 'text')), 'text', 'text'];
// unnest of one array per column: one statement and one round trip for any number of events.
const INSERT_EVENTS = `INSERT INTO access_events (${columns.join(', ')})
  SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
const INSERT_LOOKUP = `INSERT INTO access_event_plans (plan_id, seq)
  SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`;

export type PgCommit = { head: ChainHead; checkpoint?: SignedCheckpoint };
export type SigningKey = { privateKey: import('node:crypto').KeyObject; keyId: string };

/** The plans an event concerns: the plan it opened and every plan a search returned (as lookup.mjs). */
function plansOf(e: EventBody): string[] {
  const ids = e.planId === null ? [] : [e.planId];
  if (e.resultPlanIds !== null) {
    try {
      const parsed: unknown = JSON.parse(e.resultPlanIds);
      if (Array.isArray(parsed)) for (const id of parsed) if (typeof id === 'string') ids.push(id);
    } catch {
      // Stored text that is not JSON names no plan (the SQLite lookup's json_each would skip it too).
    }
  }
  return [...new Set(ids)];
}

/** Appends `events` to the chain in one transaction on `pool`; throws (and writes nothing) on failure. */
export async function commitEvents(pool: pg.Pool, events: EventBody[], at: string, key: SigningKey | undefined): Promise<PgCommit> {
  const client = await pool.connect();
  // A connection that failed (or could not roll back) is not given back to the pool: the next commit
  // takes a fresh one.
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY.toString()]);
      const last = await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1');
      let { seq, hash } = last.rows[0] ?? { seq: 0, hash: GENESIS_HASH };
      const cols: unknown[][] = columns.map(() => []);
      const lookupPlans: string[] = [];
      const lookupSeqs: number[] = [];
      for (const e of events) {
        const prevHash = hash;
        seq += 1;
        hash = eventHash(prevHash, e);
        let i = 0;
        cols[i++]!.push(seq);
        for (const f of EVENT_FIELD_NAMES) cols[i++]!.push(e[f]);
        cols[i++]!.push(prevHash);
        cols[i]!.push(hash);
        for (const planId of plansOf(e)) {
          lookupPlans.push(planId);
          lookupSeqs.push(seq);
        }
      }
      await client.query(INSERT_EVENTS, cols);
      if (lookupPlans.length) await client.query(INSERT_LOOKUP, [lookupPlans, lookupSeqs]);
      await client.query('UPDATE access_index_state SET indexed_seq = $1 WHERE id = 1', [seq]);
      const head = { seq, hash };
      let checkpoint: SignedCheckpoint | undefined;
      if (key) {
        const body = { at, headSeq: seq, headHash: hash, keyId: key.keyId };
        checkpoint = { ...body, signature: sign(null, Buffer.from(checkpointPayload(body)), key.privateKey).toString('base64') };
        await client.query('INSERT INTO audit_checkpoints (at, head_seq, head_hash, key_id, signature) VALUES ($1, $2, $3, $4, $5)', [
          checkpoint.at,
          checkpoint.headSeq,
          checkpoint.headHash,
          checkpoint.keyId,
          checkpoint.signature,
        ]);
      }
      await client.query('COMMIT');
      return { head, checkpoint };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw e;
    }
  } catch (e) {
    // The server's own errors carry a five-character SQLSTATE; anything else means the connection failed.
    if (!/^[0-9A-Z]{5}$/.test(String((e as { code?: unknown }).code))) broken = true;
    throw e;
  } finally {
    client.release(broken);
  }
}

/** The committed head, for start-up and for `head()` before the first commit. */
export async function chainHead(pool: pg.Pool): Promise<ChainHead> {
  const last = await pool.query<{ seq: number; hash: string }>('SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1');
  return last.rows[0] ?? { seq: 0, hash: GENESIS_HASH };
}

export async function newestCheckpoint(pool: pg.Pool): Promise<SignedCheckpoint | undefined> {
  const r = await pool.query<SignedCheckpoint>(
    'SELECT at, head_seq AS "headSeq", head_hash AS "headHash", key_id AS "keyId", signature FROM audit_checkpoints ORDER BY id DESC LIMIT 1',
  );
  return r.rows[0];
}

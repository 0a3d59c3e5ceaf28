import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { checkpointPayload, eventHash, GENESIS_HASH, type StoredEvent } from './access-chain.js';
import { PLAN_REFERENCES_SQL } from './access-index.mjs';
import { keyIdOf, verifySignature } from './audit-signer.js';

export type AuditProblem = {
  /** The first event (by sequence number) at which the log stops being what was written. */
  seq: number;
  kind: 'altered' | 'deleted' | 'reordered' | 'checkpoint' | 'lookup';
  detail: string;
};

export type AuditVerification = {
  ok: boolean;
  events: number;
  head: { seq: number; hash: string };
  checkpoints: number;
  /** Events after the last checkpoint: covered by the chain only until the next checkpoint. */
  uncheckpointed: number;
  problem?: AuditProblem;
};

type CheckpointRow = { id: number; at: string; headSeq: number; headHash: string; keyId: string; signature: string };

/**
 * Re-walks the whole chain in sequence order and checks every signed checkpoint against it.
 *  - a sequence gap → the missing event was deleted;
 *  - a row whose hash does not match its own content → altered;
 *  - a row that hashes correctly but does not link to the one before → reordered (or an earlier event was
 *    deleted and the rest renumbered);
 *  - a checkpoint whose head hash differs from the chain at that point → the chain was rewritten up to
 *    there, or the tail after it was deleted.
 */
export function verifyAuditLog(db: Db, publicKeyPem: string | undefined): AuditVerification {
  const sqlite = db.$client;
  const publicKey: KeyObject | undefined = publicKeyPem ? createPublicKey(publicKeyPem) : undefined;
  const keyId = publicKey ? keyIdOf(publicKey) : undefined;
  const checkpoints = sqlite
    .prepare(
      'SELECT id, at, head_seq AS headSeq, head_hash AS headHash, key_id AS keyId, signature FROM audit_checkpoints ORDER BY id',
    )
    .all() as CheckpointRow[];

  const bySeq = new Map<number, CheckpointRow[]>();
  let problem: AuditProblem | undefined;
  let lastHeadSeq = 0;
  for (const cp of checkpoints) {
    const bad = (detail: string) => (problem ??= { seq: cp.headSeq, kind: 'checkpoint', detail: `checkpoint #${cp.id}: ${detail}` });
    if (!publicKey) bad('no public key to check its signature (pass --public-key)');
    else if (cp.keyId !== keyId) bad('signed by a different key than the one given');
    else if (!verifySignature(publicKey, checkpointPayload(cp), cp.signature)) bad('signature does not verify: the checkpoint was altered');
    else if (cp.headSeq < lastHeadSeq) bad('goes backwards: checkpoints were reordered');
    lastHeadSeq = Math.max(lastHeadSeq, cp.headSeq);
    const list = bySeq.get(cp.headSeq) ?? [];
    list.push(cp);
    bySeq.set(cp.headSeq, list);
  }

  let expected = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  const rows = sqlite
    .prepare(
      `SELECT seq, at, actor_sub AS actorSub, actor_org AS actorOrg, actor_roles AS actorRoles, action, channel, purpose,
              plan_id AS planId, version_id AS versionId, query, result_plan_ids AS resultPlanIds, outcome, reason,
              prev_hash AS prevHash, hash
       FROM access_events ORDER BY seq`,
    )
    .iterate() as IterableIterator<StoredEvent>;
  for (const e of rows) {
    if (!problem) {
      if (e.seq !== expected) {
        problem = { seq: expected, kind: 'deleted', detail: `event ${expected}${e.seq - 1 > expected ? `–${e.seq - 1}` : ''} is missing (deleted)` };
      } else if (eventHash(e.prevHash, e) !== e.hash) {
        problem = { seq: e.seq, kind: 'altered', detail: `event ${e.seq} does not match its hash: its content was altered` };
      } else if (e.prevHash !== prev) {
        problem = { seq: e.seq, kind: 'reordered', detail: `event ${e.seq} does not follow event ${e.seq - 1}: events were reordered, or one before it was deleted` };
      }
      for (const cp of bySeq.get(e.seq) ?? []) {
        if (!problem && cp.headHash !== e.hash) {
          problem = { seq: e.seq, kind: 'checkpoint', detail: `checkpoint #${cp.id} (${cp.at}) signed a different chain head at event ${e.seq}: events up to here were rewritten` };
        }
      }
    }
    prev = e.hash;
    expected = e.seq + 1;
    count += 1;
  }
  const headSeq = expected - 1;
  if (!problem && lastHeadSeq > headSeq) {
    problem = { seq: headSeq + 1, kind: 'deleted', detail: `a signed checkpoint covers events up to ${lastHeadSeq}, but the log ends at ${headSeq}: events ${headSeq + 1}–${lastHeadSeq} were deleted` };
  }
  problem ??= checkPlanLookup(db);
  return {
    ok: !problem,
    events: count,
    head: { seq: headSeq, hash: prev },
    checkpoints: checkpoints.length,
    uncheckpointed: headSeq - lastHeadSeq,
    problem,
  };
}

/**
 * The per-plan lookup (access_event_plans) decides what a person's access report shows, so it must say
 * exactly what the log says: an entry removed would hide an access from the person, one added would
 * invent one. Checked up to the point it has been built to; the rest is built from the verified log.
 */
function checkPlanLookup(db: Db): AuditProblem | undefined {
  const sqlite = db.$client;
  const to = (sqlite.prepare('SELECT indexed_seq FROM access_index_state WHERE id = 1').pluck().get() as number | undefined) ?? 0;
  const missing = sqlite
    .prepare(
      `SELECT r.seq, r.plan_id AS planId FROM (${PLAN_REFERENCES_SQL}) r
       WHERE NOT EXISTS (SELECT 1 FROM access_event_plans p WHERE p.plan_id = r.plan_id AND p.seq = r.seq)
       ORDER BY r.seq LIMIT 1`,
    )
    .get({ from: 0, to }) as { seq: number; planId: string } | undefined;
  // The same definition seen from the lookup's side: each entry checked against its own event by key,
  // rather than re-deriving every reference once per entry.
  const invented = sqlite
    .prepare(
      `SELECT p.seq, p.plan_id AS planId FROM access_event_plans p
       WHERE NOT EXISTS (SELECT 1 FROM access_events e WHERE e.seq = p.seq
         AND (e.plan_id = p.plan_id OR EXISTS (SELECT 1 FROM json_each(e.result_plan_ids) j WHERE j.value = p.plan_id)))
       ORDER BY p.seq LIMIT 1`,
    )
    .get() as { seq: number; planId: string } | undefined;
  const first = [missing && { ...missing, what: 'is missing from' }, invented && { ...invented, what: 'was added to' }]
    .filter((x) => !!x)
    .sort((a, b) => a.seq - b.seq)[0];
  if (!first) return undefined;
  return {
    seq: first.seq,
    kind: 'lookup',
    detail: `event ${first.seq}'s entry for a plan ${first.what} the per-plan lookup: the person's access report would be wrong`,
  };
}

import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Db } from '../../../db/index.js';
import { checkpointPayload, eventHash, GENESIS_HASH, type SignedCheckpoint, type StoredEvent } from './chain.js';
import { eventColumns } from './columns.mjs';
import { PLAN_REFERENCES_SQL } from './writer/lookup.mjs';
import { keyIdOf, verifySignature } from './signer.js';

export type AuditProblemKind = 'altered' | 'deleted' | 'reordered' | 'checkpoint' | 'lookup' | 'witness';

export type AuditProblem = {
  /** The event (by sequence number) at which the log stops being what was written. */
  seq: number;
  /** The last event of a run reported at once (a deleted range); absent for one event. */
  to?: number;
  kind: AuditProblemKind;
  detail: string;
};

/** One kind of problem over the whole log: how many events, in which runs of consecutive seqs. */
export type AuditProblemSummary = { kind: AuditProblemKind; events: number; ranges: [number, number][] };

export type AuditVerification = {
  ok: boolean;
  events: number;
  head: { seq: number; hash: string };
  checkpoints: number;
  /** Events after the last checkpoint: covered by the chain only until the next checkpoint. */
  uncheckpointed: number;
  /** Every problem found, in sequence order (the listing stops at MAX_LISTED; the summary never does). */
  problems: AuditProblem[];
  /** More problems were found than `problems` lists. */
  problemsTruncated: boolean;
  /** Events with a problem, counted once per kind. */
  problemCount: number;
  summary: AuditProblemSummary[];
  /** The first problem by sequence number. */
  problem?: AuditProblem;
  /**
   * When witnessed checkpoints were given: the newest and whether this log contains its head, how many were
   * checked and how many name a head this log does not have.
   */
  witness?: { at: string; headSeq: number; headHash: string; contained: boolean; checked: number; notInLog: number };
};

/** Problems kept one by one; a log rewritten wholesale would otherwise hold millions in memory. */
export const MAX_LISTED = 10_000;
const LOOKUP_LIMIT = MAX_LISTED + 1;

type CheckpointRow = { id: number; at: string; headSeq: number; headHash: string; keyId: string; signature: string };

/** Collects problems and merges them into per-kind runs as they are found. */
function problemSink() {
  const listed: AuditProblem[] = [];
  let truncated = false;
  const runs = new Map<AuditProblemKind, [number, number][]>();
  return {
    add(p: AuditProblem) {
      if (listed.length < MAX_LISTED) listed.push(p);
      else truncated = true;
      const list = runs.get(p.kind) ?? [];
      list.push([p.seq, p.to ?? p.seq]);
      runs.set(p.kind, list);
    },
    result() {
      const summary: AuditProblemSummary[] = [];
      let total = 0;
      for (const [kind, list] of runs) {
        list.sort((a, b) => a[0] - b[0]);
        const merged: [number, number][] = [];
        for (const [from, to] of list) {
          const last = merged[merged.length - 1];
          if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
          else merged.push([from, to]);
        }
        const events = merged.reduce((n, [from, to]) => n + to - from + 1, 0);
        total += events;
        summary.push({ kind, events, ranges: merged });
      }
      const problems = listed.sort((a, b) => a.seq - b.seq);
      return { problems, problemsTruncated: truncated, problemCount: total, summary, problem: problems[0] };
    },
  };
}

/** "altered: 3 events (12, 40–41)" */
export function describeSummary(s: AuditProblemSummary, maxRanges = 50): string {
  const shown = s.ranges.slice(0, maxRanges).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`));
  const more = s.ranges.length > maxRanges ? `, … ${s.ranges.length - maxRanges} more ranges` : '';
  return `${s.kind}: ${s.events} event${s.events === 1 ? '' : 's'} (${shown.join(', ')}${more})`;
}

/**
 * Re-walks the whole chain in sequence order and checks every signed checkpoint against it, reporting
 * every bad event, not only the first, so one bad row cannot hide later tampering:
 *  - a sequence gap → the missing events were deleted;
 *  - a row whose hash does not match its own content → altered;
 *  - a row that hashes correctly but does not link to the one before → reordered (or an earlier event was
 *    deleted and the rest renumbered);
 *  - a checkpoint whose head hash differs from the chain at that point → the chain was rewritten up to
 *    there, or the tail after it was deleted.
 * After a bad row the walk carries on from that row's stored hash, so each later row is judged against
 * its own predecessor and rows between two tamperings come out clean.
 */
export function verifyAuditLog(
  db: Db,
  publicKeyPem: string | undefined,
  opts: { witness?: Iterable<SignedCheckpoint> } = {},
): AuditVerification {
  const sqlite = db.$client;
  const publicKey: KeyObject | undefined = publicKeyPem ? createPublicKey(publicKeyPem) : undefined;
  const keyId = publicKey ? keyIdOf(publicKey) : undefined;
  // Streamed, never held: there is one checkpoint per commit, so as many as there are events on a quiet
  // service. Each is checked here; whether its head is in the chain is one join below.
  const checkpoints = sqlite
    .prepare(
      'SELECT id, at, head_seq AS headSeq, head_hash AS headHash, key_id AS keyId, signature FROM audit_checkpoints ORDER BY id',
    )
    .iterate() as IterableIterator<CheckpointRow>;

  const sink = problemSink();
  let lastHeadSeq = 0;
  let checkpointCount = 0;
  for (const cp of checkpoints) {
    checkpointCount += 1;
    const bad = (detail: string) => sink.add({ seq: cp.headSeq, kind: 'checkpoint', detail: `checkpoint #${cp.id}: ${detail}` });
    if (!publicKey) bad('no public key to check its signature (pass --public-key)');
    else if (cp.keyId !== keyId) bad('signed by a different key than the one given');
    else if (!verifySignature(publicKey, checkpointPayload(cp), cp.signature)) bad('signature does not verify: the checkpoint was altered');
    else if (cp.headSeq < lastHeadSeq) bad('goes backwards: checkpoints were reordered');
    lastHeadSeq = Math.max(lastHeadSeq, cp.headSeq);
  }

  let expected = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  const rows = sqlite
    .prepare(
      `SELECT ${eventColumns('')} FROM access_events ORDER BY seq`,
    )
    .iterate() as IterableIterator<StoredEvent>;
  for (const e of rows) {
    const gap = e.seq !== expected;
    if (gap) {
      const last = e.seq - 1;
      sink.add({ seq: expected, to: last > expected ? last : undefined, kind: 'deleted', detail: `event ${expected}${last > expected ? `–${last}` : ''} is missing (deleted)` });
    }
    if (eventHash(e.prevHash, e) !== e.hash) {
      sink.add({ seq: e.seq, kind: 'altered', detail: `event ${e.seq} does not match its hash: its content was altered` });
    } else if (!gap && e.prevHash !== prev) {
      // After a gap the broken link is the deletion itself, already reported.
      sink.add({ seq: e.seq, kind: 'reordered', detail: `event ${e.seq} does not follow event ${e.seq - 1}: events were reordered, or one before it was deleted` });
    }
    prev = e.hash;
    expected = e.seq + 1;
    count += 1;
  }
  const headSeq = expected - 1;
  const rewritten = sqlite
    .prepare(
      `SELECT c.id, c.at, c.head_seq AS seq FROM audit_checkpoints c JOIN access_events e ON e.seq = c.head_seq
       WHERE e.hash <> c.head_hash`,
    )
    .iterate() as IterableIterator<{ id: number; at: string; seq: number }>;
  for (const cp of rewritten) {
    sink.add({ seq: cp.seq, kind: 'checkpoint', detail: `checkpoint #${cp.id} (${cp.at}) signed a different chain head at event ${cp.seq}: events up to here were rewritten` });
  }
  if (lastHeadSeq > headSeq) {
    sink.add({ seq: headSeq + 1, to: lastHeadSeq > headSeq + 1 ? lastHeadSeq : undefined, kind: 'deleted', detail: `a signed checkpoint covers events up to ${lastHeadSeq}, but the log ends at ${headSeq}: events ${headSeq + 1}–${lastHeadSeq} were deleted` });
  }
  const hashAt = sqlite.prepare('SELECT hash FROM access_events WHERE seq = ?').pluck();
  const witnessed = opts.witness && checkWitness(opts.witness, publicKey, keyId, headSeq, (seq) => hashAt.get(seq) as string | undefined, sink.add);
  for (const p of checkPlanLookup(db)) sink.add(p);
  const found = sink.result();
  return {
    ok: found.problemCount === 0,
    events: count,
    head: { seq: headSeq, hash: prev },
    checkpoints: checkpointCount,
    uncheckpointed: headSeq - lastHeadSeq,
    ...found,
    witness: witnessed,
  };
}

/**
 * Checkpoints kept off the machine (AUDIT_WITNESS_DIR, or a printed `audit-checkpoint`) must each be in this
 * log: signed by the given key, and the event at its head has its hash. This is what catches a tail cut
 * together with the checkpoints that covered it, which the database alone cannot show (the log would end
 * cleanly at an earlier, properly signed head), and a log cut and then written on (its new checkpoints
 * match the new chain; the witness's older ones name heads it no longer has).
 */
function checkWitness(
  witnessed: Iterable<SignedCheckpoint>,
  publicKey: KeyObject | undefined,
  keyId: string | undefined,
  logHeadSeq: number,
  hashAt: (seq: number) => string | undefined,
  add: (p: AuditProblem) => void,
): AuditVerification['witness'] {
  let newest: { w: SignedCheckpoint; contained: boolean } | undefined;
  let checked = 0;
  let notInLog = 0;
  for (const w of witnessed) {
    checked += 1;
    const head = `head event ${w.headSeq} (hash ${w.headHash})`;
    const bad = (detail: string) => add({ seq: w.headSeq, kind: 'witness', detail: `the witnessed checkpoint of ${w.at}: ${detail}` });
    const signed = !!publicKey && w.keyId === keyId && verifySignature(publicKey, checkpointPayload(w), w.signature);
    if (!publicKey) bad('no public key to check its signature (pass --public-key)');
    else if (w.keyId !== keyId) bad('signed by a different key than the one given');
    else if (!signed) bad('its signature does not verify: the witness copy is not a checkpoint this key signed');
    const hash = w.headSeq <= logHeadSeq ? hashAt(w.headSeq) : undefined;
    if (hash !== w.headHash) {
      notInLog += 1;
      // Heads beyond the log's end are reported once below, as the run of events cut from its tail.
      if (hash === undefined && w.headSeq <= logHeadSeq) bad(`signs ${head}, which is missing from this log (deleted)`);
      else if (hash !== undefined) bad(`signs ${head}, but this log's event ${w.headSeq} has hash ${hash}: the log was rewritten, or cut and written on, from before there`);
    }
    if (!newest || w.headSeq > newest.w.headSeq) newest = { w, contained: signed && hash === w.headHash };
  }
  if (!newest) {
    add({ seq: logHeadSeq, kind: 'witness', detail: 'no witnessed checkpoint was given to check against' });
    return undefined;
  }
  const w = newest.w;
  if (w.headSeq > logHeadSeq) {
    add({
      seq: logHeadSeq + 1,
      to: w.headSeq > logHeadSeq + 1 ? w.headSeq : undefined,
      kind: 'witness',
      detail: `the witnessed checkpoint of ${w.at} signs head event ${w.headSeq} (hash ${w.headHash}), which is missing: the log ends at event ${logHeadSeq}, so events ${logHeadSeq + 1}–${w.headSeq} were deleted (with any checkpoints covering them)`,
    });
  }
  return { at: w.at, headSeq: w.headSeq, headHash: w.headHash, contained: newest.contained, checked, notInLog };
}

/**
 * The per-plan lookup (access_event_plans) decides what a person's access report shows, so it must say
 * exactly what the log says: an entry removed would hide an access from the person, one added would
 * invent one. Checked up to the point it has been built to; the rest is built from the verified log.
 */
function checkPlanLookup(db: Db): AuditProblem[] {
  const sqlite = db.$client;
  const to = (sqlite.prepare('SELECT indexed_seq FROM access_index_state WHERE id = 1').pluck().get() as number | undefined) ?? 0;
  const missing = sqlite
    .prepare(
      `SELECT r.seq, r.plan_id AS planId FROM (${PLAN_REFERENCES_SQL}) r
       WHERE NOT EXISTS (SELECT 1 FROM access_event_plans p WHERE p.plan_id = r.plan_id AND p.seq = r.seq)
       ORDER BY r.seq LIMIT ${LOOKUP_LIMIT}`,
    )
    .all({ from: 0, to }) as { seq: number; planId: string }[];
  // The same definition seen from the lookup's side: each entry checked against its own event by key,
  // rather than re-deriving every reference once per entry.
  const invented = sqlite
    .prepare(
      `SELECT p.seq, p.plan_id AS planId FROM access_event_plans p
       WHERE NOT EXISTS (SELECT 1 FROM access_events e WHERE e.seq = p.seq
         AND (e.plan_id = p.plan_id OR EXISTS (SELECT 1 FROM json_each(e.result_plan_ids) j WHERE j.value = p.plan_id)))
       ORDER BY p.seq LIMIT ${LOOKUP_LIMIT}`,
    )
    .all() as { seq: number; planId: string }[];
  return [...missing.map((m) => ({ ...m, what: 'is missing from' })), ...invented.map((m) => ({ ...m, what: 'was added to' }))].map((m) => ({
    seq: m.seq,
    kind: 'lookup' as const,
    detail: `event ${m.seq}'s entry for a plan ${m.what} the per-plan lookup: the person's access report would be wrong`,
  }));
}

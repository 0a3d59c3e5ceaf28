import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Store } from '../../../db/runtime.js';
import { checkpointPayload, eventHash, GENESIS_HASH, type SignedCheckpoint } from './chain.js';
import { keyIdOf, verifySignature } from './signer.js';
import {
  checkpointsAfter,
  checkpointsNotMatching,
  eventsAfter,
  hashAt,
  lookupInvented,
  lookupMissing,
  planLookupBuiltTo,
} from './verify-store.js';

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
/** Rows read per statement: the walk holds one page of the log at a time, however long the log. */
const PAGE = 1_000;

/** Every row of a keyed table, `size` rows per read, in key order. */
async function* paged<T>(size: number, read: (after: number, limit: number) => Promise<T[]>, key: (row: T) => number): AsyncGenerator<T> {
  // From below any key: a row planted at seq 0 or below is walked (and reported) like any other.
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = await read(after, size);
    yield* rows;
    if (rows.length < size) return;
    after = key(rows.at(-1)!);
  }
}

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
export async function verifyAuditLog(
  db: Store,
  /** The key(s) checkpoints may be signed with: a PEM, or every key of KEYS_DIR by key id (checkpointPublicKeys). */
  publicKeys: string | ReadonlyMap<string, KeyObject> | undefined,
  opts: {
    witness?: Iterable<SignedCheckpoint>;
    /** Rows read per statement (default 1,000). */
    pageSize?: number;
  } = {},
): Promise<AuditVerification> {
  const page = opts.pageSize ?? PAGE;
  const keys = keySet(publicKeys);
  // Paged, never held: there is one checkpoint per commit, so as many as there are events on a quiet
  // service. Each is checked here; whether its head is in the chain is one join below.
  const checkpoints = paged(
    page,
    (after, n) => checkpointsAfter(db, after, n),
    (c) => c.id,
  );

  const sink = problemSink();
  let lastHeadSeq = 0;
  let checkpointCount = 0;
  for await (const cp of checkpoints) {
    checkpointCount += 1;
    const bad = (detail: string) => sink.add({ seq: cp.headSeq, kind: 'checkpoint', detail: `checkpoint #${cp.id}: ${detail}` });
    const key = keys.get(cp.keyId);
    if (keys.size === 0) bad('no public key to check its signature (pass --public-key)');
    else if (!key) bad(unknownKey(cp.keyId));
    else if (!verifySignature(key, checkpointPayload(cp), cp.signature)) bad('signature does not verify: the checkpoint was altered');
    else if (cp.headSeq < lastHeadSeq) bad('goes backwards: checkpoints were reordered');
    lastHeadSeq = Math.max(lastHeadSeq, cp.headSeq);
  }

  let expected = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  for await (const e of paged(
    page,
    (after, n) => eventsAfter(db, after, n),
    (e) => e.seq,
  )) {
    const gap = e.seq !== expected;
    if (gap) {
      const last = e.seq - 1;
      sink.add({
        seq: expected,
        to: last > expected ? last : undefined,
        kind: 'deleted',
        detail: `event ${expected}${last > expected ? `–${last}` : ''} is missing (deleted)`,
      });
    }
    if (eventHash(e.prevHash, e) !== e.hash) {
      sink.add({ seq: e.seq, kind: 'altered', detail: `event ${e.seq} does not match its hash: its content was altered` });
    } else if (!gap && e.prevHash !== prev) {
      // After a gap the broken link is the deletion itself, already reported.
      sink.add({
        seq: e.seq,
        kind: 'reordered',
        detail: `event ${e.seq} does not follow event ${e.seq - 1}: events were reordered, or one before it was deleted`,
      });
    }
    prev = e.hash;
    expected = e.seq + 1;
    count += 1;
  }
  const headSeq = expected - 1;
  for await (const cp of paged(
    page,
    (after, n) => checkpointsNotMatching(db, after, n),
    (c) => c.id,
  )) {
    sink.add({
      seq: cp.seq,
      kind: 'checkpoint',
      detail: `checkpoint #${cp.id} (${cp.at}) signed a different chain head at event ${cp.seq}: events up to here were rewritten`,
    });
  }
  if (lastHeadSeq > headSeq) {
    sink.add({
      seq: headSeq + 1,
      to: lastHeadSeq > headSeq + 1 ? lastHeadSeq : undefined,
      kind: 'deleted',
      detail: `a signed checkpoint covers events up to ${lastHeadSeq}, but the log ends at ${headSeq}: events ${headSeq + 1}–${lastHeadSeq} were deleted`,
    });
  }
  const witnessed = opts.witness && (await checkWitness(opts.witness, keys, headSeq, (seq) => hashAt(db, seq), sink.add));
  for (const p of await checkPlanLookup(db)) sink.add(p);
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

function keySet(given: string | ReadonlyMap<string, KeyObject> | undefined): ReadonlyMap<string, KeyObject> {
  if (given === undefined) return new Map();
  if (typeof given !== 'string') return given;
  const key = createPublicKey(given);
  return new Map([[keyIdOf(key), key]]);
}

/** A checkpoint signed by none of the keys given: forged, or signed by a key this verifier was not told about. */
const unknownKey = (keyId: string) =>
  `signed by key ${keyId.slice(0, 16)}…, which is not one of the public keys given (KEYS_DIR's checkpoint keys, or --public-key): forged, or a key this check was not given`;

/**
 * Checkpoints kept off the machine (AUDIT_WITNESS_DIR, or a printed `audit-checkpoint`) must each be in this
 * log: signed by the given key, and the event at its head has its hash. This is what catches a tail cut
 * together with the checkpoints that covered it, which the database alone cannot show (the log would end
 * cleanly at an earlier, properly signed head), and a log cut and then written on (its new checkpoints
 * match the new chain; the witness's older ones name heads it no longer has).
 */
async function checkWitness(
  witnessed: Iterable<SignedCheckpoint>,
  keys: ReadonlyMap<string, KeyObject>,
  logHeadSeq: number,
  hashAt: (seq: number) => Promise<string | undefined>,
  add: (p: AuditProblem) => void,
): Promise<AuditVerification['witness']> {
  let newest: { w: SignedCheckpoint; contained: boolean } | undefined;
  let checked = 0;
  let notInLog = 0;
  for (const w of witnessed) {
    checked += 1;
    const head = `head event ${w.headSeq} (hash ${w.headHash})`;
    const bad = (detail: string) => add({ seq: w.headSeq, kind: 'witness', detail: `the witnessed checkpoint of ${w.at}: ${detail}` });
    const key = keys.get(w.keyId);
    const signed = !!key && verifySignature(key, checkpointPayload(w), w.signature);
    if (keys.size === 0) bad('no public key to check its signature (pass --public-key)');
    else if (!key) bad(unknownKey(w.keyId));
    else if (!signed) bad('its signature does not verify: the witness copy is not a checkpoint this key signed');
    const hash = w.headSeq <= logHeadSeq ? await hashAt(w.headSeq) : undefined;
    if (hash !== w.headHash) {
      notInLog += 1;
      // Heads beyond the log's end are reported once below, as the run of events cut from its tail.
      if (hash === undefined && w.headSeq <= logHeadSeq) bad(`signs ${head}, which is missing from this log (deleted)`);
      else if (hash !== undefined)
        bad(
          `signs ${head}, but this log's event ${w.headSeq} has hash ${hash}: the log was rewritten, or cut and written on, from before there`,
        );
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
async function checkPlanLookup(db: Store): Promise<AuditProblem[]> {
  const to = await planLookupBuiltTo(db);
  const missing = await lookupMissing(db, to, LOOKUP_LIMIT);
  const invented = await lookupInvented(db, LOOKUP_LIMIT);
  return [...missing.map((m) => ({ ...m, what: 'is missing from' })), ...invented.map((m) => ({ ...m, what: 'was added to' }))].map(
    (m) => ({
      seq: m.seq,
      kind: 'lookup' as const,
      detail: `event ${m.seq}'s entry for a plan ${m.what} the per-plan lookup: the person's access report would be wrong`,
    }),
  );
}

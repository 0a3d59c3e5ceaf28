import type { Body, Store } from '../../../db/runtime.js';
import type { ImportRecord, PlanRecord } from '../core/content.js';
import type { PlanEvents } from './events.js';
import { parseLine, readLines, type CheckedFile, type ImportItem, type Progress } from './import-check.js';
import { importedBeforeIn, importWriter, type ImportedBefore, type ImportWrite, type PublishImported } from './import-store.js';
import { newPlanId, recordHash, transaction, type Tx } from './store.js';

/**
 * Bulk import of published plans (CONTRACTS §3), the second pass: import-check.ts has already checked
 * every line, so a bad line means nothing is imported (unless skipInvalid). Each record is idempotent on
 * (owningOrg, externalRef): unchanged content is a no-op, changed content publishes a new version and
 * supersedes the old.
 */

export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'skipped-withdrawn';
export type ImportSummary = Record<ImportOutcome, number> & { invalid: number; lines: number };
/** Where an import stopped: a database failure rolls its batch back whole, so records before it are in. */
export type ImportStop = {
  line?: number;
  externalRef?: string;
  message: string;
  error: unknown;
  /** Every record on a line before this one is committed; none from it on. */
  firstLineNotImported?: number;
};
export type ImportResult = { summary: ImportSummary; stopped?: ImportStop };

export function emptySummary(): ImportSummary {
  return { created: 0, updated: 0, unchanged: 0, 'skipped-withdrawn': 0, invalid: 0, lines: 0 };
}

/**
 * Records per transaction. Not one transaction for the whole import: the running service's access-log
 * writer waits for the write lock (busy_timeout 5 s) and no plan is shown before its access event commits,
 * so one long import transaction would stall every responder's read for its length (and fail them past
 * 5 s). A batch of 500 holds the lock for about 0.1 s and shares one commit's fsync (synchronous=FULL)
 * among its records; 1,000 was no faster over 10,000 plans and held the lock twice as long.
 * "Nothing imported if any line is bad" is kept by the check pass, which reads every line before the
 * first write. What is left is the database failing midway (disk full, a constraint the check cannot see,
 * a concurrent change): that batch rolls back whole, so no record is half-written; the batches before it
 * stay, the result says so, and running the import again finishes it because committed records are
 * unchanged no-ops.
 */
export const BATCH = 500;

type ImportOpts = { importedBy: string; now: () => Date; events?: PlanEvents };

/**
 * What one valid record needs, given what is stored under its reference. Idempotent on (owningOrg,
 * externalRef): the same content is a no-op, changed content publishes a new version, supersedes the old
 * one and queues the index sync, as approving a draft does.
 */
function decide(record: ImportRecord, before: ImportedBefore | undefined): { outcome: ImportOutcome; write?: ImportWrite } {
  const { externalRef, owningOrg, status: _status, ...rest } = record;
  const planRecord: PlanRecord = rest;
  const contentHash = recordHash(planRecord);
  if (before?.currentHash === contentHash) return { outcome: 'unchanged' };
  // Withdrawal was someone's decision about this person; a migration file must not quietly undo it.
  if (before?.withdrawnAt) return { outcome: 'skipped-withdrawn' };
  const approvedBy = record.governance.approvedBy ?? 'not recorded in source system';
  const write = { before, planId: before?.planId ?? newPlanId(), owningOrg, externalRef, record: planRecord, contentHash, approvedBy };
  return { outcome: before?.currentHash != null ? 'updated' : 'created', write };
}

const keyOf = (r: { owningOrg: string; externalRef: string }) => `${r.owningOrg}\u0000${r.externalRef}`;

/**
 * A batch's records in runs whose references are all different (a check pass refuses repeats in a file;
 * records given in code may repeat one), so each run's stored plans are read with one statement per
 * organisation and a repeat sees what the record before it wrote.
 */
function* runsOf(batch: ImportItem[]): Generator<ImportItem[]> {
  let from = 0;
  let keys = new Set<string>();
  for (let i = 0; i < batch.length; i++) {
    const key = keyOf(batch[i]!.record);
    if (keys.has(key)) {
      yield batch.slice(from, i);
      from = i;
      keys = new Set();
    }
    keys.add(key);
  }
  if (from < batch.length) yield batch.slice(from);
}

function* storedBefore(tx: Tx, items: ImportItem[]): Body<Map<string, ImportedBefore>> {
  const byOrg = new Map<string, string[]>();
  for (const { record } of items) byOrg.set(record.owningOrg, [...(byOrg.get(record.owningOrg) ?? []), record.externalRef]);
  const found = new Map<string, ImportedBefore>();
  for (const [owningOrg, refs] of byOrg) {
    for (const [externalRef, before] of yield* importedBeforeIn(tx, owningOrg, refs)) found.set(keyOf({ owningOrg, externalRef }), before);
  }
  return found;
}

/** One batch's reads, decisions and writes, inside its transaction. */
function* writeBatch(tx: Tx, publish: PublishImported, batch: ImportItem[], opts: ImportOpts): Body<ImportSummary> {
  const s = emptySummary();
  for (const run of runsOf(batch)) {
    const before = yield* storedBefore(tx, run);
    const writes: ImportWrite[] = [];
    for (const { record } of run) {
      const { outcome, write } = decide(record, before.get(keyOf(record)));
      s[outcome]++;
      if (write) writes.push(write);
    }
    yield* publish(tx, writes, opts.importedBy, opts.now());
  }
  return s;
}

class Rehearsed extends Error {}

/** The innermost error's message: the database's own words, never a driver wrapper's copy of the SQL and its values. */
function rootMessage(error: unknown): string {
  let e = error as { message?: unknown; cause?: unknown };
  for (let depth = 0; e?.cause && depth < 5; depth++) e = e.cause as typeof e;
  return typeof e?.message === 'string' ? e.message : String(error);
}

function createBatchWriter(db: Store, opts: ImportOpts) {
  const summary = emptySummary();
  const publish = importWriter(db);
  /** Runs the first `n` records of a batch and rolls them back: whether they fail on their own. */
  const failsAlone = async (batch: ImportItem[], n: number) => {
    try {
      await transaction(db, function* (tx) {
        yield* writeBatch(tx, publish, batch.slice(0, n), opts);
        throw new Rehearsed();
      });
    } catch (e) {
      return !(e instanceof Rehearsed);
    }
    return false;
  };
  /**
   * The record a failed batch stopped at: a statement's failure names no record (on PostgreSQL each writes
   * a whole run of records). The shortest failing head of the batch ends with it (a binary search, every
   * try rolled back; only after a failure, which is rare). Undefined
   * when a transaction with no record fails too, or the whole batch no longer does: then the transaction
   * itself failed (BEGIN waited out busy_timeout, COMMIT could not write, a plan changed meanwhile), not
   * a record.
   */
  const culprit = async (batch: ImportItem[]): Promise<number | undefined> => {
    if ((await failsAlone(batch, 0)) || !(await failsAlone(batch, batch.length))) return undefined;
    let [ok, failing] = [0, batch.length];
    while (failing - ok > 1) {
      const mid = (ok + failing) >> 1;
      if (await failsAlone(batch, mid)) failing = mid;
      else ok = mid;
    }
    return failing - 1;
  };
  return {
    summary,
    /** Commits one batch, or rolls all of it back and says where and why. */
    async write(batch: ImportItem[]): Promise<ImportStop | undefined> {
      if (!batch.length) return undefined;
      try {
        const s = await transaction(db, (tx) => writeBatch(tx, publish, batch, opts));
        for (const k of Object.keys(s) as (keyof ImportSummary)[]) summary[k] += s[k];
        summary.lines += batch.length;
        if (s.created + s.updated > 0) opts.events?.onIndexChange?.();
        return undefined;
      } catch (error) {
        const at = await culprit(batch).catch(() => undefined);
        const item = at === undefined ? undefined : batch[at];
        return {
          line: item?.line,
          externalRef: item?.record.externalRef,
          message: rootMessage(error),
          error,
          firstLineNotImported: batch[0]!.line,
        };
      }
    },
  };
}

/** Imports records given in code (seed, tests, evaluation); a database failure is thrown, as a bug. */
export async function importRecords(
  db: Store,
  records: Iterable<ImportRecord>,
  opts: ImportOpts & { onProgress?: Progress; total?: number },
): Promise<ImportSummary> {
  const writer = createBatchWriter(db, opts);
  let batch: ImportItem[] = [];
  const flush = async () => {
    const stopped = await writer.write(batch);
    if (stopped) throw stopped.error;
    batch = [];
    opts.onProgress?.(writer.summary.lines, opts.total ?? 0);
  };
  for (const record of records) {
    batch.push({ record });
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  return writer.summary;
}

/**
 * The records a check pass found valid: those it kept, then the rest of the file read again. A line read
 * again that no longer passes means the file changed since it was checked: the import stops there.
 */
async function* checkedRecords(file: string, checked: CheckedFile): AsyncGenerator<ImportItem | { changedLine: number }> {
  yield* checked.kept;
  if (checked.keptThrough >= checked.lastLine) return;
  for await (const { line, text } of readLines(file)) {
    if (line <= checked.keptThrough || checked.invalidLines.has(line)) continue;
    const parsed = line <= checked.lastLine ? parseLine(line, text) : undefined;
    if (!parsed?.ok) {
      yield { changedLine: line };
      return;
    }
    yield { line, record: parsed.record };
  }
}

export async function importFile(
  db: Store,
  file: string,
  checked: CheckedFile,
  opts: ImportOpts & { onProgress?: Progress },
): Promise<ImportResult> {
  const writer = createBatchWriter(db, opts);
  const result = (stopped?: ImportStop): ImportResult => (stopped ? { summary: writer.summary, stopped } : { summary: writer.summary });
  let batch: ImportItem[] = [];
  for await (const item of checkedRecords(file, checked)) {
    if ('changedLine' in item) {
      const line = item.changedLine;
      const message = `line ${line} is not the line that was checked: was the file changed during the import?`;
      return result((await writer.write(batch)) ?? { line, message, error: new Error(message), firstLineNotImported: line });
    }
    batch.push(item);
    if (batch.length >= BATCH) {
      const stopped = await writer.write(batch);
      if (stopped) return result(stopped);
      batch = [];
      opts.onProgress?.(writer.summary.lines, checked.valid);
    }
  }
  const stopped = await writer.write(batch);
  if (!stopped) opts.onProgress?.(checked.valid, checked.valid);
  return result(stopped);
}

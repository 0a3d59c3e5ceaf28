import type { Db } from '../../../db/index.js';
import type { ImportRecord } from '../core/content.js';
import { parseLine, readLines, type CheckedFile, type ImportItem, type Progress } from './import-check.js';
import { createRecordImporter, type ImportOutcome } from './import-store.js';

/**
 * Bulk import of published plans (CONTRACTS §3), the second pass: import-check.ts has already checked
 * every line, so a bad line means nothing is imported (unless skipInvalid). Each record is idempotent on
 * (owningOrg, externalRef): unchanged content is a no-op, changed content publishes a new version and
 * supersedes the old.
 */

export type { ImportOutcome } from './import-store.js';
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

function createBatchWriter(db: Db, opts: { importedBy: string; now: () => Date }) {
  const importOne = createRecordImporter(db.$client, opts.importedBy);
  const summary = emptySummary();
  let reached = -1;
  const commit = db.$client.transaction((batch: ImportItem[]) => {
    const s = emptySummary();
    for (reached = 0; reached < batch.length; reached++) s[importOne(batch[reached]!.record, opts.now())]++;
    return s;
  });
  return {
    summary,
    /** Commits one batch, or rolls all of it back and says where and why. */
    write(batch: ImportItem[]): ImportStop | undefined {
      if (!batch.length) return undefined;
      reached = -1;
      try {
        const s = commit.immediate(batch);
        for (const k of Object.keys(s) as (keyof ImportSummary)[]) summary[k] += s[k];
        summary.lines += batch.length;
        return undefined;
      } catch (error) {
        // No record reached, or all of them, means the transaction itself failed (BEGIN waited out
        // busy_timeout, COMMIT could not write), not a record.
        const item = batch[reached];
        const message = (error as Error).message;
        return { line: item?.line, externalRef: item?.record.externalRef, message, error, firstLineNotImported: batch[0]!.line };
      }
    },
  };
}

/** Imports records given in code (seed, tests, evaluation); a database failure is thrown, as a bug. */
export function importRecords(
  db: Db,
  records: Iterable<ImportRecord>,
  opts: { importedBy: string; now: () => Date; onProgress?: Progress; total?: number },
): ImportSummary {
  const writer = createBatchWriter(db, opts);
  let batch: ImportItem[] = [];
  const flush = () => {
    const stopped = writer.write(batch);
    if (stopped) throw stopped.error;
    batch = [];
    opts.onProgress?.(writer.summary.lines, opts.total ?? 0);
  };
  for (const record of records) {
    batch.push({ record });
    if (batch.length >= BATCH) flush();
  }
  if (batch.length) flush();
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
  db: Db,
  file: string,
  checked: CheckedFile,
  opts: { importedBy: string; now: () => Date; onProgress?: Progress },
): Promise<ImportResult> {
  const writer = createBatchWriter(db, opts);
  const result = (stopped?: ImportStop): ImportResult => (stopped ? { summary: writer.summary, stopped } : { summary: writer.summary });
  let batch: ImportItem[] = [];
  for await (const item of checkedRecords(file, checked)) {
    if ('changedLine' in item) {
      const line = item.changedLine;
      const message = `line ${line} is not the line that was checked: was the file changed during the import?`;
      return result(writer.write(batch) ?? { line, message, error: new Error(message), firstLineNotImported: line });
    }
    batch.push(item);
    if (batch.length >= BATCH) {
      const stopped = writer.write(batch);
      if (stopped) return result(stopped);
      batch = [];
      opts.onProgress?.(writer.summary.lines, checked.valid);
    }
  }
  const stopped = writer.write(batch);
  if (!stopped) opts.onProgress?.(checked.valid, checked.valid);
  return result(stopped);
}

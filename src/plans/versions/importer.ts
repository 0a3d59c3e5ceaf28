import fs from 'node:fs';
import readline from 'node:readline';
import { schema, type Db } from '../../../db/index.js';
import { importRecordSchema, type ImportRecord, type PlanRecord } from '../core/content.js';
import { listOrganisations } from '../organisations.js';
import {
  findPlanByRef,
  findVersionById,
  logWorkflow,
  newPlanId,
  nextVersionNumber,
  publishVersion,
  recordHash,
  versionColumnsOf,
  type Tx,
} from './store.js';

/**
 * Bulk import of published plans (CONTRACTS §3). Pass one validates every line and reports every
 * problem; pass two imports, so a bad line means nothing is imported (unless skipInvalid). Each record
 * is idempotent on (owningOrg, externalRef): unchanged content is a no-op, changed content publishes a
 * new version and supersedes the old.
 */

export type ImportIssue = { line: number; field: string; message: string };
export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'skipped-withdrawn';
export type ImportSummary = Record<ImportOutcome, number> & { invalid: number; lines: number };
export type Progress = (done: number, total: number) => void;

type LineResult = { ok: true; record: ImportRecord } | { ok: false; issues: ImportIssue[] };

async function* readLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() !== '') yield { line, text };
  }
}

function createLineValidator(db: Db) {
  const orgs = new Set(listOrganisations(db).map((o) => o.slug));
  const seen = new Map<string, number>();
  return (line: number, text: string): LineResult => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return { ok: false, issues: [{ line, field: '(line)', message: `not valid JSON: ${(e as Error).message}` }] };
    }
    const parsed = importRecordSchema.safeParse(json);
    if (!parsed.success) {
      return {
        ok: false,
        issues: parsed.error.issues.map((i) => ({
          line,
          field: i.path.map(String).join('.') || '(record)',
          message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
        })),
      };
    }
    const record = parsed.data;
    const issues: ImportIssue[] = [];
    if (!orgs.has(record.owningOrg)) {
      issues.push({ line, field: 'owningOrg', message: `no organisation "${record.owningOrg}" (add it with: org add)` });
    }
    const key = `${record.owningOrg}\u0000${record.externalRef}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ line, field: 'externalRef', message: `"${record.externalRef}" already appears on line ${first}` });
    } else seen.set(key, line);
    return issues.length ? { ok: false, issues } : { ok: true, record };
  };
}

export async function validateImportFile(
  db: Db,
  file: string,
  onProgress?: Progress,
): Promise<{ lines: number; valid: number; issues: ImportIssue[]; invalidLines: Set<number> }> {
  const validate = createLineValidator(db);
  const issues: ImportIssue[] = [];
  const invalidLines = new Set<number>();
  let lines = 0;
  let valid = 0;
  for await (const { line, text } of readLines(file)) {
    lines++;
    const r = validate(line, text);
    if (r.ok) valid++;
    else {
      invalidLines.add(line);
      issues.push(...r.issues);
    }
    if (onProgress && lines % 500 === 0) onProgress(lines, 0);
  }
  return { lines, valid, issues, invalidLines };
}

export function emptySummary(): ImportSummary {
  return { created: 0, updated: 0, unchanged: 0, 'skipped-withdrawn': 0, invalid: 0, lines: 0 };
}

/** Imports one valid record inside the caller's transaction. */
export function importRecord(tx: Tx, record: ImportRecord, importedBy: string, now: Date): ImportOutcome {
  const { externalRef, owningOrg, status: _status, ...rest } = record;
  const planRecord: PlanRecord = rest;
  const hash = recordHash(planRecord);
  const at = now.toISOString();
  let plan = findPlanByRef(tx, owningOrg, externalRef);
  const current = plan?.currentVersionId != null ? findVersionById(tx, plan.currentVersionId) : undefined;
  if (current?.contentHash === hash) return 'unchanged';
  // Withdrawal was someone's decision about this person; a migration file must not quietly undo it.
  if (plan?.withdrawnAt) return 'skipped-withdrawn';
  if (!plan) {
    plan = { id: newPlanId(), owningOrg, externalRef, currentVersionId: null, withdrawnAt: null, createdAt: at, updatedAt: at };
    tx.insert(schema.plans).values(plan).run();
  }
  const approvedBy = record.governance.approvedBy ?? 'not recorded in source system';
  const version = tx
    .insert(schema.planVersions)
    .values({
      planId: plan.id,
      version: nextVersionNumber(tx, plan.id),
      status: 'in-review',
      ...versionColumnsOf(planRecord),
      changeSummary: current ? 'Updated by import' : 'Imported',
      authors: [importedBy],
      baseVersionId: current?.id ?? null,
      createdBy: importedBy,
      createdAt: at,
      updatedAt: at,
      submittedBy: importedBy,
      submittedAt: at,
    })
    .returning()
    .get();
  if (!publishVersion(tx, { plan, version, approvedBy, expectedCurrent: current?.id ?? null, now })) {
    throw new Error(`plan ${plan.id} changed during import`);
  }
  logWorkflow(tx, { planId: plan.id, versionId: version.id, action: 'imported', actor: importedBy, actorOrg: owningOrg, at });
  return current ? 'updated' : 'created';
}

const BATCH = 500;

/**
 * Imports records in transactions of BATCH: each record is all-or-nothing, and short transactions keep
 * the running service's access log from waiting on a long write lock. Re-running finishes an
 * interrupted import, because records already in are no-ops.
 */
export function importRecords(
  db: Db,
  records: Iterable<ImportRecord>,
  opts: { importedBy: string; now: () => Date; onProgress?: Progress; total?: number },
): ImportSummary {
  const summary = emptySummary();
  let batch: ImportRecord[] = [];
  const flush = () => {
    db.transaction(
      (tx) => {
        for (const r of batch) summary[importRecord(tx, r, opts.importedBy, opts.now())]++;
      },
      { behavior: 'immediate' },
    );
    summary.lines += batch.length;
    batch = [];
    opts.onProgress?.(summary.lines, opts.total ?? 0);
  };
  for (const r of records) {
    batch.push(r);
    if (batch.length >= BATCH) flush();
  }
  if (batch.length) flush();
  return summary;
}

export async function importFile(
  db: Db,
  file: string,
  opts: { importedBy: string; now: () => Date; skip: Set<number>; total: number; onProgress?: Progress },
): Promise<ImportSummary> {
  const records: ImportRecord[] = [];
  const summary = emptySummary();
  const addAll = (s: ImportSummary) => {
    for (const k of Object.keys(s) as (keyof ImportSummary)[]) summary[k] += s[k];
  };
  let done = 0;
  for await (const { line, text } of readLines(file)) {
    if (opts.skip.has(line)) continue;
    records.push(importRecordSchema.parse(JSON.parse(text)));
    if (records.length >= BATCH) {
      addAll(importRecords(db, records.splice(0), { importedBy: opts.importedBy, now: opts.now }));
      done += BATCH;
      opts.onProgress?.(done, opts.total);
    }
  }
  addAll(importRecords(db, records, { importedBy: opts.importedBy, now: opts.now }));
  opts.onProgress?.(opts.total, opts.total);
  return summary;
}

import fs from 'node:fs';
import readline from 'node:readline';
import type { Db } from '../../../db/index.js';
import { importRecordSchema, type ImportRecord } from '../core/content.js';
import { listOrganisations } from '../organisations.js';
import { illFormedIssue } from '../core/text.js';

/**
 * The import's first pass (CONTRACTS §3): every line of the file is checked before anything is written,
 * and every problem is reported by line and field, so a bad line means nothing is imported.
 */

export type ImportIssue = { line: number; field: string; message: string };
export type Progress = (done: number, total: number) => void;
export type ImportItem = { line?: number; record: ImportRecord };

export type CheckedFile = {
  lines: number;
  valid: number;
  issues: ImportIssue[];
  invalidLines: Set<number>;
  /**
   * The parsed records of the valid lines, so the import does not parse and validate every line twice
   * (zod is a third of an import's time). Only the first `keep` are held, to bound memory on a very large
   * file (10,000 plans hold about 35 MB); the import reads the lines after `keptThrough` again.
   */
  kept: ImportItem[];
  keptThrough: number;
  lastLine: number;
  /** The owning organisations of the valid lines: whose auditors see the import's governance event. */
  owners: Set<string>;
};

type LineResult = { ok: true; record: ImportRecord } | { ok: false; issues: ImportIssue[] };

export async function* readLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() !== '') yield { line, text };
  }
}

/** One line's JSON against the record schema, with each issue named by its field. */
export function parseLine(line: number, text: string): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ line, field: '(line)', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  // Any field, known to the schema or not: a JSON escape can put a lone surrogate anywhere.
  const illFormed = illFormedIssue(json);
  if (illFormed)
    return { ok: false, issues: [{ line, field: illFormed.path.map(String).join('.') || '(record)', message: illFormed.message }] };
  const parsed = importRecordSchema.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({
      line,
      field: i.path.map(String).join('.') || '(record)',
      message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
    })),
  };
}

async function createLineValidator(db: Db) {
  const orgs = new Set((await listOrganisations(db)).map((o) => o.slug));
  const seen = new Map<string, number>();
  return (line: number, text: string): LineResult => {
    const parsed = parseLine(line, text);
    if (!parsed.ok) return parsed;
    const record = parsed.record;
    const issues: ImportIssue[] = [];
    if (!orgs.has(record.owningOrg)) {
      issues.push({ line, field: 'owningOrg', message: `no organisation "${record.owningOrg}" (add it with: org add)` });
    }
    const key = `${record.owningOrg}\u0000${record.externalRef}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ line, field: 'externalRef', message: `"${record.externalRef}" already appears on line ${first}` });
    } else seen.set(key, line);
    return issues.length ? { ok: false, issues } : parsed;
  };
}

export const KEEP_PARSED = 20_000;

export async function validateImportFile(db: Db, file: string, onProgress?: Progress, opts: { keep?: number } = {}): Promise<CheckedFile> {
  const keep = opts.keep ?? KEEP_PARSED;
  const validate = await createLineValidator(db);
  const checked: CheckedFile = {
    lines: 0,
    valid: 0,
    issues: [],
    invalidLines: new Set(),
    kept: [],
    keptThrough: 0,
    lastLine: 0,
    owners: new Set(),
  };
  let keeping = true;
  for await (const { line, text } of readLines(file)) {
    checked.lines++;
    checked.lastLine = line;
    const r = validate(line, text);
    if (r.ok) {
      checked.valid++;
      checked.owners.add(r.record.owningOrg);
      if (keeping && checked.kept.length < keep) checked.kept.push({ line, record: r.record });
      else keeping = false;
    } else {
      checked.invalidLines.add(line);
      checked.issues.push(...r.issues);
    }
    if (keeping) checked.keptThrough = line;
    if (onProgress && checked.lines % 500 === 0) onProgress(checked.lines, 0);
  }
  return checked;
}

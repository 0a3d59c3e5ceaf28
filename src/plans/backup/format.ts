// The backup file: gzip'd NDJSON, the same for both stores, written and read one line at a time so that
// neither side ever holds a register or an access log in memory.
//
//   line 1      {"format":"response-plan-lookup-backup","version":1,"dialect":…,"createdAt":…,
//                "migrations":{…},"tables":[{"name":…,"columns":[{"name","kind","notNull"}…]}…],"leftOut":{…}}
//   then        {"t":"<table>","r":{"<column>":value,…}}   one per row, table after table in `tables` order
//   last line   {"trailer":{"counts":{…},"chainHead":{"seq","hash"}},"sha256":"<hex>"}
//
// Column names are the SQL schema's; text is kept as stored (the access log's hashes cover those exact
// strings); JSON columns are their JSON value; booleans are true/false. The sha256 is over every byte of
// the uncompressed lines before the trailer, so a cut or altered file is refused even where gzip's own
// check would not say (a file cut at a member boundary, or recompressed after an edit).
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import { syncDir } from '../core/durable-files.js';

export const BACKUP_FORMAT = 'response-plan-lookup-backup';
export const BACKUP_VERSION = 1;

export type ColumnKind = 'text' | 'integer' | 'json' | 'boolean';
export type ColumnShape = { name: string; kind: ColumnKind; notNull: boolean };
export type TableShape = { name: string; columns: ColumnShape[] };
/** One row as the file holds it: SQL column names; JSON columns parsed; booleans as booleans. */
export type Row = Record<string, unknown>;

export type TableSpec = {
  name: string;
  /** The order rows are written in: the key, so the file is the same for the same data. */
  orderBy: string[];
  /** The migration already put a row here (the key given): restore overwrites it instead of inserting. */
  seeded?: boolean;
};

/**
 * What a backup holds, in the order restore inserts them: every table a row refers to comes before it.
 * Everything of the register, the plans and the access log, exactly as stored.
 */
export const BACKED_UP: readonly TableSpec[] = [
  { name: 'organisations', orderBy: ['slug'] },
  { name: 'organisation_oidc', orderBy: ['org_slug'] },
  { name: 'data_sharing_agreements', orderBy: ['id'] },
  { name: 'dsa_parties', orderBy: ['dsa_id', 'org_slug'] },
  { name: 'dsa_proposals', orderBy: ['id'] },
  { name: 'dsa_decisions', orderBy: ['proposal_id', 'org_slug'] },
  { name: 'plans', orderBy: ['id'] },
  { name: 'plan_versions', orderBy: ['id'] },
  { name: 'workflow_events', orderBy: ['id'] },
  { name: 'plan_cards', orderBy: ['id'] },
  { name: 'person_copies', orderBy: ['id'] },
  { name: 'access_events', orderBy: ['seq'] },
  { name: 'access_event_plans', orderBy: ['seq', 'plan_id'] },
  { name: 'access_index_state', orderBy: ['id'], seeded: true },
  { name: 'audit_checkpoints', orderBy: ['id'] },
];

/**
 * Tables a backup leaves out on purpose, and why. test/plans/backup checks that every table of the schema
 * is either backed up or named here, so a table added later is never dropped from backups in silence.
 */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  search_outbox: 'derived: the search index is rebuilt from the plans at start-up',
  search_fallback: 'derived: the search index is rebuilt from the plans at start-up',
  search_cursors: 'derived: an index without its cursor is rebuilt from the plans at start-up',
  search_log_state: 'derived: the search index is rebuilt from the plans at start-up',
  search_parked: 'derived: the search index is rebuilt from the plans at start-up (parking its refusals anew)',
  web_sessions: 'sessions: everyone signs in again',
  pending_sign_ins: 'sign-ins under way: ten minutes at most',
  limit_hits: 'rate-limit counters: an hour at most',
  limit_refs: 'rate-limit counters: an hour at most',
  refusal_windows: 'refusal summaries under way: a minute at most',
  handoffs: 'a card scan waiting for its plan page: two minutes at most',
};

/** How far the source store's own migrations went: for the record, and to refuse a newer release's file. */
export type MigrationLevel = { applied: number; latestAt: number | null };

export type Header = {
  format: typeof BACKUP_FORMAT;
  version: number;
  dialect: 'sqlite' | 'pg';
  createdAt: string;
  migrations: MigrationLevel;
  tables: TableShape[];
  leftOut: Record<string, string>;
};
export type ChainHead = { seq: number; hash: string };
export type TrailerBody = { counts: Record<string, number>; chainHead: ChainHead };

/** The file cannot be used: what is wrong, and where (a line number, or the file as a whole). */
export class BackupFileError extends Error {}

/** A problem at one line of the file. */
export const lineError = (no: number, what: string) => new BackupFileError(`line ${no}: ${what}`);

/**
 * Writes a backup to a temporary file beside `file` (0600: it holds personal data) and renames it into
 * place only once the trailer is written and synced, so a backup that fails midway never leaves a file that
 * looks like one.
 */
export class BackupFileWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly gzip = zlib.createGzip({ level: 1 });
  private readonly out: fs.WriteStream;
  private pending: string[] = [];
  private pendingLength = 0;
  private rawBytes = 0;

  private constructor(
    readonly file: string,
    private readonly tmp: string,
  ) {
    this.out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    this.gzip.pipe(this.out);
  }

  static async create(file: string): Promise<BackupFileWriter> {
    if (fs.existsSync(file)) throw new BackupFileError(`${file} exists already: give a new name (a backup never overwrites one)`);
    const w = new BackupFileWriter(file, path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`));
    try {
      await once(w.out, 'open');
    } catch (e) {
      throw new BackupFileError(`cannot write beside ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return w;
  }

  async line(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 256 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.hash.update(buf);
    this.rawBytes += buf.length;
    if (!this.gzip.write(buf)) await once(this.gzip, 'drain');
  }

  /** Writes the trailer, syncs the file and moves it into place. */
  async finish(trailer: TrailerBody): Promise<{ bytes: number; rawBytes: number }> {
    await this.flush();
    const sha256 = this.hash.digest('hex');
    const last = Buffer.from(`${JSON.stringify({ trailer, sha256 })}\n`, 'utf8');
    this.rawBytes += last.length;
    this.gzip.end(last);
    await finished(this.out);
    const fd = fs.openSync(this.tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      // A file of that name made meanwhile is not overwritten either.
      fs.linkSync(this.tmp, this.file);
    } catch (e) {
      throw new BackupFileError(`cannot name the backup ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    fs.unlinkSync(this.tmp);
    syncDir(path.dirname(this.file));
    return { bytes: fs.statSync(this.file).size, rawBytes: this.rawBytes };
  }

  /** Removes the unfinished file. */
  async abort(): Promise<void> {
    this.gzip.destroy();
    this.out.destroy();
    fs.rmSync(this.tmp, { force: true });
  }
}

const MAX_LINE = 64 * 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type FileLine = {
  no: number;
  text: string;
  /** SHA-256 (hex) of every byte before this line. */
  sha256Before(): string;
};

/**
 * The lines of a backup file, one at a time, with the running SHA-256 of what came before each. Ends with
 * a BackupFileError when the compressed stream is cut or damaged, or the last line is incomplete.
 */
export async function* readBackupLines(file: string): AsyncGenerator<FileLine> {
  let input: fs.ReadStream;
  try {
    input = fs.createReadStream(file);
    await once(input, 'open');
  } catch (e) {
    throw new BackupFileError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const gunzip = zlib.createGunzip();
  input.pipe(gunzip);
  input.on('error', (e) => gunzip.destroy(e));
  const hash = createHash('sha256');
  let no = 0;
  let carry: Buffer[] = [];
  let carryLength = 0;
  const emit = (bytes: Buffer): FileLine => {
    no += 1;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw lineError(no, 'not UTF-8: the file is damaged');
    }
    return { no, text, sha256Before: () => hash.copy().digest('hex') };
  };
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        let bytes = chunk.subarray(start, nl);
        if (carry.length) {
          bytes = Buffer.concat([...carry, bytes]);
          carry = [];
          carryLength = 0;
        }
        yield emit(bytes);
        hash.update(bytes);
        hash.update('\n');
        start = nl + 1;
      }
      if (start < chunk.length) {
        carry.push(chunk.subarray(start));
        carryLength += chunk.length - start;
        if (carryLength > MAX_LINE) throw lineError(no + 1, 'longer than 64 MiB: not a backup line');
      }
    }
  } catch (e) {
    if (e instanceof BackupFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (no === 0 && code === 'Z_DATA_ERROR') throw new BackupFileError(`${file} is not gzip-compressed: not a backup file`);
    const why = code === 'Z_BUF_ERROR' ? 'the compressed stream ends early' : (e as Error).message;
    throw new BackupFileError(`file truncated or damaged after line ${no}: ${why}`);
  } finally {
    input.destroy();
  }
  if (carryLength) throw lineError(no + 1, 'incomplete (no end of line): file truncated');
}

/** A parsed line of the body: a row of a table, or the trailer. */
export type BodyLine = { kind: 'row'; table: string; row: Row } | { kind: 'trailer'; trailer: TrailerBody; sha256: string };

export function parseHeader(line: FileLine | undefined): Header {
  if (!line) throw new BackupFileError('the file is empty: not a backup');
  const v = parseJson(line);
  if (!isObject(v) || v.format !== BACKUP_FORMAT)
    throw lineError(line.no, `not a backup of this service (no "format": "${BACKUP_FORMAT}")`);
  if (v.version !== BACKUP_VERSION) {
    throw lineError(line.no, `backup format version ${String(v.version)}; this release reads version ${BACKUP_VERSION}`);
  }
  if (v.dialect !== 'sqlite' && v.dialect !== 'pg') throw lineError(line.no, 'the header names no source store ("dialect")');
  if (typeof v.createdAt !== 'string') throw lineError(line.no, 'the header has no "createdAt"');
  const m = v.migrations;
  if (!isObject(m) || !Number.isSafeInteger(m.applied) || !(m.latestAt === null || Number.isSafeInteger(m.latestAt))) {
    throw lineError(line.no, 'the header has no migration level');
  }
  if (!Array.isArray(v.tables) || !v.tables.every(isTableShape))
    throw lineError(line.no, 'the header does not list the tables and their columns');
  return v as unknown as Header;
}

export function parseBodyLine(line: FileLine): BodyLine {
  const v = parseJson(line);
  if (!isObject(v)) throw lineError(line.no, 'not a row: expected a JSON object');
  if ('trailer' in v) {
    const t = v.trailer;
    if (!isObject(t) || !isObject(t.counts) || !isObject(t.chainHead) || typeof v.sha256 !== 'string') {
      throw lineError(line.no, 'the trailer is incomplete');
    }
    return { kind: 'trailer', trailer: t as unknown as TrailerBody, sha256: v.sha256 };
  }
  if (typeof v.t !== 'string' || !isObject(v.r)) throw lineError(line.no, 'not a row: expected {"t": table, "r": {column: value}}');
  return { kind: 'row', table: v.t, row: v.r };
}

/** The row has exactly the table's columns, each value of its column's kind. */
export function checkRow(shape: TableShape, row: Row, no: number): void {
  const keys = Object.keys(row);
  if (keys.length !== shape.columns.length) {
    const extra = keys.filter((k) => !shape.columns.some((c) => c.name === k));
    const missing = shape.columns.filter((c) => !(c.name in row)).map((c) => c.name);
    throw lineError(no, `${shape.name}: ${extra.length ? `unknown column ${extra.join(', ')}` : `missing column ${missing.join(', ')}`}`);
  }
  for (const c of shape.columns) {
    if (!(c.name in row)) throw lineError(no, `${shape.name}: missing column ${c.name}`);
    const v = row[c.name];
    if (v === null) {
      if (c.notNull) throw lineError(no, `${shape.name}.${c.name}: null in a column that holds a value in every row`);
      continue;
    }
    const ok =
      c.kind === 'text'
        ? typeof v === 'string'
        : c.kind === 'integer'
          ? Number.isSafeInteger(v)
          : c.kind === 'boolean'
            ? typeof v === 'boolean'
            : typeof v === 'object' || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    if (!ok) {
      // The value's type only, never the value: a row may hold personal data.
      const was = Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
      throw lineError(no, `${shape.name}.${c.name}: ${was} where ${c.kind === 'integer' ? 'an integer' : c.kind} belongs`);
    }
  }
}

/** Why two table lists differ (the file's and this release's), or undefined when they match. */
export function shapeDifference(file: TableShape[], here: TableShape[]): string | undefined {
  const names = (ts: TableShape[]) => ts.map((t) => t.name).join(', ');
  if (names(file) !== names(here)) return `it holds the tables ${names(file)}; this release backs up ${names(here)}`;
  for (const [i, t] of file.entries()) {
    const h = here[i]!;
    const cols = (s: TableShape) => s.columns.map((c) => `${c.name} ${c.kind}${c.notNull ? ' not null' : ''}`).join(', ');
    if (cols(t) !== cols(h)) return `table ${t.name} has columns (${cols(t)}); here (${cols(h)})`;
  }
  return undefined;
}

function parseJson(line: FileLine): unknown {
  try {
    return JSON.parse(line.text);
  } catch (e) {
    throw lineError(line.no, `not JSON (${(e as Error).message}): the file is damaged`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const KINDS = new Set(['text', 'integer', 'json', 'boolean']);
const isTableShape = (t: unknown): t is TableShape =>
  isObject(t) &&
  typeof t.name === 'string' &&
  Array.isArray(t.columns) &&
  t.columns.every((c) => isObject(c) && typeof c.name === 'string' && KINDS.has(c.kind as string) && typeof c.notNull === 'boolean');

// Backup and restore (issue 22): one portable, verified file for either store, written from one snapshot
// while the service runs, restored whole into an empty store of either kind or not at all.
import type { Store } from '../../../db/runtime.js';
import { loadInOneTransaction, tableShapes, withSnapshot, type Loader } from './backup-store.js';
import { ChainWalk, type CheckpointKeys, type CheckpointTally } from './chain-check.js';
import {
  BACKED_UP,
  BACKUP_FORMAT,
  BACKUP_VERSION,
  BackupFileError,
  BackupFileWriter,
  checkRow,
  LEFT_OUT,
  lineError,
  parseBodyLine,
  parseHeader,
  readBackupLines,
  shapeDifference,
  type ChainHead,
  type FileLine,
  type Header,
  type Row,
  type TableShape,
  type TrailerBody,
} from './format.js';

export { BackupFileError } from './format.js';

export type BackupSummary = {
  file: string;
  dialect: Store['kind'];
  /** Bytes of the file (compressed), and of its lines before compression. */
  bytes: number;
  rawBytes: number;
  counts: Record<string, number>;
  chainHead: ChainHead;
  /** The first break in the access log's chain as stored, if any: the backup copies it as it is, and a
   *  restore of it will be refused. */
  chainProblem?: string;
  ms: number;
};

/**
 * Writes a backup of the store to `file` (which must not exist) from one snapshot. `onProgress` is awaited
 * at the start of each table and after each batch of rows.
 */
export async function writeBackup(
  db: Store,
  file: string,
  opts: { now: () => Date; onProgress?: (table: string, rows: number) => void | Promise<void> },
): Promise<BackupSummary> {
  const started = performance.now();
  const shapes = tableShapes(db, BACKED_UP);
  const out = await BackupFileWriter.create(file);
  try {
    const walk = new ChainWalk();
    let chainProblem: string | undefined;
    const counts: Record<string, number> = {};
    await withSnapshot(db, async (snap) => {
      const header: Header = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        dialect: db.kind,
        createdAt: opts.now().toISOString(),
        migrations: snap.migrations,
        tables: shapes,
        leftOut: { ...LEFT_OUT },
      };
      await out.line(header);
      for (const [i, shape] of shapes.entries()) {
        const t = shape.name;
        counts[t] = 0;
        await opts.onProgress?.(t, 0);
        for await (const batch of snap.rows(shape, BACKED_UP[i]!.orderBy)) {
          for (const r of batch) {
            if (t === 'access_events') chainProblem ??= walk.event(r);
            await out.line({ t, r });
          }
          counts[t] += batch.length;
          await opts.onProgress?.(t, counts[t]!);
        }
      }
    });
    const chainHead = walk.head();
    const trailer: TrailerBody = { counts, chainHead };
    const { bytes, rawBytes } = await out.finish(trailer);
    return { file, dialect: db.kind, bytes, rawBytes, counts, chainHead, chainProblem, ms: performance.now() - started };
  } catch (e) {
    await out.abort();
    throw e;
  }
}

export type RestoreSummary = {
  /** The store the backup was taken from, and when. */
  from: { dialect: Store['kind']; createdAt: string };
  counts: Record<string, number>;
  chainHead: ChainHead;
  checkpoints: CheckpointTally;
  /** Events after the newest checkpoint: covered by the chain alone. */
  uncheckpointed: number;
  ms: number;
};

/** A store that already holds data: restore goes only into an empty one. */
export class StoreNotEmpty extends Error {}

/** Rows go to the store in batches; a refused row is reported by the lines of its batch. */
const INSERT_BATCH = 1000;

/**
 * Loads a backup into an empty store in one transaction, checking every line, the access log's chain as
 * it streams past, each checkpoint's signature (with `keys`) and that its head is in the chain, the counts
 * and the file's checksum; anything wrong rolls it all back, leaving the store empty, with the reason.
 */
export async function restoreBackup(
  db: Store,
  file: string,
  opts: { keys: CheckpointKeys; onProgress?: (line: number) => void },
): Promise<RestoreSummary> {
  const started = performance.now();
  const here = tableShapes(db, BACKED_UP);
  const summary = await loadInOneTransaction(db, here, async (load) => {
    const occupied = await load.occupied();
    if (occupied.length) {
      const what = occupied.map((o) => `${o.table}: ${o.rows} row${o.rows === 1 ? '' : 's'}`).join(', ');
      throw new StoreNotEmpty(`the store is not empty (${what}): a backup is restored only into an empty store; nothing was changed`);
    }
    const lines = readBackupLines(file);
    try {
      return await loadLines(lines, load, here, opts);
    } finally {
      // Closes the file when the load stops before its end.
      await lines.return(undefined);
    }
  });
  return { ...summary, ms: performance.now() - started };
}

async function loadLines(
  lines: AsyncGenerator<FileLine>,
  load: Loader,
  here: TableShape[],
  opts: { keys: CheckpointKeys; onProgress?: (line: number) => void },
): Promise<Omit<RestoreSummary, 'ms'>> {
  const first = await lines.next();
  const header = parseHeader(first.done ? undefined : first.value);
  const differs = shapeDifference(header.tables, here);
  if (differs) throw lineError(1, `this backup's tables differ from this release's: ${differs}`);

  const walk = new ChainWalk(opts.keys);
  const counts: Record<string, number> = Object.fromEntries(here.map((t) => [t.name, 0]));
  let at = 0;
  let batch: Row[] = [];
  let batchFrom = 0;
  let lastLine = 1;
  let trailer: TrailerBody | undefined;
  const flush = async () => {
    if (!batch.length) return;
    try {
      await load.insert(here[at]!, BACKED_UP[at]!, batch);
    } catch (e) {
      const where = batchFrom === lastLine ? `line ${lastLine}` : `lines ${batchFrom}–${lastLine}`;
      throw new BackupFileError(`${where} (${here[at]!.name}): the store refused a row: ${(e as Error).message}`);
    }
    batch = [];
  };

  for await (const line of lines) {
    if (line.no % 10_000 === 0) opts.onProgress?.(line.no);
    if (trailer) throw lineError(line.no, 'more after the trailer: not one backup file');
    const b = parseBodyLine(line);
    if (b.kind === 'trailer') {
      await flush();
      if (b.sha256 !== line.sha256Before()) {
        throw lineError(line.no, 'the checksum in the trailer does not match the file: it was altered after it was written');
      }
      for (const t of here) {
        const said = b.trailer.counts[t.name];
        if (said !== counts[t.name]) {
          throw lineError(line.no, `the trailer counts ${String(said)} rows of ${t.name}, the file holds ${counts[t.name]}`);
        }
      }
      const head = walk.head();
      if (b.trailer.chainHead.seq !== head.seq || b.trailer.chainHead.hash !== head.hash) {
        throw lineError(line.no, `the trailer names chain head ${b.trailer.chainHead.seq}, the file's access log ends at ${head.seq}`);
      }
      trailer = b.trailer;
      continue;
    }
    if (b.table !== here[at]!.name) {
      const next = here.findIndex((t, i) => i > at && t.name === b.table);
      if (next < 0) {
        throw lineError(
          line.no,
          here.some((t) => t.name === b.table) ? `a row of ${b.table} out of its place` : `unknown table ${b.table}`,
        );
      }
      await flush();
      at = next;
    }
    const shape = here[at]!;
    checkRow(shape, b.row, line.no);
    if (shape.name === 'access_events') {
      const problem = walk.event(b.row);
      if (problem) throw lineError(line.no, problem);
    } else if (shape.name === 'audit_checkpoints') {
      const problem = walk.checkpoint(b.row);
      if (problem) throw lineError(line.no, problem);
    }
    counts[shape.name]! += 1;
    if (!batch.length) batchFrom = line.no;
    lastLine = line.no;
    batch.push(b.row);
    if (batch.length >= INSERT_BATCH) await flush();
  }
  if (!trailer) throw new BackupFileError(`trailer missing: file truncated after line ${lastLine}`);

  const off = await load.checkpointsOffChain(5);
  if (off.length) {
    const c = off[0]!;
    throw new BackupFileError(
      `checkpoint #${c.id} signed a chain head at event ${c.headSeq} that this log does not have: the events up to there were rewritten` +
        (off.length > 1 ? ` (and ${off.length - 1}${off.length === 5 ? '+' : ''} more checkpoints)` : ''),
    );
  }
  return {
    from: { dialect: header.dialect, createdAt: header.createdAt },
    counts,
    chainHead: walk.head(),
    checkpoints: walk.checkpoints(),
    uncheckpointed: walk.uncheckpointed(),
  };
}

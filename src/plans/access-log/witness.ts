import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SignedCheckpoint } from './chain.js';
import { witnessedForm, witnessFileName, witnessFolder } from './checkpoints.js';

export type WitnessState = {
  /** False from a failed write until one succeeds again. */
  ok: boolean;
  /** The failure's error code (ENOENT, EACCES, EROFS…): never a path or anything from the log. */
  reason?: string;
  /** Failed writes since start. */
  failures: number;
  /** Head of the newest checkpoint written to the witness (0: none yet). */
  witnessedSeq: number;
  /** Head of the newest checkpoint handed to the witness. */
  offeredSeq: number;
  /** When the last write succeeded. */
  lastWrittenAt?: Date;
};

/**
 * Copies the access log's checkpoints to AUDIT_WITNESS_DIR, off the request path: the log hands each new
 * checkpoint over after its commit (`offer`) and carries on; writes happen one at a time on the side.
 * Only the newest matters (each checkpoint covers the whole chain up to its head), so checkpoints arriving
 * while a write is under way replace each other and the next write takes the newest: under load the
 * witness lags the log by the write in progress, plus at most `minIntervalMs`, which bounds how many files
 * a busy service leaves there (one a second by default, against hundreds of commits). A failed write is
 * never dropped: the state says so (for /healthz and metrics) and the newest checkpoint is retried every
 * `retryMs` until a write succeeds.
 */
export type AuditWitness = {
  offer(checkpoint: SignedCheckpoint): void;
  /** Writes the newest checkpoint now (one attempt), e.g. before shutdown. */
  flush(): Promise<void>;
  /** `flush`, then no more retries. */
  close(): Promise<void>;
  state(): WitnessState;
};

export type AuditWitnessOptions = {
  minIntervalMs?: number;
  retryMs?: number;
  /** Called when the witness starts failing and when it recovers (not on every retry). */
  onChange?: (state: WitnessState) => void;
};

/**
 * Writes into `dir`, which must already exist: a witness mount that is missing must show as a failure,
 * not be papered over by a folder made on the local disk.
 */
export function createAuditWitness(dir: string, opts: AuditWitnessOptions = {}): AuditWitness {
  const minIntervalMs = opts.minIntervalMs ?? 1000;
  const retryMs = opts.retryMs ?? 5000;
  const state: WitnessState = { ok: true, failures: 0, witnessedSeq: 0, offeredSeq: 0 };
  let pending: SignedCheckpoint | undefined;
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastStarted = -Infinity;
  let closed = false;

  function schedule() {
    if (closed || writing || timer || !pending) return;
    const wait = lastStarted + (state.ok ? minIntervalMs : retryMs) - performance.now();
    if (wait <= 0) return start();
    timer = setTimeout(() => {
      timer = undefined;
      start();
    }, wait);
    timer.unref();
  }

  function start() {
    if (writing || !pending) return;
    const checkpoint = pending;
    pending = undefined;
    lastStarted = performance.now();
    writing = writeCheckpoint(dir, checkpoint)
      .then(
        () => {
          state.witnessedSeq = Math.max(state.witnessedSeq, checkpoint.headSeq);
          state.lastWrittenAt = new Date();
          if (!state.ok) {
            state.ok = true;
            state.reason = undefined;
            opts.onChange?.({ ...state });
          }
        },
        (e: NodeJS.ErrnoException) => {
          state.failures += 1;
          // Kept for the retry unless a newer one has arrived meanwhile.
          if (!pending) pending = checkpoint;
          const wasOk = state.ok;
          state.ok = false;
          state.reason = e.code ?? 'write-failed';
          if (wasOk) opts.onChange?.({ ...state });
        },
      )
      .finally(() => {
        writing = undefined;
        schedule();
      });
  }

  async function flush() {
    clearTimeout(timer);
    timer = undefined;
    if (writing) await writing;
    if (pending) {
      start();
      await writing;
    }
  }

  return {
    offer(checkpoint) {
      if (checkpoint.headSeq <= state.offeredSeq) return;
      state.offeredSeq = checkpoint.headSeq;
      pending = checkpoint;
      schedule();
    },
    flush,
    async close() {
      await flush();
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
    state: () => ({ ...state }),
  };
}

/**
 * One checkpoint, one new file, complete or absent: written under a temporary name, synced, then renamed
 * into place (atomic on a local disk and NFS), never over an existing file.
 */
async function writeCheckpoint(dir: string, c: SignedCheckpoint) {
  const day = path.join(dir, witnessFolder(c));
  await fs.mkdir(day).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const name = witnessFileName(c);
  const final = path.join(day, name);
  const temp = path.join(day, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await fs.open(temp, 'wx', 0o644);
  try {
    await file.writeFile(`${JSON.stringify(witnessedForm(c))}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    // Already there (a checkpoint of the same head, written before a restart): it says the same.
    if (
      await fs.stat(final).then(
        () => true,
        () => false,
      )
    )
      await fs.unlink(temp);
    else await fs.rename(temp, final);
  } catch (e) {
    await fs.unlink(temp).catch(() => undefined);
    throw e;
  }
}

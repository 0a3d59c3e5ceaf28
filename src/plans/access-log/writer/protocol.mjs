// The messages between the access log (access-log/log.ts, main thread) and its writer thread
// (writer.mjs), defined once. Types only: both sides annotate their messages with these.

/** @typedef {{ seq: number; hash: string }} ChainHead */

/**
 * A checkpoint the writer signed and committed with a batch (chain.ts SignedCheckpoint).
 * @typedef {{ at: string; headSeq: number; headHash: string; keyId: string; signature: string }} Checkpoint
 */

/**
 * To the writer:
 *  - a batch: events already in stored form, as one JSON string (cloning a string across threads is a
 *    copy, not a walk), with their count and the time it was sent (its checkpoint's `at`: the main
 *    thread's clock, which tests set);
 *  - `index`: bring the per-plan lookup up to date and answer `indexed` with the same id;
 *  - `close`: finish and exit.
 * @typedef {{ type?: undefined; id: number; events: string; count: number; at: string }
 *   | { type: 'index'; id: number }
 *   | { type: 'close' }} ToWriter
 */

/**
 * From the writer: per batch whether it committed (each batch has its own savepoint), the new head, the
 * checkpoint signed with it (when the writer has a key and the head moved) and how long the commit took;
 * or that the lookup asked for under `id` is complete (or could not be).
 * @typedef {{ type?: undefined; results: { id: number; ok: boolean; message?: string }[]; head?: ChainHead; checkpoint?: Checkpoint; ms?: number }
 *   | { type: 'indexed'; id: number; ok: boolean }} FromWriter
 */

/**
 * The writer's start-up options (workerData). `signingKey`: the checkpoint key (a KeyObject is cloned to
 * the thread as a key, never exported as text); without it no checkpoints are written.
 * @typedef {{ file: string; indexWhenIdleMs?: number; forceIndexBacklog?: number; signingKey?: { privateKey: import('node:crypto').KeyObject; keyId: string } }} WriterOptions
 */

/**
 * The checkpointer's start-up options (checkpointer.mjs): the SQLite file, and how often it checkpoints.
 * @typedef {{ file: string; everyMs?: number }} CheckpointerOptions
 */

export {};

// The messages between the access log (access-log/log.ts, main thread) and its writer thread
// (writer.mjs), defined once. Types only: both sides annotate their messages with these.

/** @typedef {{ seq: number; hash: string }} ChainHead */

/**
 * To the writer:
 *  - a batch: events already in stored form, as one JSON string (cloning a string across threads is a
 *    copy, not a walk), with their count;
 *  - `index`: bring the per-plan lookup up to date and answer `indexed` with the same id;
 *  - `close`: finish and exit.
 * @typedef {{ type?: undefined; id: number; events: string; count: number }
 *   | { type: 'index'; id: number }
 *   | { type: 'close' }} ToWriter
 */

/**
 * From the writer: per batch whether it committed (each batch has its own savepoint), the new head and
 * how long the commit took; or that the lookup asked for under `id` is complete (or could not be).
 * @typedef {{ type?: undefined; results: { id: number; ok: boolean; message?: string }[]; head?: ChainHead; ms?: number }
 *   | { type: 'indexed'; id: number; ok: boolean }} FromWriter
 */

/** The writer's start-up options (workerData). @typedef {{ file: string; indexWhenIdleMs?: number; forceIndexBacklog?: number }} WriterOptions */

export {};

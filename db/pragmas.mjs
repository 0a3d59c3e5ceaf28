// The connection settings every SQLite connection of the service uses, the main thread's (db/index.ts)
// and the access-log writer thread's alike. Plain JS, so the worker thread loads it without a compiler.

/**
 * WAL for concurrent readers; synchronous=FULL on purpose, because better-sqlite3 builds with WAL at
 * NORMAL, which can lose the last commits on power loss, and the access log must not. Foreign keys are
 * on for every connection (SQLite's default is off); a busy writer is waited for, not failed on.
 * @param {import('better-sqlite3').Database} sqlite
 */
export function applyPragmas(sqlite) {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
}

/**
 * How far a connection lets the WAL grow before it checkpoints inside its own commit, where the service's
 * access log runs its checkpoints in a thread of their own (src/plans/access-log/writer/checkpointer.mjs):
 * a backstop only (about 40 MB of 4 KB pages), should that thread fall behind or stop. SQLite's default,
 * 1,000 pages, put a checkpoint inside a commit every second or two under load.
 */
export const CHECKPOINT_BACKSTOP_PAGES = 10_000;
/** SQLite's own default, for a connection given back its checkpoints. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

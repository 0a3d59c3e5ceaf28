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

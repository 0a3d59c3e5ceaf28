import type { Db } from '../../../db/index.js';
import { BoundedMap } from '../core/bounded-map.js';

/**
 * Memory for the read path's per-request look-ups (plan pointers, organisations, agreement checks), which
 * were most of a plan view's cost. Everything held is dropped as soon as any of those tables changes, from
 * this process or any other (a CLI import, another service on the same file): triggers bump
 * `read_cache_epoch` in the same transaction as the change (migration 0006).
 *
 * Reading the epoch row on every request would cost as much as one of the look-ups it saves, so it is read
 * only when something may have been committed since the last check: `PRAGMA data_version` moves when
 * another connection commits (the access-log writer does, many times a second) and `total_changes()` when
 * this connection writes. Both are cheaper than a table read. Better-sqlite3 is synchronous, so a check
 * and the look-ups after it see one state of the database, as the uncached queries did.
 */
export function createReadCache(db: Db) {
  const sqlite = db.$client;
  const dataVersion = sqlite.prepare<[], number>('PRAGMA data_version').pluck();
  const ownChanges = sqlite.prepare<[], number>('SELECT total_changes()').pluck();
  const epochRow = sqlite.prepare<[], number>('SELECT n FROM read_cache_epoch WHERE id = 1').pluck();
  let seenVersion = -1;
  let seenChanges = -1;
  let epoch = -1;
  let versionReadThisTurn = false;
  const nextTurn = () => {
    versionReadThisTurn = false;
  };
  const maps: Map<unknown, unknown>[] = [];

  return {
    /** A map emptied whenever the epoch moves, holding at most `limit` entries (oldest forgotten first). */
    map<K, V>(limit: number) {
      const m = new BoundedMap<K, V>(limit);
      maps.push(m as Map<unknown, unknown>);
      return {
        get: (k: K) => m.get(k),
        has: (k: K) => m.has(k),
        set(k: K, v: V) {
          m.set(k, v);
          return v;
        },
      };
    },
    /** Call before using the maps, in the same synchronous step as the look-ups it guards. */
    validate() {
      // total_changes() is nearly free (0.07 µs); PRAGMA data_version is not (2.2 µs, the most expensive
      // step of a cached plan view), so it is read once per turn of the event loop: another process's
      // commit is seen from the next turn, this process's own writes at once.
      const changes = ownChanges.get()!;
      let version = seenVersion;
      if (!versionReadThisTurn) {
        version = dataVersion.get()!;
        versionReadThisTurn = true;
        setImmediate(nextTurn);
      }
      if (version === seenVersion && changes === seenChanges) return;
      seenVersion = version;
      seenChanges = changes;
      const n = epochRow.get()!;
      if (n === epoch) return;
      epoch = n;
      for (const m of maps) m.clear();
    },
  };
}
export type ReadCache = ReturnType<typeof createReadCache>;

import type { Store } from '../../../db/runtime.js';
import { BoundedMap } from '../core/bounded-map.js';
import { readCacheProbe } from './store.js';

/**
 * Memory for the read path's per-request look-ups (plan pointers, organisations, agreement checks), which
 * were most of a plan view's cost. Everything held is dropped as soon as any of those tables changes, from
 * this process or any other (a CLI import, another service or node on the same store): triggers bump
 * `read_cache_epoch` in the same transaction as the change (migration 0006).
 *
 * Reading the epoch on every request would cost as much as one of the look-ups it saves, so it is read once
 * per turn of the event loop (a batch of requests arriving together shares the read), and again at once
 * when this process has written since (on SQLite the connection's change counter says so for nothing;
 * PostgreSQL has no such counter, so there the per-turn read is all). A change committed elsewhere is
 * therefore seen from the next turn, as it was when SQLite's `data_version` decided.
 *
 * This is also how several nodes on one PostgreSQL agree (issue 23): a publish, a withdrawal, an agreement
 * ended or an organisation disabled on any node moves the epoch in its own transaction, and every node
 * reads the epoch (one prepared single-row SELECT) at the first request of each turn, so each refuses or
 * serves the new state from its next turn: well within the second asked, with no timer. LISTEN/NOTIFY is
 * not used: it could only say "read sooner", and nothing is read later than the next request already
 * (besides, PgBouncer's transaction mode drops notifications).
 */
export function createReadCache(db: Store) {
  const epochOfTurn = turnReader(db);
  let epoch = -1;
  /** The turn's read this cache last looked at, and what validating against it gave. */
  let asked: Promise<number> | undefined;
  let validated: Promise<void> | undefined;
  /** Bumped whenever the maps are emptied: a load begun before must not refill them with what it read. */
  let generation = 0;
  const maps: Map<unknown, unknown>[] = [];
  const seen = (n: number) => {
    if (n === epoch) return;
    epoch = n;
    generation++;
    for (const m of maps) m.clear();
  };

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
        /** The held value, or `load`'s, kept unless the maps were emptied while it loaded. */
        async getOrLoad(k: K, load: () => Promise<V>): Promise<V> {
          if (m.has(k)) return m.get(k)!;
          const before = generation;
          const v = await load();
          if (before === generation) m.set(k, v);
          return v;
        },
      };
    },
    /** Call before using the maps. */
    validate(): Promise<void> {
      const read = epochOfTurn();
      if (read !== asked) {
        asked = read;
        validated = read.then(seen);
      }
      return validated!;
    },
  };
}

/**
 * The epoch as read this turn, one read per store shared by every cache on it (the plan reader's, the
 * register's behind each bearer token, search's scope): a plan view validates two, and each read is a
 * query. Read again within the turn once this process has written since.
 */
const turnReaders = new WeakMap<Store, () => Promise<number>>();
function turnReader(db: Store): () => Promise<number> {
  let reader = turnReaders.get(db);
  if (reader) return reader;
  const probe = readCacheProbe(db);
  let seenWrites = -1;
  let thisTurn: Promise<number> | undefined;
  let turnEnds = false;
  const endTurn = () => {
    thisTurn = undefined;
    turnEnds = false;
  };
  const ownWritesMoved = () => {
    if (!probe.ownWrites) return false;
    const w = probe.ownWrites();
    if (w === seenWrites) return false;
    seenWrites = w;
    return true;
  };
  reader = () => {
    if (thisTurn && !ownWritesMoved()) return thisTurn;
    if (!thisTurn) ownWritesMoved();
    if (!turnEnds) {
      turnEnds = true;
      setImmediate(endTurn);
    }
    return (thisTurn = probe.epoch());
  };
  turnReaders.set(db, reader);
  return reader;
}
export type ReadCache = ReturnType<typeof createReadCache>;

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
  const probe = readCacheProbe(db);
  let epoch = -1;
  let seenWrites = -1;
  /** This turn's read of the epoch: every validation in the same turn shares it. */
  let thisTurn: Promise<void> | undefined;
  let turnEnds = false;
  const endTurn = () => {
    thisTurn = undefined;
    turnEnds = false;
  };
  const scheduleTurnEnd = () => {
    if (turnEnds) return;
    turnEnds = true;
    setImmediate(endTurn);
  };
  /** Bumped whenever the maps are emptied: a load begun before must not refill them with what it read. */
  let generation = 0;
  const maps: Map<unknown, unknown>[] = [];
  const seen = (n: number) => {
    if (n === epoch) return;
    epoch = n;
    generation++;
    for (const m of maps) m.clear();
  };
  const ownWritesMoved = () => {
    if (!probe.ownWrites) return false;
    const w = probe.ownWrites();
    if (w === seenWrites) return false;
    seenWrites = w;
    return true;
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
      if (thisTurn && !ownWritesMoved()) return thisTurn;
      if (!thisTurn) ownWritesMoved();
      scheduleTurnEnd();
      return (thisTurn = probe.epoch().then(seen));
    },
  };
}
export type ReadCache = ReturnType<typeof createReadCache>;

import { createHash } from 'node:crypto';
import type { Store } from '../../../db/runtime.js';
import type { Clock } from '../../plans/core/clock.js';
import { limitStore, type HitRow } from './limit-store.js';
import { slidingWindow, type SlidingWindow } from './rate-limit.js';

/**
 * Where the guards keep their counts and hand-offs: in this process's memory, or in the database.
 *
 * Several nodes share one database, so on PostgreSQL the counts live there (db/schema/shared.ts): a person
 * limited on one node is limited on all, and N nodes never allow N times the guesses. SQLite is one node by
 * design, so there they stay in memory, exact and free: each would otherwise be a write transaction and an
 * fsync per search or card scan (synchronous=FULL). Both work on either store and judge alike (the tests
 * run the database's on both); `sharedStateFor` picks.
 */
export type SharedStateKind = 'memory' | 'database';
export const sharedStateFor = (db: Store): SharedStateKind => (db.kind === 'pg' ? 'database' : 'memory');

/** A limit on hits within a sliding window. */
export type Window = { limit: number; windowMs: number };
/** Hits counted once under a name and judged against each of its windows (a burst and an hourly limit). */
export type Counter = { name: string; windows: Window[]; maxKeys?: number };

export type Attempt = {
  /** Seconds to wait, when refused. */
  wait?: number;
  /** The count in a counter's first window as judged, before this attempt's own hit (one of its keys only). */
  seen(c: Counter, key: string): number;
};

export interface Counters {
  /**
   * Counts one hit for each of `hits` unless one of them, or of `checks` (judged, not counted), is at a
   * limit: then the seconds until the first limit found (checks first, in order) frees a slot, and nothing
   * is counted.
   */
  attempt(hits: [Counter, string][], checks?: [Counter, string][]): Promise<Attempt>;
  /** Counts a hit; the count in the counter's first window, including it. */
  hit(c: Counter, key: string): Promise<number>;
  /** The count in the counter's first window. */
  count(c: Counter, key: string): Promise<number>;
}

export function memoryCounters(clock: Clock): Counters {
  const windows = new Map<string, SlidingWindow[]>();
  const of = (c: Counter) => {
    let ws = windows.get(c.name);
    if (!ws) windows.set(c.name, (ws = c.windows.map((w) => slidingWindow({ ...w, clock, maxKeys: c.maxKeys }))));
    return ws;
  };
  return {
    async attempt(hits, checks = []) {
      const seen = new Map([...checks, ...hits].map(([c, key]) => [`${c.name}\u0000${key}`, of(c)[0]!.count(key)]));
      const attempt: Attempt = { seen: (c, key) => seen.get(`${c.name}\u0000${key}`) ?? 0 };
      for (const [c, key] of [...checks, ...hits]) {
        for (const w of of(c)) {
          const wait = w.blocked(key);
          if (wait !== undefined) return { ...attempt, wait };
        }
      }
      for (const [c, key] of hits) for (const w of of(c)) w.hit(key);
      return attempt;
    },
    async hit(c, key) {
      const [first, ...rest] = of(c);
      for (const w of rest) w.hit(key);
      return first!.hit(key);
    },
    count: async (c, key) => of(c)[0]!.count(key),
  };
}

/** Rows are kept by a hash of what is limited: never an address, a person's id or a card's secret. */
const rowKey = (c: Counter, key: string) => `${c.name}:${createHash('sha256').update(key).digest('base64url').slice(0, 24)}`;
/** How often each node deletes rows older than every window (any node's delete serves all). */
const PRUNE_EVERY_MS = 60_000;

/** Seconds until the `limit`-th newest hit leaves the window (`rows` newest first, one key, in the window). */
function waitFor(rows: { at: number; n: number }[], w: Window, now: number): number {
  let seen = 0;
  for (const row of rows) {
    seen += row.n;
    if (seen >= w.limit) return Math.max(1, Math.ceil((row.at + w.windowMs - now) / 1000));
  }
  return 1;
}

/**
 * Counts in the database (limit_hits), judged exactly as in memory: the rows are read, judged and the hit
 * counted in one transaction holding the keys' locks (free on SQLite, whose write transactions are serial
 * anyway; advisory locks on PostgreSQL), so hits racing on several nodes are judged one after another and
 * N nodes let through the limit, not N times it. A refusal writes nothing.
 */
export function databaseCounters(db: Store, clock: Clock): Counters {
  const store = limitStore(db);
  let longest = 0;
  let lastPrune = 0;
  function prune(now: number) {
    if (now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    // Best effort: a failed prune leaves old rows for the next one, and windows never count them.
    store.pruneHits(now - longest).catch(() => undefined);
  }
  type Entry = { c: Counter; key: string };
  const entries = (xs: [Counter, string][]): Entry[] => xs.map(([c, key]) => ({ c, key: rowKey(c, key) }));
  const widest = (es: Entry[]) => {
    const w = Math.max(...es.flatMap((e) => e.c.windows.map((x) => x.windowMs)));
    longest = Math.max(longest, w);
    return w;
  };
  const inWindow = (rows: HitRow[], key: string, w: Window, now: number) => rows.filter((r) => r.key === key && r.at > now - w.windowMs);
  const sum = (rows: { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);

  return {
    async attempt(hitsGiven, checksGiven = []) {
      const now = clock().getTime();
      const hits = entries(hitsGiven);
      const all = [...entries(checksGiven), ...hits];
      prune(now);
      const keys = [...new Set(all.map((e) => e.key))];
      const seen = new Map<string, number>();
      const attempt: Attempt = { seen: (c, key) => seen.get(rowKey(c, key)) ?? 0 };
      const wait = await store.judged(keys, [...new Set(hits.map((e) => e.key))], now, now - widest(all), (rows) => {
        for (const e of all) seen.set(e.key, sum(inWindow(rows, e.key, e.c.windows[0]!, now)));
        for (const e of all) {
          for (const w of e.c.windows) {
            const live = inWindow(rows, e.key, w, now);
            if (sum(live) >= w.limit) return waitFor(live, w, now);
          }
        }
        return undefined;
      });
      return wait === undefined ? attempt : { ...attempt, wait };
    },
    async hit(c, key) {
      const now = clock().getTime();
      const es = entries([[c, key]]);
      prune(now);
      await store.add(es[0]!.key, now);
      return sum(inWindow(await store.hits([es[0]!.key], now - widest(es)), es[0]!.key, c.windows[0]!, now));
    },
    async count(c, key) {
      const now = clock().getTime();
      const es = entries([[c, key]]);
      return sum(inWindow(await store.hits([es[0]!.key], now - widest(es)), es[0]!.key, c.windows[0]!, now));
    },
  };
}

export function countersFor(kind: SharedStateKind, db: Store, clock: Clock): Counters {
  return kind === 'database' ? databaseCounters(db, clock) : memoryCounters(clock);
}

/** Single-use values one request leaves for a later one, which may reach another node. */
export interface Handoffs {
  put(key: string, value: string, ttlMs: number): Promise<void>;
  /** The value, once: taken, it is gone for every node. Undefined when absent or expired. */
  take(key: string): Promise<string | undefined>;
  /** The value, left in place (until it expires). */
  peek(key: string): Promise<string | undefined>;
}

export function memoryHandoffs(clock: Clock, maxKeys = 10_000): Handoffs {
  const held = new Map<string, { value: string; expiresAt: number }>();
  return {
    async put(key, value, ttlMs) {
      if (held.size >= maxKeys) held.delete(held.keys().next().value!);
      held.delete(key);
      held.set(key, { value, expiresAt: clock().getTime() + ttlMs });
    },
    async take(key) {
      const hit = held.get(key);
      held.delete(key);
      return hit && clock().getTime() <= hit.expiresAt ? hit.value : undefined;
    },
    async peek(key) {
      const hit = held.get(key);
      return hit && clock().getTime() <= hit.expiresAt ? hit.value : undefined;
    },
  };
}

const handoffKey = (key: string) => createHash('sha256').update(key).digest('base64url');

export function databaseHandoffs(db: Store, clock: Clock): Handoffs {
  const store = limitStore(db);
  let lastSweep = 0;
  return {
    async put(key, value, ttlMs) {
      const now = clock().getTime();
      await store.putHandoff(handoffKey(key), value, now + ttlMs);
      if (now - lastSweep >= PRUNE_EVERY_MS) {
        lastSweep = now;
        store.sweepHandoffs(now).catch(() => undefined);
      }
    },
    async take(key) {
      const row = await store.takeHandoff(handoffKey(key));
      return row && clock().getTime() <= Number(row.expiresAt) ? row.value : undefined;
    },
    async peek(key) {
      const row = await store.peekHandoff(handoffKey(key));
      return row && clock().getTime() <= Number(row.expiresAt) ? row.value : undefined;
    },
  };
}

export function handoffsFor(kind: SharedStateKind, db: Store, clock: Clock): Handoffs {
  return kind === 'database' ? databaseHandoffs(db, clock) : memoryHandoffs(clock);
}

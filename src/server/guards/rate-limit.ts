import type { Clock } from '../../plans/core/clock.js';

/**
 * A small in-memory sliding-window counter: per key, the times of recent hits. Enough for one process
 * guarding card lookups; memory is bounded by dropping the stalest keys.
 */
export function slidingWindow(opts: { limit: number; windowMs: number; clock: Clock; maxKeys?: number }) {
  const hits = new Map<string, number[]>();
  const maxKeys = opts.maxKeys ?? 50_000;

  function recent(key: string, now: number): number[] {
    const times = hits.get(key);
    if (!times) return [];
    const from = now - opts.windowMs;
    let i = 0;
    while (i < times.length && times[i]! <= from) i++;
    if (i > 0) times.splice(0, i);
    if (times.length === 0) hits.delete(key);
    return times;
  }

  return {
    /** How many hits `key` has in the window. */
    count(key: string): number {
      return recent(key, opts.clock().getTime()).length;
    },
    /** Over the limit already? Then seconds until a slot frees up. */
    blocked(key: string): number | undefined {
      const now = opts.clock().getTime();
      const times = recent(key, now);
      if (times.length < opts.limit) return undefined;
      return Math.max(1, Math.ceil((times[times.length - opts.limit]! + opts.windowMs - now) / 1000));
    },
    /** Counts one hit; returns the count in the window including it. */
    hit(key: string): number {
      const now = opts.clock().getTime();
      const times = recent(key, now);
      if (times.length === 0) {
        if (hits.size >= maxKeys) hits.delete(hits.keys().next().value!);
        hits.set(key, times);
      }
      times.push(now);
      return times.length;
    },
  };
}
export type SlidingWindow = ReturnType<typeof slidingWindow>;

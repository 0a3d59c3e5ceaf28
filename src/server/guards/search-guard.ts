import type { SearchLimits } from '../../config.js';
import type { Clock } from '../../plans/core/clock.js';
import { memoryCounters, type Counter, type Counters } from './shared-state.js';

/**
 * Per-person search limits, API and web page alike: a short burst limit stops a script at once, an
 * hourly one stops a slow trickle. Only searches let through count, so Retry-After stays honest.
 * Counted where `counters` keep them: the database when several nodes share it (shared-state.ts).
 */
export function createSearchGuard(clock: Clock, limits: SearchLimits, counters: Counters = memoryCounters(clock)) {
  const searches: Counter = {
    name: 'search',
    windows: [
      { limit: limits.perMinute, windowMs: 60_000 },
      { limit: limits.perHour, windowMs: 3_600_000 },
    ],
    maxKeys: 10_000,
  };
  return {
    /** Counts a search by `actorKey`; seconds to wait when a limit is reached (then nothing is counted). */
    attempt: async (actorKey: string): Promise<number | undefined> => (await counters.attempt([[searches, actorKey]])).wait,
  };
}
export type SearchGuard = ReturnType<typeof createSearchGuard>;

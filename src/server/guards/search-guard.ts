import type { SearchLimits } from '../../config.js';
import type { Clock } from '../../plans/core/clock.js';
import { slidingWindow } from './rate-limit.js';

/**
 * Per-person search limits, API and web page alike: a short burst limit stops a script at once, an
 * hourly one stops a slow trickle. Only searches let through count, so Retry-After stays honest.
 */
export function createSearchGuard(clock: Clock, limits: SearchLimits) {
  const minute = slidingWindow({ limit: limits.perMinute, windowMs: 60_000, clock, maxKeys: 10_000 });
  const hour = slidingWindow({ limit: limits.perHour, windowMs: 3_600_000, clock, maxKeys: 10_000 });
  return {
    /** Counts a search by `actorKey`; seconds to wait when a limit is reached (then nothing is counted). */
    attempt(actorKey: string): number | undefined {
      const wait = minute.blocked(actorKey) ?? hour.blocked(actorKey);
      if (wait !== undefined) return wait;
      minute.hit(actorKey);
      hour.hit(actorKey);
      return undefined;
    },
  };
}
export type SearchGuard = ReturnType<typeof createSearchGuard>;

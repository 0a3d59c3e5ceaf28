import { createHash } from 'node:crypto';
import type { Store } from '../../../db/runtime.js';
import type { RefLookupLimits } from '../../config.js';
import { defaultFlagRules, type FlagRules } from '../../plans/access-log/flags.js';
import type { Clock } from '../../plans/core/clock.js';
import { limitStore } from './limit-store.js';
import type { SharedStateKind } from './shared-state.js';

/**
 * Per key, the different references looked up within a window, each with the last time it was: a Map
 * keeps insertion order, and a repeat is moved to the end, so the oldest entry is always first.
 */
function distinctWindow(windowMs: number, maxKeys: number) {
  const seen = new Map<string, Map<string, number>>();

  function live(key: string, now: number): Map<string, number> | undefined {
    const refs = seen.get(key);
    if (!refs) return undefined;
    for (const [ref, at] of refs) {
      if (at > now - windowMs) break;
      refs.delete(ref);
    }
    if (refs.size === 0) {
      seen.delete(key);
      return undefined;
    }
    return refs;
  }

  return {
    /** Seconds until a new reference frees up, when `key` already has `limit` others in the window. */
    blocked(key: string, ref: string, limit: number, now: number): number | undefined {
      const refs = live(key, now);
      if (!refs || refs.has(ref) || refs.size < limit) return undefined;
      const oldest = refs.values().next().value!;
      return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
    },
    /** Counts `ref` for `key`: the number of different references in the window including it, and whether it is new there. */
    hit(key: string, ref: string, now: number): { size: number; fresh: boolean } {
      let refs = live(key, now);
      if (!refs) {
        if (seen.size >= maxKeys) seen.delete(seen.keys().next().value!);
        seen.set(key, (refs = new Map()));
      }
      const fresh = !refs.delete(ref);
      refs.set(ref, now);
      return { size: refs.size, fresh };
    },
  };
}

export type RefLookupAttempt =
  | { wait: number }
  | {
      wait?: undefined;
      /** Set on the look-up that brings the person to the flag threshold (the auditors' flag is raised now). */
      crossed?: { references: number; withinMinutes: number };
    };

/**
 * Per-person limits on opening plans by the owning organisation's reference, one count for the JSON API
 * and FHIR. References are sequential per trust, so without a limit one token walks a trust's plans in
 * order (issue 20: 500 full plans in 7 s). Only different references count: opening the same person's
 * plan again costs nothing. The flag threshold is tracked here too, so the moment a person crosses it is
 * known while it happens (a warning for operations); the auditors' flag itself comes from the log.
 */
export function createRefLookupGuard(
  clock: Clock,
  limits: RefLookupLimits,
  rules: Pick<FlagRules, 'refLookups'> = defaultFlagRules,
  shared: { kind: SharedStateKind; db?: Store } = { kind: 'memory' },
) {
  let crossings = 0;
  const judge = shared.kind === 'database' ? databaseRefs(shared.db!, clock, limits, rules) : memoryRefs(clock, limits, rules);
  return {
    /** Counts a look-up of `ref` by `actorKey`; seconds to wait when a limit is reached (then nothing is counted). */
    async attempt(actorKey: string, ref: string): Promise<RefLookupAttempt> {
      const a = await judge(actorKey, ref);
      if (a.wait === undefined && a.crossed) crossings++;
      return a;
    },
    /** Flag thresholds crossed on this node since start (metrics). */
    crossings: () => crossings,
  };
}
export type RefLookupGuard = ReturnType<typeof createRefLookupGuard>;

function memoryRefs(clock: Clock, limits: RefLookupLimits, rules: Pick<FlagRules, 'refLookups'>) {
  const minute = distinctWindow(60_000, 10_000);
  const hour = distinctWindow(3_600_000, 10_000);
  const flagWindow = distinctWindow(rules.refLookups.withinMinutes * 60_000, 10_000);
  return async (actorKey: string, ref: string): Promise<RefLookupAttempt> => {
    const now = clock().getTime();
    const wait = minute.blocked(actorKey, ref, limits.perMinute, now) ?? hour.blocked(actorKey, ref, limits.perHour, now);
    if (wait !== undefined) return { wait };
    minute.hit(actorKey, ref, now);
    hour.hit(actorKey, ref, now);
    const { size, fresh } = flagWindow.hit(actorKey, ref, now);
    if (!fresh || size !== rules.refLookups.references) return {};
    return { crossed: { ...rules.refLookups } };
  };
}

const hashed = (x: string) => createHash('sha256').update(x).digest('base64url').slice(0, 24);

/**
 * The same judgement over the database's rows (limit_refs: each reference's latest look-up), read, judged
 * and written under the person's lock, so look-ups by one person on several nodes count as one sequence.
 */
function databaseRefs(db: Store, clock: Clock, limits: RefLookupLimits, rules: Pick<FlagRules, 'refLookups'>) {
  const store = limitStore(db);
  const flagMs = rules.refLookups.withinMinutes * 60_000;
  const longest = Math.max(3_600_000, flagMs);
  let lastPrune = 0;
  return async (actorKey: string, ref: string): Promise<RefLookupAttempt> => {
    const now = clock().getTime();
    if (now - lastPrune >= 60_000) {
      lastPrune = now;
      store.pruneRefs(now - longest).catch(() => undefined);
    }
    const key = `ref:${hashed(actorKey)}`;
    const refKey = hashed(ref);
    return store.refs<RefLookupAttempt>(key, refKey, now, now - longest + 1, (rows) => {
      const live = (windowMs: number) => rows.filter((r) => Number(r.at) > now - windowMs);
      const blocked = (windowMs: number, limit: number) => {
        const refs = live(windowMs);
        if (refs.some((r) => r.ref === refKey) || refs.length < limit) return undefined;
        return Math.max(1, Math.ceil((Math.min(...refs.map((r) => Number(r.at))) + windowMs - now) / 1000));
      };
      const wait = blocked(60_000, limits.perMinute) ?? blocked(3_600_000, limits.perHour);
      if (wait !== undefined) return { record: false, result: { wait } };
      const flagged = live(flagMs);
      const fresh = !flagged.some((r) => r.ref === refKey);
      const crossed = fresh && flagged.length + 1 === rules.refLookups.references;
      return { record: true, result: crossed ? { crossed: { ...rules.refLookups } } : {} };
    });
  };
}

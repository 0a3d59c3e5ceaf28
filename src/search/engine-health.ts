import type { Logger } from '../logger.js';
import type { MeiliIndex } from './meili-index.js';

export type SearchEngineState = 'meilisearch' | 'degraded';

export type EngineHealthOptions = {
  logger: Logger;
  /** Absent: no Meilisearch at all (always degraded). */
  meili?: MeiliIndex;
  /** How often an unhealthy Meilisearch is probed to return to it. */
  probeMs?: number;
  /** How often a healthy one is checked, so `/healthz` tells the truth between searches. */
  watchMs?: number;
  /**
   * Run before searches go back to Meilisearch: pushes what the outbox gathered during the outage and
   * says whether the index has caught up (so a plan published meanwhile is not missed on return).
   */
  catchUp?: () => Promise<boolean>;
};

/** Whether searches ask Meilisearch or the fallback: degrade on any failure, probe and catch up to return. */
export function createEngineHealth(opts: EngineHealthOptions) {
  const { logger, meili } = opts;
  const probeMs = opts.probeMs ?? 500;
  let state: SearchEngineState = meili ? 'meilisearch' : 'degraded';
  let probe: NodeJS.Timeout | undefined;
  const listeners = new Set<(s: SearchEngineState) => void>();
  /** Without searches nobody would notice Meilisearch going away: check it, cheaply, every few seconds. */
  const watchdog = meili
    ? setInterval(async () => {
        if (state === 'meilisearch' && !(await meili.healthy())) setState('degraded');
      }, opts.watchMs ?? 2000)
    : undefined;
  watchdog?.unref();

  function setState(s: SearchEngineState) {
    if (s === state) return;
    state = s;
    logger.warn(
      { search: s },
      s === 'degraded' ? 'search degraded: answering from the fallback in the database' : 'search back on meilisearch',
    );
    for (const l of listeners) l(s);
    if (s === 'degraded' && meili && !probe) {
      let busy = false;
      probe = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          if (!(await meili.healthy())) return;
          if (opts.catchUp && !(await opts.catchUp().catch(() => false))) return;
          clearInterval(probe);
          probe = undefined;
          setState('meilisearch');
        } finally {
          busy = false;
        }
      }, probeMs);
      probe.unref();
    }
  }

  return {
    state: () => state,
    degrade: () => setState('degraded'),
    onStateChange: (l: (s: SearchEngineState) => void) => listeners.add(l),
    stop() {
      if (watchdog) clearInterval(watchdog);
      if (probe) clearInterval(probe);
      probe = undefined;
    },
  };
}
export type EngineHealth = ReturnType<typeof createEngineHealth>;

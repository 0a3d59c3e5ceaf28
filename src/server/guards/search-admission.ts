import type { Context, Env, MiddlewareHandler } from 'hono';
import type { SearchConcurrency } from '../../config.js';

/**
 * Per-node admission for searches (issue 24): at most `maxInFlight` searches run at once; up to `queue` more
 * wait, in arrival order, for at most `queueWaitMs`; anything past that is shed with a 503. Under
 * overload a quick "busy, try again" is kinder than what happens otherwise: every search slows down until
 * the engine misses its time budget, and then each one is answered from the dearer database fallback,
 * slower still and degraded. Plan views, card scans and health checks never come here.
 *
 * In memory and per node on purpose: the limit protects this machine's CPU and its engine, which another
 * node's load does not touch.
 */

/** Seconds a shed search is told to wait: a slot frees within milliseconds, so one second is plenty. */
export const SHED_RETRY_AFTER_SECONDS = 1;

export type SearchChannel = 'api' | 'web';
/** Frees the slot; calling it again does nothing. */
export type Release = () => void;

type Waiter = { grant: (release: Release) => void; timer: NodeJS.Timeout };

export function createSearchAdmission(limits: SearchConcurrency | 'off') {
  let inFlight = 0;
  const queue: Waiter[] = [];
  const shed: Record<SearchChannel, number> = { api: 0, web: 0 };
  let admittedAfterWaiting = 0;

  /** A slot for one search; when it is released it goes straight to the longest waiter, if any. */
  function slot(): Release {
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = queue.shift();
      if (!next) {
        inFlight -= 1;
        return;
      }
      clearTimeout(next.timer);
      admittedAfterWaiting += 1;
      next.grant(slot());
    };
  }

  /** A slot, or `undefined` when the search is to be shed (counted against `channel`). */
  function enter(channel: SearchChannel): Release | undefined | Promise<Release | undefined> {
    if (limits === 'off') return () => {};
    if (inFlight < limits.maxInFlight) {
      inFlight += 1;
      return slot();
    }
    if (queue.length >= limits.queue) {
      shed[channel] += 1;
      return undefined;
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          shed[channel] += 1;
          resolve(undefined);
        }, limits.queueWaitMs),
      };
      queue.push(waiter);
    });
  }

  return {
    enter,
    /** For metrics, read at scrape time: nothing here touches the request path. */
    stats: () => ({ inFlight, queued: queue.length, shed: { ...shed }, admittedAfterWaiting }),
  };
}
export type SearchAdmission = ReturnType<typeof createSearchAdmission>;

/**
 * The route's admission: put it before the per-person limit and the access trail, so a shed search costs
 * next to nothing, is not counted against the person and writes no access event (nothing was searched and
 * no plan surfaced: README "A busy node sheds searches"). The handler frees the slot (`searchSlot`) as soon
 * as the search has answered: the access-log commit that follows is batched I/O, and holding slots through
 * it would only shrink the batches. Otherwise it is freed when the route has answered.
 */
export function admitSearch<E extends Env & { Variables: { searchSlot?: Release } }>(
  admission: SearchAdmission,
  channel: SearchChannel,
  shedAnswer: (c: Context<E>) => Response | Promise<Response>,
  applies: (c: Context<E>) => boolean = () => true,
): MiddlewareHandler<E> {
  return async (c, next) => {
    if (!applies(c)) return next();
    const release = await admission.enter(channel);
    if (!release) {
      c.header('Retry-After', String(SHED_RETRY_AFTER_SECONDS));
      return shedAnswer(c);
    }
    c.set('searchSlot', release);
    try {
      await next();
    } finally {
      release();
    }
  };
}

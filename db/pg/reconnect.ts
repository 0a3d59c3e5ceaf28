import type pg from 'pg';
import { isStoreUnavailable } from '../unavailable.js';

const atOnce = new WeakMap<pg.Pool, () => Promise<pg.PoolClient>>();

/**
 * The pool's own connect, which fails at once while the server is away: for a health probe, whose answer
 * is "not now" rather than a wait.
 */
export function connectAtOnce(pool: pg.Pool): Promise<pg.PoolClient> {
  return (atOnce.get(pool) ?? (() => pool.connect()))();
}

/**
 * How long a statement waits for the server to take connections again before it fails (and its request
 * is answered 503): a `pg_ctl restart -m fast` or a failover to a standby takes about a second or two, so a
 * request caught in one is usually served late rather than refused.
 */
export const RECONNECT_WAIT_MS = 2000;

/**
 * Makes every new connection of the pool (pool.query() and drizzle's transactions both go through
 * connect()) try again, with back-off, while the server is away. A statement that was already running
 * when the server went is not repeated: it fails, and its request with it.
 */
export function waitForServer(pool: pg.Pool, waitMs: number): void {
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  atOnce.set(pool, connect);
  async function connectWaiting(): Promise<pg.PoolClient> {
    const until = Date.now() + waitMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 400)) {
      try {
        return await connect();
      } catch (e) {
        if (!isStoreUnavailable(e) || Date.now() + delay > until) throw e;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
  type Callback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;
  pool.connect = ((cb?: Callback) => {
    if (!cb) return connectWaiting();
    connectWaiting().then(
      (client) => cb(undefined, client, (release) => client.release(release as Error | boolean | undefined)),
      (e: Error) => cb(e, undefined, () => {}),
    );
  }) as typeof pool.connect;
}

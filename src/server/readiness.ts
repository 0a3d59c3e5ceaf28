import { probeCommit } from '../../db/probe.js';
import type { Db } from '../../db/index.js';
import type { SearchEngineState } from '../search/engine-health.js';
import type { AccessLogHealth } from './access-trail/log-health.js';

/**
 * Whether this node's search index has caught up with the database (a node that was down, or has just
 * started, must not take searches until it has): the search index's own signal, given to createApp.
 * Absent → always caught up.
 */
export type SearchReady = () => boolean;

export type Readiness = {
  ready: boolean;
  /** What is not ready, in a load balancer's log. */
  failed: ('database' | 'accessLog' | 'searchIndex')[];
  /** The commit probe: ok, failed (the server refused, broke off, or said no), or no answer in time. */
  database: 'ok' | 'unreachable' | 'timeout';
  accessLog: 'ok' | 'commit-failing' | 'disk-full';
  search: SearchEngineState;
  searchIndex: 'current' | 'catching-up';
};

/** A probe answer is reused this long: load balancers (several of them, each every second or two) share one. */
const PROBE_REUSE_MS = 1000;
/** A commit slower than this is a database a request should not be sent to. */
const PROBE_TIMEOUT_MS = 1500;

/**
 * /readyz's answer: ready when a commit goes through now (the probe, db/probe.ts), the access log is not
 * failing, and the search index has caught up. A `degraded` search (the database's own fallback) is still
 * ready: every search is answered. One probe at a time, whatever the number of callers, so a hung database
 * holds one connection, not one per health check.
 */
export function createReadiness(opts: {
  db: Db;
  logHealth: AccessLogHealth;
  search: { state(): SearchEngineState };
  searchReady?: SearchReady;
}) {
  let last: { at: number; database: Readiness['database'] } | undefined;
  let probing: Promise<Readiness['database']> | undefined;

  async function probe(): Promise<Readiness['database']> {
    const failuresBefore = opts.logHealth.failures();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), PROBE_TIMEOUT_MS)));
    const committed = probeCommit(opts.db).then(
      () => {
        // The database commits again: a log that failed only because it was away may be ready before its
        // next batch proves it (out of rotation, it would get none).
        opts.logHealth.recovered(failuresBefore);
        return 'ok' as const;
      },
      () => 'unreachable' as const,
    );
    try {
      return await Promise.race([committed, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function database(): Promise<Readiness['database']> {
    if (last && performance.now() - last.at < PROBE_REUSE_MS) return last.database;
    probing ??= probe().then((d) => {
      last = { at: performance.now(), database: d };
      return d;
    });
    try {
      return await probing;
    } finally {
      probing = undefined;
    }
  }

  return {
    /** The commit probe's answer (shared with /healthz). */
    database,
    async check(): Promise<Readiness> {
      const db = await database();
      const log = opts.logHealth.state();
      const caughtUp = opts.searchReady?.() ?? true;
      const failed: Readiness['failed'] = [];
      if (db !== 'ok') failed.push('database');
      if (!log.ok) failed.push('accessLog');
      if (!caughtUp) failed.push('searchIndex');
      return {
        ready: failed.length === 0,
        failed,
        database: db,
        accessLog: log.ok ? 'ok' : log.reason,
        search: opts.search.state(),
        searchIndex: caughtUp ? 'current' : 'catching-up',
      };
    },
  };
}

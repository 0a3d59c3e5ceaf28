import fs from 'node:fs';
import { isStoreUnavailable } from '../../../db/unavailable.js';

/**
 * Whether the access log can commit, for /healthz without a write per probe: the log reports each
 * failed commit (its onError), and its own counter of committed batches says when one succeeded again.
 * Free space under the data directory is checked too (statfs: no I/O on the database), since a full
 * disk is the commonest way commits start failing — for SQLite only: a PostgreSQL store's disk is another
 * machine's, and /readyz's commit probe speaks for it. A service that cannot log must leave rotation:
 * nothing may be served without its access event.
 */
export type AccessLogHealth = {
  /** Give to the access log as (part of) its onError. */
  failed(err?: Error): void;
  /** Connect the log's committed-batch counter once it exists. */
  watch(committedBatches: () => number): void;
  state(): { ok: true } | { ok: false; reason: 'commit-failing' | 'disk-full' };
  /** Failures reported so far: a commit probe takes it before it starts, to hand to `recovered`. */
  failures(): number;
  /**
   * A commit outside the log (readiness's probe) succeeded after the database had been away: the log can
   * commit again even though, out of rotation, it has had no batch to prove it. Ignored when a failure was
   * reported since the probe began (`failuresBefore`), or when the last one was not the database being
   * away (a failing trigger, a bug: only a real batch may clear those).
   */
  recovered(failuresBefore: number): void;
};

/** Below this, SQLite's WAL and checkpoints may fail part-way: report unhealthy before they do. */
const MIN_FREE_BYTES = 16 * 1024 * 1024;

/** `dataDir`: where a SQLite store lives, for the free-space check; absent on PostgreSQL. */
export function accessLogHealth(dataDir?: string): AccessLogHealth {
  let committed: () => number = () => 0;
  let failedAt: number | undefined;
  let failures = 0;
  let databaseAway = false;
  return {
    failed(err) {
      failures += 1;
      failedAt = committed();
      databaseAway = err !== undefined && isStoreUnavailable(err);
    },
    watch(c) {
      committed = c;
    },
    state() {
      if (failedAt !== undefined) {
        if (committed() <= failedAt) return { ok: false, reason: 'commit-failing' };
        failedAt = undefined;
      }
      if (dataDir) {
        const s = fs.statfsSync(dataDir);
        if (s.bavail * s.bsize < MIN_FREE_BYTES) return { ok: false, reason: 'disk-full' };
      }
      return { ok: true };
    },
    failures: () => failures,
    recovered(failuresBefore) {
      if (failures === failuresBefore && databaseAway) failedAt = undefined;
    },
  };
}

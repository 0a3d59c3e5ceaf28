import fs from 'node:fs';

/**
 * Whether the access log can commit, for /healthz without a write per probe: the log reports each
 * failed commit (its onError), and its own counter of committed batches says when one succeeded again.
 * Free space under the data directory is checked too (statfs: no I/O on the database), since a full
 * disk is the commonest way commits start failing. A service that cannot log must leave rotation:
 * nothing may be served without its access event.
 */
export type AccessLogHealth = {
  /** Give to the access log as (part of) its onError. */
  failed(): void;
  /** Connect the log's committed-batch counter once it exists. */
  watch(committedBatches: () => number): void;
  state(): { ok: true } | { ok: false; reason: 'commit-failing' | 'disk-full' };
};

/** Below this, SQLite's WAL and checkpoints may fail part-way: report unhealthy before they do. */
const MIN_FREE_BYTES = 16 * 1024 * 1024;

export function accessLogHealth(dataDir?: string): AccessLogHealth {
  let committed: () => number = () => 0;
  let failedAt: number | undefined;
  return {
    failed() {
      failedAt = committed();
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
  };
}

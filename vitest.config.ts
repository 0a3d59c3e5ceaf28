import fs from 'node:fs';
import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test data goes on tmpfs when there is room (unless TMPDIR is set): every access-log batch and publish
 * commits with synchronous=FULL, and on a disk those fsyncs are much of what the tests wait for. Surviving
 * power loss is nothing a test checks (the crash test kills the process; the page cache outlives it).
 */
function tmpfs(dir = '/dev/shm', atLeast = 2 * 1024 ** 3): string | undefined {
  if (process.env.TMPDIR) return undefined;
  try {
    const s = fs.statfsSync(dir);
    const TMPFS_MAGIC = 0x01021994;
    return s.type === TMPFS_MAGIC && s.bavail * s.bsize >= atLeast ? dir : undefined;
  } catch {
    return undefined;
  }
}
const tmp = tmpfs();
if (tmp) process.env.TMPDIR = tmp;

/** What every project shares; the PostgreSQL cluster's globalSetup stays on the root (one per run). */
const shared = {
  pool: 'forks' as const,
  // Test files share their worker's modules: the app and its dependencies (pdf-lib, fontkit, zod, …)
  // are imported once per worker instead of once per file. Hooks every file needs are therefore
  // registered by test/setup.ts, which runs before each file.
  isolate: false,
  setupFiles: ['test/setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * The PostgreSQL half of the matrix (issue 22): the store, domain, access-log, API and CLI suites again
 * with TEST_DB=pg, which makes testApp()/testStore() open a database of their own in the run's cluster
 * and the CLI helpers pass its DATABASE_URL. Suites that are about SQLite by nature (its file, WAL, the
 * writer thread, the crash test) or that already run both dialects themselves stay out of it.
 */
const PG = {
  include: [
    'test/plans/**/*.test.ts',
    'test/server/api/**/*.test.ts',
    'test/server/fhir/**/*.test.ts',
    'test/cli/**/*.test.ts',
    // Every page, in process (the Chromium suites drive the same pages and stay on SQLite).
    'test/server/web/**/*.test.ts',
  ],
  exclude: [
    'test/server/web/**/*browser*.test.ts',
    // Run both dialects themselves (describe.each(dialects) or a pg-only file).
    'test/plans/access-log/pg-log.test.ts',
    'test/plans/backup/backup.test.ts',
    'test/plans/versions/dialects.test.ts',
    'test/plans/keys/oidc-secrets.test.ts',
    'test/plans/keys/rotation.test.ts',
    'test/plans/keys/oidc-two-nodes.test.ts',
    // No store at all, or nothing of it the answer depends on: the same on either.
    'test/plans/cards/code.test.ts',
    'test/plans/core/**',
    'test/server/api/openapi-docs.test.ts',
    // SQLite by nature: its writer thread and raw file, its migration history, a killed process's file.
    'test/plans/access-log/log.test.ts',
    'test/plans/governance/agreements-migration.test.ts',
    'test/plans/versions/crash.test.ts',
  ],
};

export default defineConfig({
  test: {
    // The root project's globalSetup runs once for the whole run; the projects inherit what it provides.
    globalSetup: ['test/support/postgres-cluster.ts'],
    // vitest's default on two cores is one worker, which then mostly waits on PostgreSQL, Chromium and the
    // CLI's child processes. Two on two cores, measured with the pg half added (under other load): 11.7 min
    // at 0.8 of a core instead of 18.7 min at 0.45; every test passing either way.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    projects: [
      { test: { ...shared, name: 'sqlite', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'] } },
      { test: { ...shared, name: 'pg', include: PG.include, exclude: PG.exclude, env: { TEST_DB: 'pg' } } },
    ],
  },
});

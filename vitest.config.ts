import fs from 'node:fs';
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

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    globalSetup: ['test/support/postgres-cluster.ts'],
    // Test files share their worker's modules: the app and its dependencies (pdf-lib, fontkit, zod, …)
    // are imported once per worker instead of once per file. Hooks every file needs are therefore
    // registered by test/setup.ts, which runs before each file.
    isolate: false,
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

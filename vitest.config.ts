import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    globalSetup: ['test/support/postgres-cluster.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

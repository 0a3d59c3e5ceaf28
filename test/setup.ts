// Runs before every test file (vitest setupFiles). Test files share their worker's modules (isolate: false
// in vitest.config.ts: the app is imported once per worker rather than once per file), so a helper module
// is evaluated once and a hook at its top would serve only the first file. Hooks every file needs are
// registered here; helpers clean up through test/cleanup.ts (test/scripts/test-hooks.test.ts checks).
import { afterAll, afterEach, beforeEach } from 'vitest';
import { cleanupHooks } from './cleanup.js';

beforeEach(cleanupHooks.testStarts);
afterEach(cleanupHooks.testEnds);
afterAll(cleanupHooks.fileEnds);

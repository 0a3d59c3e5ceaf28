// Runs before every test file (vitest setupFiles). Test files share their worker's modules (isolate: false
// in vitest.config.ts: importing the app once per worker rather than once per file), so hooks that must run
// for every file are registered here, not where the helpers that need them are defined.
import { afterAll, afterEach, beforeEach } from 'vitest';
import { cleanupHooks } from './cleanup.js';

beforeEach(cleanupHooks.testStarts);
afterEach(cleanupHooks.testEnds);
afterAll(cleanupHooks.fileEnds);

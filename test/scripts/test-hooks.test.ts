import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const testDir = path.resolve(import.meta.dirname, '..');
const HOOK_AT_TOP = /^(afterAll|afterEach|beforeAll|beforeEach|onTestFinished)\(/m;

function helperModules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return helperModules(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('test helpers (isolate: false in vitest.config.ts)', () => {
  it('register no hooks when imported: a helper module runs once per worker, so its hook would serve only the first file', () => {
    const offenders = helperModules(testDir)
      .filter((f) => path.relative(testDir, f) !== 'setup.ts' && HOOK_AT_TOP.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(testDir, f));
    // Clean up through test/cleanup.ts (onCleanup, onFileCleanup), or put the hook in test/setup.ts.
    expect(offenders).toEqual([]);
  });

  it('the check sees a hook at the top of a module', () => {
    expect(HOOK_AT_TOP.test("import { afterAll } from 'vitest';\nafterAll(() => undefined);\n")).toBe(true);
    expect(HOOK_AT_TOP.test('export function useServer() {\n  afterAll(() => undefined);\n}\n')).toBe(false);
  });
});

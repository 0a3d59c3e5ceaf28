import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startManagedMeili } from '../../src/search/meili-process.js';
import { createMeiliIndex } from '../../src/search/meili-index.js';
import { tempDir } from '../helpers.js';

/** Every folder and file under `dir` whose mode lets anyone but the owner in, with its mode. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const check = (p: string) => {
    const mode = fs.lstatSync(p).mode & 0o777;
    if (mode & 0o077) found.push(`${path.relative(dir, p) || '.'} ${mode.toString(8)}`);
  };
  check(dir);
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) check(path.join(e.parentPath, e.name));
  return found;
}

describe('the managed Meilisearch keeps its data to the service user', () => {
  it('folders 0700 and files 0600, for what it creates and what an earlier version left open', async () => {
    const dataDir = tempDir();
    const meiliDir = path.join(dataDir, 'meili');
    // As an earlier version left it: the folders 0755, the pid file and a dump 0644.
    fs.mkdirSync(path.join(meiliDir, 'dumps'), { recursive: true, mode: 0o755 });
    fs.chmodSync(meiliDir, 0o755);
    fs.writeFileSync(path.join(meiliDir, 'dumps', 'old.dump'), 'x', { mode: 0o644 });
    fs.writeFileSync(path.join(meiliDir, 'meilisearch.pid'), '999999999', { mode: 0o644 });

    const managed = await startManagedMeili({ dataDir });
    const meili = createMeiliIndex({ url: managed.url, key: managed.key });
    try {
      // An index and a document: Meilisearch creates its index folders now, after start-up.
      await meili.applySettings();
      await meili.upsert([{ id: 'p1', names: 'invented' } as never]);
      expect(fs.readdirSync(path.join(meiliDir, 'data.ms', 'indexes')).length).toBeGreaterThan(0);
      expect(fs.statSync(path.join(meiliDir, 'meilisearch.pid')).mode & 0o777).toBe(0o600);
      expect(openToOthers(meiliDir)).toEqual([]);
    } finally {
      meili.close();
      await managed.stop();
    }
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { searchDocFormat } from '../../src/search/document.js';
import { startSearch } from '../../src/search/index.js';
import { silentLogger } from '../../src/logger.js';
import { databaseFile, openDatabase, publishPlans, tempDir, testClock } from '../helpers.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { cast } from './helpers.js';

describe('search index format', () => {
  it('a start-up after the way documents are built changed rebuilds Meilisearch and the fallback', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    await ensureDemoOrganisations(db, testClock()());
    await publishPlans(db, cast);
    const first = await startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000 });
    await first.stop();
    const state = () => db.$client.prepare('SELECT format, built_at AS builtAt FROM search_index_state').get() as { format: string; builtAt: string };
    expect(state().format).toBe(searchDocFormat());

    // As after an upgrade: the index was built by an older derivation. Its documents are stale (here, a
    // fallback copy whose name keys no longer find the person).
    const someone = db.$client.prepare('SELECT plan_id AS id, doc FROM search_fallback LIMIT 1').get() as { id: string; doc: string };
    const stale = { ...(JSON.parse(someone.doc) as object), names: 'zzstale' };
    db.$client.prepare('UPDATE search_fallback SET doc = ? WHERE plan_id = ?').run(JSON.stringify(stale), someone.id);
    db.$client.prepare("UPDATE search_index_state SET format = 'older', built_at = '2000-01-01T00:00:00.000Z'").run();

    const second = await startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000 });
    try {
      expect(state().format).toBe(searchDocFormat());
      expect(state().builtAt > '2000-01-01').toBe(true);
      const restored = JSON.parse((db.$client.prepare('SELECT doc FROM search_fallback WHERE plan_id = ?').get(someone.id) as { doc: string }).doc) as { names: string };
      expect(restored.names).not.toBe('zzstale');
      // And an unchanged format is left alone: no rebuild on an ordinary restart.
      const builtAt = state().builtAt;
      await second.stop();
      const third = await startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000 });
      await third.stop();
      expect(state().builtAt).toBe(builtAt);
    } finally {
      db.$client.close();
    }
  }, 90_000);
});

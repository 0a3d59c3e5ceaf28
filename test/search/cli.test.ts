import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { createMeiliIndex } from '../../src/search/meili-index.js';
import { startManagedMeili } from '../../src/search/meili-process.js';
import { databaseFile, openDatabase, publishPlans, tempDir, testClock } from '../helpers.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { cast } from './helpers.js';

describe('cli reindex', () => {
  it('rebuilds Meilisearch and the fallback from the published plans', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    await ensureDemoOrganisations(db, testClock()());
    await publishPlans(db, cast);
    await db.close();
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    let printed = '';
    try {
      code = await runCli(['reindex'], { DATA_DIR: dir });
      printed = out.mock.calls.map((c) => String(c[0])).join('');
    } finally {
      out.mockRestore();
    }
    expect(code).toBe(0);
    expect(printed).toMatch(new RegExp(`reindexed ${cast.length} published plans`));
    const check = openDatabase(databaseFile(dir));
    expect(await check.one(sql`SELECT count(*) AS n FROM search_fallback`)).toEqual({ n: cast.length });
    await check.close();
    // The managed index under DATA_DIR holds them too, readable with the persisted key.
    const meili = await startManagedMeili({ dataDir: dir });
    const index = createMeiliIndex({ url: meili.url, key: meili.key });
    try {
      expect((await index.client.index('plans').getStats()).numberOfDocuments).toBe(cast.length);
    } finally {
      index.close();
      await meili.stop();
    }
  }, 60_000);
});

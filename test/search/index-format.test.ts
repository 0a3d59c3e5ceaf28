import { sql } from 'drizzle-orm';
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
    // Every index's cursor (the fallback's and this Meilisearch's) records the format it was built with.
    const state = async () => {
      const rows = await db.many<{ format: string; builtAt: string }>(
        sql`SELECT format, built_at AS "builtAt" FROM search_cursors ORDER BY consumer`,
      );
      expect(rows).toHaveLength(2);
      expect(rows[1]).toEqual(rows[0]);
      return rows[0]!;
    };
    expect((await state()).format).toBe(searchDocFormat());

    // As after an upgrade: the index was built by an older derivation. Its documents are stale (here, a
    // fallback copy whose name keys no longer find the person).
    const someone = (await db.one<{ id: string; doc: string }>(
      sql`SELECT plan_id AS id, doc FROM search_fallback ORDER BY rowid LIMIT 1`,
    ))!;
    const stale = { ...(JSON.parse(someone.doc) as object), names: 'zzstale' };
    await db.exec(sql`UPDATE search_fallback SET doc = ${JSON.stringify(stale)} WHERE plan_id = ${someone.id}`);
    await db.exec(sql`UPDATE search_cursors SET format = 'older', built_at = '2000-01-01T00:00:00.000Z'`);

    const second = await startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000 });
    try {
      expect((await state()).format).toBe(searchDocFormat());
      expect((await state()).builtAt > '2000-01-01').toBe(true);
      const restored = JSON.parse(
        (await db.one<{ doc: string }>(sql`SELECT doc FROM search_fallback WHERE plan_id = ${someone.id}`))!.doc,
      ) as { names: string };
      expect(restored.names).not.toBe('zzstale');
      // And an unchanged format is left alone: no rebuild on an ordinary restart.
      const { builtAt } = await state();
      await second.stop();
      const third = await startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000 });
      await third.stop();
      expect((await state()).builtAt).toBe(builtAt);
    } finally {
      await db.close();
    }
  }, 90_000);
});

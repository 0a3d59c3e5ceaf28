import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/index.js';
import { silentLogger } from '../../src/logger.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { startSearch } from '../../src/search/index.js';
import { onCleanup } from '../cleanup.js';
import { publishPlans, tempDir, testClock, who } from '../helpers.js';
import { isoDay } from '../../src/plans/core/clock.js';
import { cast } from './helpers.js';

const officer = { ...who.officer, orgKind: 'police' } as never;

describe('a node is not ready until its index has caught up (SQLite, managed Meilisearch)', () => {
  it('started in the background: not ready and answering from the fallback while it builds; ready after; a warm restart only catches up', async () => {
    const dir = tempDir();
    const db = await openStore({ dataDir: dir });
    onCleanup(() => db.close());
    const clock = testClock();
    await ensureDemoOrganisations(db, clock());
    await publishPlans(db, cast);

    const cold = await startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000, background: true });
    try {
      // The index has no cursor yet: it is being built.
      expect(cold.searchReady()).toBe(false);
      expect(cold.service.indexReady()).toBe(false);
      const during = await cold.service.search(officer, { q: 'robert pennington', limit: 10 }, isoDay(clock()));
      expect(during.ok && during.value.degraded).toBe(true);
      await cold.sync.whenReady();
      expect(cold.searchReady()).toBe(true);
      expect(cold.sync.counters().rebuilds).toBe(1);
      const after = await cold.service.search(officer, { q: 'robert pennington', limit: 10 }, isoDay(clock()));
      expect(after.ok && after.value.degraded).toBe(false);
      expect(after.ok && after.value.results[0]?.externalRef).toBe('S-ROB');
    } finally {
      await cold.stop();
    }

    await publishPlans(
      db,
      cast.slice(0, 2).map((r) => ({ ...r, subject: { ...r.subject, homeArea: 'Camden' } })),
    );
    const warm = await startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000, background: true });
    try {
      await warm.sync.whenReady();
      expect(warm.sync.counters()).toMatchObject({ rebuilds: 0, documentsSent: 2 });
    } finally {
      await warm.stop();
    }
  }, 60_000);
});

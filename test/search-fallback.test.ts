import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase } from '../db/index.js';
import { ensureDemoOrganisations } from '../src/plans/demo.js';
import { startSearchOrFallback } from '../src/search/index.js';
import { silentLogger } from '../src/server/logger.js';
import { publishPlans, tempDir, testClock, who } from './helpers.js';
import { searchBehaviour } from './search-cases.js';
import { cast, searchTestApp, type SearchTestApp } from './search-helpers.js';

/** The degraded path on its own: no Meilisearch at all, answers from SQLite FTS5. */
describe('search on the FTS5 fallback', () => {
  let t: SearchTestApp;
  beforeAll(async () => {
    t = await searchTestApp({ meili: false });
    publishPlans(t.db, cast);
    await t.sync.drain();
  });
  afterAll(() => t.close());

  searchBehaviour(() => t, true);

  it('reports degraded in /healthz', async () => {
    const res = await t.app.request('/healthz');
    expect(await res.json()).toEqual({ status: 'ok', search: 'degraded' });
  });
});

describe('start-up without Meilisearch', () => {
  it('serves degraded from the fallback (rebuilt from the database) when Meilisearch cannot start', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    ensureDemoOrganisations(db, testClock()());
    publishPlans(db, cast);
    const search = await startSearchOrFallback({ db, logger: silentLogger(), dataDir: dir, meiliBin: `${dir}/no-such-meilisearch` });
    try {
      expect(search.startError).toBeDefined();
      expect(search.service.state()).toBe('degraded');
      const officer = { ...who.officer, orgKind: 'police' as const };
      const r = await search.service.search(officer, { q: 'bob pennington', limit: 5 }, '2026-11-23');
      expect(r.ok && r.value.degraded).toBe(true);
      expect(r.ok && r.value.results[0]?.externalRef).toBe('S-ROB');
    } finally {
      await search.stop();
      db.$client.close();
    }
  });
});

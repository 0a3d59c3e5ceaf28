import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase } from '../../db/index.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { startSearchOrFallback } from '../../src/search/index.js';
import { silentLogger } from '../../src/logger.js';
import { publishPlans, tempDir, testClock, who } from '../helpers.js';
import { searchBehaviour } from './cases.js';
import { cast, variantCast, searchTestApp, type SearchTestApp } from './helpers.js';

/** The degraded path on its own: no Meilisearch at all, answers from SQLite FTS5. */
describe('search on the FTS5 fallback', () => {
  let t: SearchTestApp;
  beforeAll(async () => {
    t = await searchTestApp({ meili: false });
    await publishPlans(t.db, [...cast, ...variantCast]);
    await t.sync.drain();
  });
  afterAll(() => t.close());

  searchBehaviour(() => t, true);

  const events = () =>
    t.db.many<{ action: string; outcome: string; actor: string; purpose: string | null; query: string; results: string | null }>(
      sql`SELECT action, outcome, actor_sub AS actor, purpose, query, result_plan_ids AS results FROM access_events WHERE action = 'search' ORDER BY seq`,
    );

  it('records each search with its query and every plan it returned; a refused search is recorded as denied', async () => {
    const before = (await events()).length;
    const found = await t.find(who.officer, { q: 'smith' });
    expect(found.status).toBe(200);
    expect(found.refs.length).toBeGreaterThan(1);
    const [event] = (await events()).slice(before);
    expect(event).toMatchObject({ outcome: 'allowed', actor: who.officer.sub, purpose: 'INC-2026-0042 welfare check' });
    expect(JSON.parse(event!.query)).toMatchObject({ q: 'smith' });
    expect(JSON.parse(event!.results!)).toEqual(found.json.results.map((r: { planId: string }) => r.planId));

    const refused = await t.call(who.officer, '/api/v1/search?q=smith', null);
    expect(refused.status).toBe(400);
    expect((await events()).slice(before + 1)).toEqual([expect.objectContaining({ outcome: 'denied', purpose: null, results: null })]);
  });

  it('reports degraded in /healthz', async () => {
    const res = await t.app.request('/healthz');
    expect(await res.json()).toEqual({ status: 'ok', search: 'degraded' });
  });
});

describe('start-up without Meilisearch', () => {
  it('serves degraded from the fallback (rebuilt from the database) when Meilisearch cannot start', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    await ensureDemoOrganisations(db, testClock()());
    await publishPlans(db, cast);
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
      await db.close();
    }
  });
});

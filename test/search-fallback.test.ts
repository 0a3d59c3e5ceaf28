import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPlans, who } from './helpers.js';
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

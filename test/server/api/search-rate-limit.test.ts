import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_LIMITS } from '../../../src/config.js';
import { createRefusalSummary } from '../../../src/server/access-trail/refusal-summary.js';
import { createSearchGuard } from '../../../src/server/guards/search-guard.js';
import { importRecordFrom, planBody, publishPlans, testApp, type Who } from '../../helpers.js';
import { browser } from '../web/helpers.js';
import { counterBackends, sharedParts } from '../../support/shared-state.js';

const officer: Who = { sub: 'demo.officer', org: 'capital-police', roles: ['responder'] };
const policeAuditor: Who = { sub: 'auditor.cp', org: 'capital-police', roles: ['auditor'] };

/** The search limit is checked before any search runs, so the SQLite fallback is enough here. */
async function limitedApp(searchLimits = { perMinute: 3, perHour: 5 }) {
  const t = await testApp();
  await publishPlans(t.db, [importRecordFrom(planBody())]);
  const refusals = createRefusalSummary({ clock: t.clock, record: (e) => t.accessLog.record(e) });
  const app = t.appWith({
    publicBaseUrl: '',
    refusals,
    searchLimits,
  });
  const search = async (w: Who, q = "o'sullivan") =>
    app.request(`/api/v1/search?q=${encodeURIComponent(q)}`, {
      headers: { authorization: `Bearer ${await t.tokenFor(w)}`, 'x-access-purpose': 'INC-2026-0042 welfare check' },
    });
  return { ...t, app, refusals, search };
}

describe('the per-person search limit', () => {
  it('answers 429 with Retry-After once the burst is spent, logs the first refusal, summarises the rest and flags it', async () => {
    const t = await limitedApp();
    for (let i = 0; i < 3; i++) expect((await t.search(officer)).status).toBe(200);
    const limited = await t.search(officer);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { code: string }).code).toBe('rate_limited');
    for (let i = 0; i < 10; i++) expect((await t.search(officer)).status).toBe(429);
    // Someone else is not affected.
    expect((await t.search({ ...officer, sub: 'pc.other' })).status).toBe(200);

    const searches = (await t.events()).filter((e) => e.action === 'search' && e.actorSub === 'demo.officer');
    expect(searches.map((e) => e.outcome)).toEqual(['allowed', 'allowed', 'allowed', 'denied']);
    expect(searches[3]).toMatchObject({ reason: 'rate-limited', query: { q: "o'sullivan" }, purpose: 'INC-2026-0042 welfare check' });
    await t.refusals.close();
    expect((await t.events()).at(-1)!.reason).toBe('rate-limited (summary): 10 more from this client in this window');

    const flags = await t.app.request('/api/v1/audit/flags?kind=search-rate-limited', {
      headers: { authorization: `Bearer ${await t.tokenFor(policeAuditor)}` },
    });
    const body = (await flags.json()) as { flags: { kind: string; actor: { sub: string }; detail: string }[] };
    expect(body.flags.map((f) => [f.actor.sub, f.detail]).sort()).toEqual([
      ['demo.officer', '10 more searches refused by the per-person limit in one window'],
      ['demo.officer', 'searches stopped by the per-person limit'],
    ]);
  });

  it('holds the hourly limit across minutes, and the web search page shares it with an HTML 429 page', async () => {
    const t = await limitedApp();
    for (let i = 0; i < 3; i++) expect((await t.search(officer)).status).toBe(200);
    t.clock.set('2026-11-23T10:01:01Z');
    for (let i = 0; i < 2; i++) expect((await t.search(officer)).status).toBe(200);
    t.clock.set('2026-11-23T10:02:02Z');
    expect((await t.search(officer)).status).toBe(429);

    const b = browser(t);
    await b.signIn('demo.officer');
    await b.statePurpose();
    const page = await b.get('/?q=sullivan');
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(page.text).toContain('Too many searches');
    expect(page.text).toContain('minutes');
    // The bare form is not a search and is never limited.
    expect((await b.get('/')).status).toBe(200);
    t.clock.set('2026-11-23T11:00:01Z');
    // An hour on, the session has gone idle and the purpose lapsed: sign in and state it again.
    await b.signIn('demo.officer');
    await b.statePurpose();
    expect((await b.get('/?q=sullivan')).status).toBe(200);
  });
});

describe.each(counterBackends)('the default limits, counted in $name', (backend) => {
  it('never limit normal use: a search every 3 s for a minute, then one every 12.5 s for three hours', async () => {
    const { clock, counters } = await sharedParts(backend);
    const guard = createSearchGuard(clock, DEFAULT_SEARCH_LIMITS, counters);
    let t = clock().getTime();
    for (let i = 0; i < 20; i++, t += 3_000) {
      clock.set(new Date(t).toISOString());
      expect(await guard.attempt('actor:ed/nurse'), `search ${i}`).toBeUndefined();
    }
    for (let i = 0; i < (3 * 3600) / 12.5; i++, t += 12_500) {
      clock.set(new Date(t).toISOString());
      expect(await guard.attempt('actor:ed/nurse'), `sustained search ${i}`).toBeUndefined();
    }
  });

  it('stop a script within its first second', async () => {
    const { clock, counters } = await sharedParts(backend);
    const guard = createSearchGuard(clock, DEFAULT_SEARCH_LIMITS, counters);
    const refused: number[] = [];
    for (let i = 0; i < 852; i++) {
      const wait = await guard.attempt('actor:p/harvester');
      if (wait !== undefined) refused.push(wait);
    }
    expect(refused).toHaveLength(852 - DEFAULT_SEARCH_LIMITS.perMinute);
    expect(Math.min(...refused)).toBeGreaterThan(0);
  });
});

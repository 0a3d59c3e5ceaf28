import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSearchConcurrency, loadConfig, type SearchConcurrency } from '../../../src/config.js';
import { createSearchAdmission } from '../../../src/server/guards/search-admission.js';
import { createMetrics, type Metrics } from '../../../src/server/metrics/metrics.js';
import { onCleanup } from '../../cleanup.js';
import { accessEvents, planIdOf, publishPlans, who, type Who } from '../../helpers.js';
import { cast, searchTestApp, type SearchTestApp } from '../../search/helpers.js';
import { browser } from '../web/helpers.js';
import { heldSearchApp } from '../../support/held-search.js';

/**
 * Issue 24: a node running as many searches as it may sheds the rest with a 503 and Retry-After at once,
 * rather than letting every search slow down until the engine misses its budget and the fallback answers.
 * One real Meilisearch for the file; each test builds an app on it with its own limits. A search is held
 * by pausing it at its start (the real search then runs): the only way to know what is in flight.
 */

let t: SearchTestApp;
beforeAll(async () => {
  t = await searchTestApp({ meili: true });
  await publishPlans(t.db, cast);
  await t.sync.drain();
}, 60_000);
afterAll(() => t?.close());

const PURPOSE = 'INC-2026-0042 welfare check';
const ROBERT = `/api/v1/search?${new URLSearchParams({ q: 'robert pennington' })}`;

async function busyNode(concurrency: SearchConcurrency | 'off', metrics: Metrics = createMetrics()) {
  const {
    app,
    devIssuer,
    hold: search,
  } = await heldSearchApp(t, {
    // Many searches by one person here: the per-person limit is tested on its own.
    searchLimits: { perMinute: 1_000_000, perHour: 1_000_000 },
    searchConcurrency: concurrency,
    metrics,
  });
  const token = (w: Who) => devIssuer.sign(w, 3600, t.clock());
  const get = async (url: string, w: Who = who.officer) =>
    app.request(url, { headers: { authorization: `Bearer ${await token(w)}`, 'x-access-purpose': PURPOSE } });
  /** Until `n` searches wait for a slot (requests race through sign-in, so the order they queue in is not the order sent). */
  const queued = async (n: number) => {
    while (!new RegExp(`^search_queued ${n}$`, 'm').test(await metrics.registry.metrics())) await new Promise((r) => setTimeout(r, 5));
  };
  return { app, get, token, holdNext: search.holdNext, queued };
}

const searchEvents = async () => (await accessEvents(t.db)).filter((e) => e.action === 'search');

async function expectShed(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.headers.get('retry-after')).toBe('1');
  expect(await res.json()).toMatchObject({
    type: '/problems/unavailable',
    title: 'Temporarily unavailable',
    status: 503,
    code: 'unavailable',
    reason: 'busy',
  });
}

async function expectFound(res: Response, ref: string) {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { results: { externalRef: string }[]; degraded: boolean };
  expect(body.degraded).toBe(false);
  expect(body.results[0]?.externalRef).toBe(ref);
}

describe('a node at its search limit', () => {
  it('sheds searches past it at once: 503 problem+json, Retry-After 1, not logged; the admitted one answers in full', async () => {
    const metrics = createMetrics();
    const node = await busyNode({ maxInFlight: 1, queue: 0, queueWaitMs: 250 }, metrics);
    const before = (await searchEvents()).length;
    const hold = node.holdNext();
    const first = node.get(ROBERT);
    await hold.entered;

    const shed = await Promise.all(Array.from({ length: 5 }, () => node.get(ROBERT)));
    for (const res of shed) await expectShed(res);
    // Bad input is not even read while the node is busy: the answer is the same quick 503.
    await expectShed(await node.get('/api/v1/search?limit=9999'));
    // Plan views and health checks are never shed.
    const planId = await planIdOf(t.db, 'S-ROB');
    expect((await node.get(`/api/v1/plans/${planId}`)).status).toBe(200);
    expect((await node.app.request('/healthz')).status).toBe(200);

    hold.release();
    await expectFound(await first, 'S-ROB');
    // The slot is free again.
    await expectFound(await node.get(ROBERT), 'S-ROB');
    // Only the two searches that ran are in the access log: a shed search searched nothing.
    const logged = (await searchEvents()).slice(before);
    expect(logged.map((e) => e.outcome)).toEqual(['allowed', 'allowed']);
    const scrape = await metrics.registry.metrics();
    expect(scrape).toMatch(/^search_shed_total\{channel="api"\} 6$/m);
    expect(scrape).toMatch(/^search_shed_total\{channel="web"\} 0$/m);
    expect(scrape).toMatch(/^search_in_flight 0$/m);
    expect(scrape).toMatch(/^search_waited_total 0$/m);
  });

  it('lets a few wait for a slot in turn, sheds past the queue at once, and sheds one that waited too long', async () => {
    const node = await busyNode({ maxInFlight: 1, queue: 1, queueWaitMs: 300 });
    const hold = node.holdNext();
    const first = node.get(ROBERT);
    await hold.entered;
    const queued = node.get(`/api/v1/search?${new URLSearchParams({ q: 'tomasz wisniewski' })}`);
    await node.queued(1);
    // The queue is full: the next is refused at once, while the first two are still waiting.
    let queuedDone = false;
    void queued.then(() => (queuedDone = true));
    await expectShed(await node.get(ROBERT));
    expect(queuedDone).toBe(false);
    hold.release();
    await expectFound(await first, 'S-ROB');
    await expectFound(await queued, 'S-WIS');

    const again = node.holdNext();
    const holder = node.get(ROBERT);
    await again.entered;
    const started = performance.now();
    const waited = await node.get(ROBERT);
    // A lower bound only: a timer never fires early, however loaded the machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await expectShed(waited);
    again.release();
    await expectFound(await holder, 'S-ROB');
  });

  it('under a burst over HTTP, every answer is a full 200 or a quick 503, never a degraded one', async () => {
    const node = await busyNode({ maxInFlight: 1, queue: 0, queueWaitMs: 250 });
    const port = await new Promise<number>((resolve) => {
      const server = serve({ fetch: node.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
      onCleanup(() => new Promise<void>((r) => server.close(() => r())));
    });
    const headers = { authorization: `Bearer ${await node.token(who.officer)}`, 'x-access-purpose': PURPOSE };
    // A search answered from the keys in process takes well under a millisecond: the first is held at its
    // start, so the burst meets a node that is busy, as one under load would be.
    const hold = node.holdNext();
    const first = fetch(`http://127.0.0.1:${port}${ROBERT}`, { headers });
    await hold.entered;
    const burst = Promise.all(Array.from({ length: 23 }, () => fetch(`http://127.0.0.1:${port}${ROBERT}`, { headers })));
    setTimeout(hold.release, 50);
    const answers = [await first, ...(await burst)];
    const ok = answers.filter((r) => r.status === 200);
    const shed = answers.filter((r) => r.status === 503);
    expect(ok.length + shed.length).toBe(answers.length);
    expect(ok.length).toBeGreaterThan(0);
    expect(shed.length).toBeGreaterThan(0);
    for (const res of ok) await expectFound(res, 'S-ROB');
    for (const res of shed) await expectShed(res);
  });

  it('with shedding off, nothing is refused however many are in flight', async () => {
    const node = await busyNode('off');
    const hold = node.holdNext();
    const first = node.get(ROBERT);
    await hold.entered;
    const others = await Promise.all(Array.from({ length: 4 }, () => node.get(ROBERT)));
    for (const res of others) await expectFound(res, 'S-ROB');
    hold.release();
    await expectFound(await first, 'S-ROB');
  });

  it('the search page: a kind 503 page with the search as typed and Retry-After; the bare form and plan pages are not shed', async () => {
    const node = await busyNode({ maxInFlight: 1, queue: 0, queueWaitMs: 250 });
    const b = browser(node);
    await b.signIn('demo.officer');
    await b.statePurpose(PURPOSE);
    const before = (await searchEvents()).length;
    const hold = node.holdNext();
    const first = node.get(ROBERT);
    await hold.entered;

    const page = await b.get(`/?${new URLSearchParams({ q: 'Robert Pennington', dob: '1980', near: 'Waterloo Bridge', within: '1000' })}`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('retry-after')).toBe('1');
    expect(page.text).toContain('<title>Search is busy, try again in a moment');
    expect(page.text).toMatch(/<h1>Search is busy, try again in a moment<\/h1>/);
    expect(page.text).toContain('Nothing was searched');
    // The form comes back as typed, ready to send again, with the purpose still shown.
    expect(page.text).toMatch(/<input id="q"[^>]*value="Robert Pennington"/);
    expect(page.text).toMatch(/<input id="dob"[^>]*value="1980"/);
    expect(page.text).toMatch(/<input id="near"[^>]*value="Waterloo Bridge"/);
    expect(page.text).toMatch(/<option value="1000" selected/);
    expect(page.text).toContain(PURPOSE);

    expect((await b.get('/')).status).toBe(200);
    const planId = await planIdOf(t.db, 'S-ROB');
    expect((await b.get(`/plans/${planId}`)).status).toBe(200);

    hold.release();
    await expectFound(await first, 'S-ROB');
    const again = await b.get(`/?${new URLSearchParams({ q: 'Robert Pennington' })}`);
    expect(again.status).toBe(200);
    expect(again.text).toContain(`href="/plans/${planId}?back=`);
    // The held API search and the page's second try; the shed page wrote nothing.
    const logged = (await searchEvents()).slice(before);
    expect(logged.map((e) => e.channel).sort()).toEqual(['api', 'web']);
  });
});

describe('the admission queue', () => {
  it('hands a freed slot to the longest waiter, and a slot released twice frees only once', async () => {
    const admission = createSearchAdmission({ maxInFlight: 1, queue: 2, queueWaitMs: 10_000 });
    const first = admission.enter('api');
    if (!first || first instanceof Promise) throw new Error('the first search should be admitted at once');
    const order: string[] = [];
    const a = Promise.resolve(admission.enter('api')).then((r) => (order.push('a'), r));
    const b = Promise.resolve(admission.enter('web')).then((r) => (order.push('b'), r));
    expect(admission.enter('api')).toBeUndefined();
    expect(admission.stats()).toMatchObject({ inFlight: 1, queued: 2, shed: { api: 1, web: 0 } });
    first();
    first();
    const releaseA = await a;
    expect(order).toEqual(['a']);
    expect(admission.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    releaseA!();
    (await b)!();
    expect(order).toEqual(['a', 'b']);
    expect(admission.stats()).toMatchObject({ inFlight: 0, queued: 0, admittedAfterWaiting: 2 });
  });
});

describe('SEARCH_MAX_IN_FLIGHT, SEARCH_QUEUE, SEARCH_QUEUE_WAIT_MS', () => {
  it('default to two searches in flight per core, 32 per core waiting, for at most 250 ms', () => {
    expect(defaultSearchConcurrency(2)).toEqual({ maxInFlight: 4, queue: 64, queueWaitMs: 250 });
    expect(loadConfig({}).searchConcurrency).toEqual(defaultSearchConcurrency());
  });

  it('are read as given, and `off` turns shedding off', () => {
    const c = loadConfig({ SEARCH_MAX_IN_FLIGHT: '12', SEARCH_QUEUE: '0', SEARCH_QUEUE_WAIT_MS: '100' });
    expect(c.searchConcurrency).toEqual({ maxInFlight: 12, queue: 0, queueWaitMs: 100 });
    expect(loadConfig({ SEARCH_MAX_IN_FLIGHT: 'off' }).searchConcurrency).toBe('off');
  });

  it.each([
    ['SEARCH_MAX_IN_FLIGHT', '0'],
    ['SEARCH_MAX_IN_FLIGHT', '-4'],
    ['SEARCH_MAX_IN_FLIGHT', '2.5'],
    ['SEARCH_MAX_IN_FLIGHT', 'lots'],
    ['SEARCH_MAX_IN_FLIGHT', ''],
    ['SEARCH_QUEUE', '-1'],
    ['SEARCH_QUEUE', 'none'],
    ['SEARCH_QUEUE_WAIT_MS', '0'],
    ['SEARCH_QUEUE_WAIT_MS', '60000'],
    ['SEARCH_QUEUE_WAIT_MS', '1.5'],
  ])('refuse %s=%j with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: `));
  });
});

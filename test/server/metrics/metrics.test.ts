import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, startMetricsServer } from '../../../src/server/metrics/metrics.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';

const servers: { close(): void }[] = [];
afterEach(() => {
  while (servers.length) servers.pop()!.close();
});

async function scrape(metrics: ReturnType<typeof createMetrics>) {
  const server = startMetricsServer(metrics, 0);
  servers.push(server);
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
  const address = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${address.port}/metrics`);
  return { address, status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('/metrics', () => {
  it('after a few requests the scrape is strict exposition format, counts by route pattern, and holds no personal data', async () => {
    const metrics = createMetrics();
    const t = await testApp({ metrics });
    await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-000777', familyName: 'Quillfeather' }))]);
    const planId = await planIdOf(t.db, 'SB-000777');
    const purpose = 'INC-2026-0777 concern for welfare';
    expect((await t.call(who.paramedic, 'GET', `/api/v1/plans/${planId}`, { purpose })).status).toBe(200);
    expect((await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose })).status).toBe(200);
    expect((await t.call(who.officer, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA', { purpose })).status).toBe(404);
    expect((await t.call(null, 'GET', `/api/v1/plans/${planId}`)).status).toBe(401);
    expect((await t.call(who.officer, 'GET', '/api/v1/search?q=Quillfeather%20Aoife&dob=1991', { purpose })).status).toBe(200);
    expect((await t.call(who.nurse, 'GET', `/fhir/R4/CarePlan/${planId}`, { purpose })).status).toBe(200);
    await t.call(null, 'GET', '/q/not-a-real-card-token-0000');
    // A plan the index worker parked (search/sync.ts): counted apart, not as pending.
    await t.db.exec(
      sql`INSERT INTO search_parked (plan_id, position, parked_at, reason) VALUES (${planId}, 1, '2026-11-23T10:00:01.000Z', 'ill-formed text in name')`,
    );

    const scraped = await scrape(metrics);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(scraped.text);
    expect(families.get('http_request_duration_seconds')!.type).toBe('histogram');
    const count = (route: string, status: string) =>
      sampleValue(families, 'http_request_duration_seconds', 'http_request_duration_seconds_count', { method: 'GET', route, status }) ?? 0;
    expect(count('/api/v1/plans/:planId', '200')).toBe(2);
    expect(count('/api/v1/plans/:planId', '404')).toBe(1);
    // Refused by the authentication middleware, before any route matched: the mount's pattern.
    expect(count('/api/v1/*', '401')).toBe(1);
    expect(count('/fhir/R4/CarePlan/:planId', '200')).toBe(1);
    expect(count('/api/v1/search', '200')).toBe(1);

    const value = (name: string) => sampleValue(families, name, name);
    expect(value('access_log_events_total')).toBeGreaterThanOrEqual(5);
    expect(value('access_log_commits_total')).toBeGreaterThanOrEqual(1);
    expect(value('access_log_events_per_commit')).toBeGreaterThanOrEqual(1);
    expect(value('search_degraded')).toBe(1); // this app has no Meilisearch: fallback only
    // No worker in this app: every entry of the change log is still to apply.
    const pending = await t.db.one<{ n: number }>(sql`SELECT count(*) AS n FROM search_outbox`);
    expect(pending!.n).toBeGreaterThan(0);
    expect(value('search_outbox_pending')).toBe(pending!.n);
    expect(value('search_outbox_parked')).toBe(1);
    expect(sampleValue(families, 'search_seconds', 'search_seconds_count', { degraded: 'true' })).toBe(1);
    expect(sampleValue(families, 'card_scans_total', 'card_scans_total', { route: '/q/:token', outcome: 'redirected' })).toBe(1);
    expect(families.has('publish_to_findable_seconds')).toBe(true);
    expect(families.has('rate_limit_refusals_total')).toBe(true);

    // No personal data or identifiers in any label or value: ids, names, references, purposes, people, tokens.
    for (const secret of [
      planId,
      'Quillfeather',
      'Aoife',
      'SB-000777',
      'INC-2026-0777',
      'medic.test',
      'pc.test',
      'not-a-real-card-token',
    ]) {
      expect(scraped.text, secret).not.toContain(secret);
    }
    // The year of birth searched for is digits, which a sample's value (bytes, seconds) may hold by chance:
    // it must be in no label and no metric name.
    const labelsAndNames = scraped.text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/ [^ ]+$/, ''));
    expect(labelsAndNames.filter((l) => l.includes('1991'))).toEqual([]);
  });

  it('the strict parser itself refuses malformed exposition (so the scrape test means something)', () => {
    expect(() => parsePrometheusText('x 1\n')).toThrow(/before its TYPE/);
    expect(() => parsePrometheusText('# TYPE x gauge\nx{a=b} 1\n')).toThrow(/bad labels/);
    expect(() => parsePrometheusText('# TYPE x gauge\nx one\n')).toThrow(/bad sample/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n')).toThrow(/cumulative/);
  });

  it('the metrics server listens on loopback only', async () => {
    const scraped = await scrape(createMetrics());
    expect(scraped.address.address).toBe('127.0.0.1');
  });
});

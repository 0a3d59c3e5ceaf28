import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import type { AppDeps } from '../../../src/server/context.js';
import { createApp } from '../../../src/server/app.js';
import { silentLogger } from '../../../src/logger.js';
import { createRefusalSummary } from '../../../src/server/access-trail/refusal-summary.js';
import type { AccessEventInput } from '../../../src/plans/access-log/log.js';
import { testApp, testClock } from '../../helpers.js';

/** The test app's database and log, rebuilt with the extra deps (TRUST_PROXY, limits). */
async function floodApp(extra: Partial<AppDeps> = {}) {
  const t = await testApp();
  const app = t.appWith(extra);
  return { ...t, app };
}

const scan = (app: { request: (u: string, i?: RequestInit) => Response | Promise<Response> }, forwardedFor?: string) =>
  app.request(`/q/${'A'.repeat(24)}`, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

describe('an anonymous /q/ flood', () => {
  it('writes one event for the first refusal of each kind and one summary per window, not one row per request', async () => {
    const base = await testApp();
    const refusals = createRefusalSummary({ clock: base.clock, record: (e) => base.accessLog.record(e) });
    const t = {
      ...base,
      app: createApp({
        db: base.db,
        clock: base.clock,
        logger: silentLogger(),
        accessLog: base.accessLog,
        publicBaseUrl: '',
        refusals,
        trustProxy: { header: 'x-forwarded-for', hops: 1 },
      }),
    };
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await scan(t.app, '198.51.100.7')).status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // The first of each is visible at once.
    expect((await t.events()).map((e) => e.reason)).toEqual(['sign-in-required', 'rate-limited']);

    t.clock.set('2026-11-23T10:01:01Z');
    await refusals.flush(); // what its timer does
    const events = await t.events();
    const summaries = events.filter((e) => e.reason?.includes('(summary)'));
    expect(summaries.map((e) => (e.query as { summary: { refusals: number } }).summary.refusals).sort()).toEqual([39, 59]);
    expect(events.length).toBeLessThanOrEqual(5);
    // The address itself is never in the log, only a keyed hash of it.
    expect(JSON.stringify(events)).not.toContain('198.51.100.7');
    const tags = new Set(
      events.map(
        (e) =>
          (e.query as { client?: string; summary?: { client: string } }).client ??
          (e.query as { summary: { client: string } }).summary.client,
      ),
    );
    expect(tags.size).toBe(1);
  });

  it('keys on the address the operator trusts: one flooder behind the proxy does not lock everyone out', async () => {
    const t = await floodApp({ trustProxy: { header: 'x-forwarded-for', hops: 1 } });
    // Entries left of the trusted hop are whatever the client wrote: forging them changes nothing.
    for (let i = 0; i < 61; i++) await scan(t.app, `10.9.${i}.1, 203.0.113.5`);
    expect((await scan(t.app, '203.0.113.5')).status).toBe(429);
    expect((await scan(t.app, '203.0.113.6')).status).toBe(303);
  });

  it('ignores forwarded headers when TRUST_PROXY is unset (the socket address counts)', async () => {
    const t = await floodApp();
    for (let i = 0; i < 60; i++) await scan(t.app, `10.0.0.${i}`);
    expect((await scan(t.app, '10.0.0.200')).status).toBe(429);
  });
});

describe('the refusal summariser', () => {
  const event = (reason: string): AccessEventInput => ({
    actor: null,
    action: 'qr-scan',
    channel: 'qr',
    purpose: null,
    outcome: 'denied',
    reason,
  });

  it('caps the clients it tracks and folds the overflow into one "other clients" summary; close() flushes', async () => {
    const clock = testClock();
    const written: AccessEventInput[] = [];
    const s = createRefusalSummary({ clock, record: async (e) => void written.push(e), maxClients: 3 });
    for (let i = 0; i < 10; i++)
      for (let j = 0; j < 4; j++) await s.refuse({ client: `addr:10.0.0.${i}`, reason: 'rate-limited', event: event('rate-limited') });
    expect(written).toHaveLength(3);
    await s.close();
    const summaries = written.slice(3).map((e) => (e.query as { summary: { refusals: number; client: string } }).summary);
    expect(summaries.filter((x) => x.client !== 'other').map((x) => x.refusals)).toEqual([3, 3, 3]);
    expect(summaries.find((x) => x.client === 'other')!.refusals).toBe(28);
  });

  it('writes a summary only for windows that have ended when flushed by its timer', async () => {
    const clock = testClock();
    const written: AccessEventInput[] = [];
    const s = createRefusalSummary({ clock, record: async (e) => void written.push(e), windowMs: 60_000 });
    for (let i = 0; i < 5; i++) await s.refuse({ client: 'addr:x', reason: 'sign-in-required', event: event('sign-in-required') });
    await s.flush();
    expect(written).toHaveLength(1);
    clock.set('2026-11-23T10:01:00Z');
    await s.flush();
    expect(written).toHaveLength(2);
    expect(written[1]!.reason).toBe('sign-in-required (summary): 4 more from this client in this window');
    await s.close();
  });
});

describe('TRUST_PROXY', () => {
  it('parses HEADER:HOPS and refuses anything else', () => {
    expect(loadConfig({ TRUST_PROXY: 'X-Forwarded-For:2' }).trustProxy).toEqual({ header: 'x-forwarded-for', hops: 2 });
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(ConfigError);
  });

  it('reads the RFC 7239 Forwarded header, hops counted from the right', async () => {
    const t = await floodApp({ trustProxy: { header: 'forwarded', hops: 2 } });
    const hit = (fwd: string) => t.app.request(`/q/${'A'.repeat(24)}`, { headers: { forwarded: fwd } });
    for (let i = 0; i < 60; i++) await hit(`for=1.1.1.${i % 250}, for="[2001:db8::1]:4711";proto=https, for=192.0.2.9`);
    expect((await hit('for=9.9.9.9, for="[2001:db8::1]:1234", for=192.0.2.9')).status).toBe(429);
    expect((await hit('for="[2001:db8::2]", for=192.0.2.9')).status).toBe(303);
  });
});

describe('refused tokens (401)', () => {
  it('are logged as denied with the reason, never the token, and summarised per address and reason', async () => {
    const base = await testApp();
    const refusals = createRefusalSummary({ clock: base.clock, record: (e) => base.accessLog.record(e) });
    const app = createApp({
      db: base.db,
      clock: base.clock,
      logger: silentLogger(),
      devIssuer: base.devIssuer,
      accessLog: base.accessLog,
      publicBaseUrl: '',
      refusals,
    });
    const bad = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ';
    expect((await app.request('/api/v1/plans/ABCDEFGHIJKLMNOP')).status).toBe(401);
    for (let i = 0; i < 30; i++) {
      const res = await app.request('/api/v1/search?q=smith', { headers: { authorization: `Bearer ${bad}` } });
      expect(res.status).toBe(401);
    }
    const first = await base.events();
    expect(first.map((e) => [e.action, e.channel, e.outcome, e.reason?.split(':')[0]])).toEqual([
      ['view', 'api', 'denied', 'unauthenticated (missing-token)'],
      ['search', 'api', 'denied', 'unauthenticated (invalid-token)'],
    ]);
    await refusals.close();
    const all = await base.events();
    expect(all).toHaveLength(3);
    expect(all[2]!.reason).toBe('unauthenticated (invalid-token) (summary): 29 more from this client in this window');
    expect(JSON.stringify(all)).not.toContain(bad.split('.')[2]);
  });
});

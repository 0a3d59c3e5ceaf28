import { describe, expect, it } from 'vitest';
import { MAX_PENDING_SIGN_INS } from '../../../src/server/auth/oidc.js';
import { countRows } from '../../helpers.js';
import { setUp } from './oidc-app.js';

/**
 * Issue 20 item 4: anyone can call /auth/callback and /sign-in/:org. A made-up callback cost one
 * permanent access event each, and each started sign-in one pending_sign_ins row: both are bounded now.
 */
const get = (url: string, from: string) => fetch(url, { redirect: 'manual', headers: { 'x-forwarded-for': from } });
const eventsNow = async (t: {
  accessLog: { planLookup(): Promise<unknown> };
  events(): Promise<{ action: string; reason: string | null; query: unknown }[]>;
}) => {
  await t.accessLog.planLookup();
  return (await t.events()).filter((e) => e.action === 'sign-in');
};

describe('an anonymous flood of the sign-in routes', () => {
  it('made-up callbacks are summarised per client and window, not one permanent event each', { timeout: 60_000 }, async () => {
    const { t, appUrl, refusals } = await setUpWith();
    const statuses = new Set<number>();
    for (let i = 0; i < 300; i++) statuses.add((await get(`${appUrl}/auth/callback?state=made-up-${i}&code=y`, '198.51.100.7')).status);
    expect([...statuses]).toEqual([400]);
    // The first refusal is visible at once; the other 299 are counted, not written.
    const during = await eventsNow(t);
    expect(during.map((e) => e.reason)).toEqual(['bad-state']);
    expect(JSON.stringify(during)).not.toContain('198.51.100.7');

    t.clock.set(new Date(t.clock().getTime() + 61_000).toISOString());
    await refusals.flush();
    const after = await eventsNow(t);
    expect(after).toHaveLength(2);
    expect((after[1]!.query as { summary: { refusals: number } }).summary.refusals).toBe(299);
  });

  it('starting sign-in is limited per client (429 page, summarised), and other clients still get through', {
    timeout: 60_000,
  }, async () => {
    const { t, appUrl } = await setUpWith();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await get(`${appUrl}/sign-in/capital-police`, '203.0.113.5')).status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(70);
    const pending = () => countRows(t.db, 'pending_sign_ins');
    expect(await pending()).toBe(30);
    const refusedPage = await get(`${appUrl}/sign-in/capital-police`, '203.0.113.5');
    expect(refusedPage.status).toBe(429);
    expect(refusedPage.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refusedPage.text()).toContain('Too many sign-in attempts');
    // One event for the first refusal; the rest wait for the window's summary.
    expect((await eventsNow(t)).map((e) => e.reason)).toEqual(['rate-limited']);
    expect((await get(`${appUrl}/sign-in/capital-police`, '203.0.113.6')).status).toBe(303);
    expect(await pending()).toBe(31);
  });

  it('beyond the cap on sign-ins under way across all clients, new ones are refused politely', { timeout: 60_000 }, async () => {
    const { t, appUrl } = await setUpWith();
    const until = t.clock().getTime() + 600_000;
    const rows = Array.from({ length: MAX_PENDING_SIGN_INS }, (_, i) => ({
      stateHash: `synthetic-${i}`,
      bindingHash: 'b',
      orgSlug: 'capital-police',
      nonce: 'n',
      codeVerifier: 'v',
      returnTo: '/',
      expiresAt: until,
    }));
    // In slices: one statement's parameters are limited (32,766 on SQLite).
    for (let i = 0; i < rows.length; i += 1000) await t.db.exec(t.db.q.insert(t.db.t.pendingSignIns).values(rows.slice(i, i + 1000)));
    const res = await get(`${appUrl}/sign-in/capital-police`, '192.0.2.44');
    expect(res.status).toBe(429);
    expect(await countRows(t.db, 'pending_sign_ins')).toBe(MAX_PENDING_SIGN_INS);
    // Once they expire, sign-in works again.
    t.clock.set(new Date(until + 1000).toISOString());
    expect((await get(`${appUrl}/sign-in/capital-police`, '192.0.2.44')).status).toBe(303);
  });
});

/** The app and its provider, with TRUST_PROXY so that requests can come from different addresses. */
const setUpWith = () => setUp({ trustProxy: { header: 'x-forwarded-for', hops: 1 } });

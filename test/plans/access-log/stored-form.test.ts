import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { importJWK, SignJWT, type JWK } from 'jose';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createAccessLog, type AccessEventInput } from '../../../src/plans/access-log/log.js';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { DEV_ISSUER, TOKEN_AUDIENCE } from '../../../src/server/auth/dev-issuer.js';
import { testApp, testClock, testStore, who, type TestApp } from '../../helpers.js';

const NO_SUCH_PLAN = 'AAAAAAAAAAAAAAAA';

/** The test app's log signs a checkpoint in every commit: verified with its public key. */
const auditKey = (t: TestApp) => loadAuditSigner(t.keysDir, { create: false })!.publicKeyPem;

/** A token signed by the test app's development issuer with whatever claims the test wants, typed or not. */
async function rawToken(t: TestApp, claims: Record<string, unknown>) {
  const jwk = JSON.parse(fs.readFileSync(path.join(t.dir, 'keys', 'dev-issuer.jwk.json'), 'utf8')) as JWK;
  const key = await importJWK(jwk, 'EdDSA');
  const iat = Math.floor(t.clock().getTime() / 1000);
  return new SignJWT({ iss: DEV_ISSUER, aud: TOKEN_AUDIENCE, iat, exp: iat + 600, ...claims })
    .setProtectedHeader({ alg: 'EdDSA' })
    .sign(key);
}

const base = (over: Partial<AccessEventInput> = {}): AccessEventInput => ({
  actor: { sub: 'medic.test', org: 'metro-ambulance', roles: ['responder'] },
  action: 'view',
  channel: 'api',
  purpose: 'INC-1',
  planId: NO_SUCH_PLAN,
  outcome: 'allowed',
  ...over,
});

describe('the chain hashes exactly what is stored', () => {
  it('a JSON body whose key is a lone surrogate: 400, and the log still verifies', async () => {
    const t = await testApp();
    const res = await t.call(who.author, 'POST', `/api/v1/plans/${NO_SUCH_PLAN}/cards`, { body: '{"\\ud800x":1}' });
    expect(res.status).toBe(400);
    const events = await t.events();
    expect(events).toHaveLength(1);
    expect(events[0]!.outcome).toBe('denied');
    expect(events[0]!.reason).toContain('\uFFFDx');
    expect((await t.call(who.author, 'GET', `/api/v1/plans/${NO_SUCH_PLAN}/cards`)).status).toBe(404);
    expect(await verifyAuditLog(t.db, auditKey(t))).toMatchObject({ ok: true, events: 2 });
  });

  it.each([
    ['a numeric sub', 12345],
    ['an object sub', { id: 'x' }],
    ['an empty sub', ''],
    ['a sub with control characters', 'pc.\u0000evil\n'],
    ['a sub with a lone surrogate', 'pc.\ud800'],
  ])('a token with %s is a 401, and the log still verifies', async (_n, sub) => {
    const t = await testApp();
    const token = await rawToken(t, { sub, org: 'capital-police', roles: ['responder'] });
    const get = (authorization: string) =>
      t.app.request('/api/v1/search?q=nobody', { headers: { authorization, 'x-access-purpose': 'INC-1' } });
    const [bad, good] = await Promise.all([get(`Bearer ${token}`), get(`Bearer ${await t.tokenFor(who.officer)}`)]);
    expect(bad.status).toBe(401);
    expect(good.status).toBe(200);
    expect(await verifyAuditLog(t.db, auditKey(t))).toMatchObject({ ok: true });
  });

  it('roles of the wrong type are a 401 too', async () => {
    const t = await testApp();
    const token = await rawToken(t, { sub: 'pc.test', org: 'capital-police', roles: [{ r: 1 }] });
    const res = await t.app.request('/api/v1/search?q=x', { headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-1' } });
    expect(res.status).toBe(401);
  });

  it('odd values reaching record() are stored as text in one batch; nobody else is refused', async () => {
    const db = await testStore();
    const log = createAccessLog(db, { clock: testClock() });
    const odd: AccessEventInput[] = [
      base({ actor: { sub: 12345 as unknown as string, org: 'metro-ambulance', roles: ['responder'] } }),
      base({ actor: { sub: { id: 1 } as unknown as string, org: 'metro-ambulance', roles: [7 as unknown as string] } }),
      base({ purpose: 'x\ud800y', reason: '\udc00'.repeat(600), query: { '\ud800x': '\u0007', n: NaN, deep: [[[[[1]]]]] } }),
      base({ versionId: 1.5, planId: '\ud83d\ude00'.repeat(200), resultPlanIds: ['a\ud800'] }),
    ];
    const results = await Promise.allSettled([base(), ...odd, base()].map((e) => log.record(e)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
    expect(log.stats().batches).toBe(1);
    await log.close();
    expect(await verifyAuditLog(db, undefined)).toMatchObject({ ok: true, events: 6 });
    const rows = await db.many<{ sub: string; planId: string; versionId: number | null }>(
      sql`SELECT actor_sub AS sub, plan_id AS "planId", version_id AS "versionId" FROM access_events ORDER BY seq`,
    );
    expect(rows[1]!.sub).toBe('12345');
    expect(rows[2]!.sub).toBe('{"id":1}');
    expect([...rows[4]!.planId]).toHaveLength(100); // 100 emoji: cut on code points, never half a pair
    expect(rows[4]!.versionId).toBeNull();
  });
});

// Strings with lone surrogates and controls mixed in explicitly: fc.string alone rarely produces them.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 20 }),
  fc
    .array(
      fc.oneof(fc.constantFrom('\ud800', '\udfff', '\u0000', '\u0085', '\u2028', '\ud83d\ude00', '"', '\\'), fc.string({ maxLength: 5 })),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
  fc.string({ unit: 'binary', minLength: 490, maxLength: 620 }),
);
const jsonish = fc.dictionary(
  nasty,
  fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 })),
  { maxKeys: 4 },
);
const anything = fc.oneof(nasty, fc.integer(), fc.constant(null), fc.object({ maxDepth: 2, maxKeys: 3 }));

const bytes = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
// A header value is Latin-1 without NUL, CR or LF: C1 controls and the rest still get through.
const latin1 = (s: string) =>
  [...s]
    .map((c) => String.fromCharCode(c.charCodeAt(0) & 0xff))
    .join('')
    .replace(/[\0\r\n]/g, '')
    .trim();

describe('property: whatever enters an event, verify-audit stays clean', () => {
  it('through accessLog.record(), with the real writer and store', async () => {
    const db = await testStore();
    const log = createAccessLog(db, { clock: testClock() });
    let written = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            sub: anything,
            org: nasty,
            roles: fc.array(anything, { maxLength: 3 }),
            purpose: nasty,
            planId: nasty,
            reason: nasty,
            query: jsonish,
            ids: fc.array(nasty, { maxLength: 4 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (events) => {
          await Promise.all(
            events.map((x) =>
              log.record({
                actor: { sub: x.sub as string, org: x.org, roles: x.roles as string[] },
                action: 'search',
                channel: 'api',
                purpose: x.purpose,
                planId: x.planId,
                query: x.query,
                resultPlanIds: x.ids,
                outcome: 'denied',
                reason: x.reason,
              }),
            ),
          );
          written += events.length;
        },
      ),
      { numRuns: 60, seed: 20261123 },
    );
    await log.close();
    expect(await verifyAuditLog(db, undefined)).toMatchObject({ ok: true, events: written });
  });

  it('through HTTP routes: query strings, bodies and purposes', async () => {
    // Every search must reach the event path: no per-person limit (its refusals are summarised).
    const t = await testApp({ searchLimits: { perMinute: 1_000_000, perHour: 1_000_000 } });
    await fc.assert(
      fc.asyncProperty(nasty, nasty, jsonish, async (purpose, q, body) => {
        const token = await t.tokenFor(who.author);
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        // A URL carries bytes: every string as UTF-8, plus bytes that are not UTF-8 at all.
        const url = `/api/v1/search?q=${bytes(q)}&${bytes(q)}%ED%A0%80=${bytes(purpose)}%FF`;
        await t.app.request(url, { headers: { ...headers, 'x-access-purpose': latin1(purpose) || 'INC-1' } });
        await t.app.request(`/api/v1/plans/${NO_SUCH_PLAN}/cards`, { method: 'POST', headers, body: JSON.stringify(body) });
      }),
      { numRuns: 25, seed: 20261124 },
    );
    expect((await t.events()).length).toBeGreaterThanOrEqual(50);
    expect(await verifyAuditLog(t.db, auditKey(t))).toMatchObject({ ok: true });
  });
});

import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createSessions, insertSession, SESSION_COOKIE } from '../../../src/server/auth/session.js';
import { databaseFile, openDatabase, tempDir, testClock } from '../../helpers.js';

const actor = { sub: 'pc.touch', org: 'capital-police', orgKind: 'police' as const, roles: ['responder' as const] };

/** A real database and the sessions over it, read through a real Hono request with the cookie. */
async function setUp() {
  const db = openDatabase(databaseFile(tempDir()));
  const clock = testClock('2026-11-23T10:00:00.000Z');
  const sessions = createSessions({ db, clock, secure: () => false, maxMs: 12 * 3600_000, idleMs: 30 * 60_000 });
  const id = await insertSession(db, { actor, method: 'dev', expiresAt: clock().getTime() + 12 * 3600_000 }, clock().getTime());
  const app = new Hono().get('/', async (c) => {
    const r = await sessions.read(c);
    return c.json(r && 'session' in r ? { ok: true } : { ended: r?.ended ?? null });
  });
  const read = async () =>
    (await (await app.request('/', { headers: { cookie: `${SESSION_COOKIE}=${id}` } })).json()) as { ok?: true; ended?: string | null };
  const lastSeen = async () => (await db.one<{ t: number }>(sql`SELECT last_seen_at AS t FROM web_sessions`))!.t;
  return { clock, sessions, read, lastSeen };
}

describe('session last-seen writes', () => {
  it('a use is remembered at once in this process and written to the database together with others, not per request', async () => {
    const { clock, sessions, read, lastSeen } = await setUp();
    const started = await lastSeen();
    // 20 minutes on: the read is a use, but the row is not written on the request path.
    clock.set('2026-11-23T10:20:00.000Z');
    expect(await read()).toEqual({ ok: true });
    expect(await lastSeen()).toBe(started);
    // 45 minutes after sign-in but 25 after the last use: still alive (idle is 30), because this
    // process knows of the unwritten use.
    clock.set('2026-11-23T10:45:00.000Z');
    expect(await read()).toEqual({ ok: true });
    await sessions.flushTouches();
    expect(await lastSeen()).toBe(new Date('2026-11-23T10:45:00.000Z').getTime());
  });

  it('without a use for the idle time the session still ends', async () => {
    const { clock, read } = await setUp();
    clock.set('2026-11-23T10:31:00.000Z');
    expect(await read()).toEqual({ ended: 'idle' });
    expect(await read()).toEqual({ ended: null });
  });
});

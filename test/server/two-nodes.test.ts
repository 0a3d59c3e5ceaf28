import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { issueCard } from '../../src/plans/cards/cards.js';
import { configureOidc, oidcConfigInputSchema, sealClientSecret } from '../../src/plans/oidc-config.js';
import { createSessions, insertSession, SESSION_COOKIE } from '../../src/server/auth/session.js';
import { onCleanup } from '../cleanup.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testClock, who, type Who } from '../helpers.js';
import { roamingBrowser, twoNodes, within, type TestNode } from '../support/two-apps.js';
import { httpClient, startTestProvider } from './auth/oidc-helpers.js';

const policeAdmin: Who = { sub: 'admin.cp', org: 'capital-police', roles: ['admin'] };
const record = (ref = 'SB-000001', familyName = "O'Sullivan-Nowak") => importRecordFrom(planBody({ externalRef: ref, familyName }));
const byRef = (n: TestNode, ref = 'SB-000001') => n.call(who.officer, 'GET', `/api/v1/plans?externalRef=${ref}&org=southbank-mh`);

describe('two nodes on one PostgreSQL: the read path', () => {
  it('a publish on A is read on B, and a withdrawal on A refused on B, each within a second', async () => {
    const t = await twoNodes();
    // B has looked and found nothing: it remembers the miss until something changes.
    expect((await byRef(t.b)).status).toBe(404);
    expect((await byRef(t.b)).status).toBe(404);
    await publishPlans(t.a.db, [record()]);
    const published = await within(
      1000,
      () => byRef(t.b),
      (r) => r.status === 200,
    );
    expect(published).toBeLessThan(1000);
    const planId = await planIdOf(t.db, 'SB-000001');
    expect((await t.b.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).json.version).toBe(1);

    const withdrawn = await t.a.call(who.approver, 'POST', `/api/v1/plans/${planId}/versions/1/withdraw`, {
      body: { reason: 'care plan closed' },
    });
    expect(withdrawn.status).toBe(200);
    const refused = await within(
      1000,
      () => t.b.call(who.officer, 'GET', `/api/v1/plans/${planId}`),
      (r) => r.status === 410,
    );
    expect(refused).toBeLessThan(1000);
  });

  it('an agreement ended on A is refused on B at once: the next read after the change', async () => {
    const t = await twoNodes();
    await publishPlans(t.a.db, [record()]);
    const planId = await planIdOf(t.db, 'SB-000001');
    // Warm B's caches (pointer, organisations, agreement check).
    for (let i = 0; i < 3; i++) expect((await t.b.call(who.officer, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
    const ended = await t.a.call(who.admin, 'POST', '/api/v1/admin/agreements/DSA-DEMO-001/end', {
      body: { reason: 'police force withdrew from the scheme' },
    });
    expect(ended.status).toBe(200);
    const read = await t.b.call(who.officer, 'GET', `/api/v1/plans/${planId}`);
    expect(read.status).toBe(403);
    const onB = (await t.events()).filter((e) => e.action === 'view' && e.actorSub === who.officer.sub);
    expect(onB.at(-1)).toMatchObject({ outcome: 'denied', planId });
  });

  it('an organisation disabled on A stops its tokens on B at once', async () => {
    const t = await twoNodes();
    expect((await t.b.call(who.officer, 'GET', '/api/v1/search?q=anyone')).status).toBe(200);
    const disabled = await t.a.call(policeAdmin, 'POST', '/api/v1/admin/organisations/capital-police/disable', {
      body: { reason: 'force merged into another' },
    });
    expect(disabled.status).toBe(200);
    expect((await t.b.call(who.officer, 'GET', '/api/v1/search?q=anyone')).status).toBe(401);
  });
});

describe('two nodes on one PostgreSQL: limits', () => {
  it("count a person's searches across both nodes, also when they race, with one first refusal and one summary between them", async () => {
    const t = await twoNodes({ searchLimits: { perMinute: 3, perHour: 5 } });
    const search = (n: TestNode, w: Who) => n.call(w, 'GET', '/api/v1/search?q=sullivan');
    expect((await search(t.a, who.officer)).status).toBe(200);
    expect((await search(t.b, who.officer)).status).toBe(200);
    expect((await search(t.a, who.officer)).status).toBe(200);
    const limited = await search(t.b, who.officer);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await search(t.a, who.officer)).status).toBe(429);

    // Sixteen at once, half on each node: three pass, not three per node.
    const racer: Who = { ...who.officer, sub: 'pc.racer' };
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => search(i % 2 ? t.b : t.a, racer)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(13);

    await Promise.all([t.a.refusals.close(), t.b.refusals.close()]);
    const refusals = (await t.events()).filter((e) => e.actorSub === 'pc.racer' && e.outcome === 'denied');
    // One first refusal logged for the window, whichever node saw it, and one summary counting the rest.
    expect(refusals.map((e) => e.reason)).toEqual(['rate-limited', 'rate-limited (summary): 12 more from this client in this window']);
  });

  it("count a card's look-ups and a client's failures across both nodes", async () => {
    const t = await twoNodes();
    await publishPlans(t.a.db, [record()]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const issued = await issueCard(t.a.db, { ...who.author, orgKind: 'mental-health' }, planId, {}, t.clock());
    if (!issued.ok) throw new Error(issued.detail);
    const b = roamingBrowser();
    await b.signIn(t.a, 'demo.paramedic');
    await b.statePurpose(t.b);
    const scan = `/q/${issued.value.token}`;
    // Per card and client: 20 in ten minutes, wherever they land.
    for (let i = 0; i < 20; i++) expect((await b.get(i % 2 ? t.b : t.a, scan)).status, `scan ${i}`).toBe(303);
    expect((await b.get(t.a, scan)).status).toBe(429);
    expect((await b.get(t.b, scan)).status).toBe(429);

    // Five failed guesses, spread over both nodes, pause the guesser on both.
    const guesser = roamingBrowser();
    await guesser.signIn(t.b, 'demo.officer');
    await guesser.statePurpose(t.a);
    for (let i = 0; i < 5; i++) expect((await guesser.get(i % 2 ? t.b : t.a, `/q/${'x'.repeat(42)}${i}`)).status, `guess ${i}`).toBe(404);
    expect((await guesser.get(t.a, scan)).status).toBe(429);
    expect((await guesser.get(t.b, scan)).status).toBe(429);
  });
});

describe('two nodes on one PostgreSQL: sessions and sign-in', () => {
  it('a session begun on A works on B, and signing out on A ends it on B at once', async () => {
    const t = await twoNodes();
    const b = roamingBrowser();
    await b.signIn(t.a, 'demo.officer');
    // Signed in (no purpose stated yet, so the search page would send it to /purpose first).
    expect((await b.get(t.b, '/purpose')).status).toBe(200);
    const cookie = b.jar.get(SESSION_COOKIE)!;
    expect((await b.post(t.a, '/sign-out', {})).status).toBe(303);
    // The same cookie, replayed on B: the session is gone there too.
    b.jar.set(SESSION_COOKIE, cookie);
    const after = await b.get(t.b, '/purpose');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/sign-in/);
  });

  it('a use on A late in the idle time is seen by B at once, so B does not end the session early', async () => {
    const t = await twoNodes();
    const idleMs = 30 * 60_000;
    const actor = { sub: 'pc.touch', org: 'capital-police', orgKind: 'police' as const, roles: ['responder' as const] };
    const sessions = (n: TestNode) => createSessions({ db: n.db, clock: t.clock, secure: () => false, maxMs: 12 * 3600_000, idleMs });
    const [onA, onB] = [sessions(t.a), sessions(t.b)];
    const id = await insertSession(t.a.db, { actor, method: 'dev', expiresAt: t.clock().getTime() + 12 * 3600_000 }, t.clock().getTime());
    const reader = (s: ReturnType<typeof sessions>) =>
      new Hono().get('/', async (c) => {
        const r = await s.read(c);
        return c.json(r && 'session' in r ? { ok: true } : { ended: r?.ended ?? null });
      });
    const read = async (s: ReturnType<typeof sessions>) =>
      (await (await reader(s).request('/', { headers: { cookie: `${SESSION_COOKIE}=${id}` } })).json()) as {
        ok?: true;
        ended?: string | null;
      };
    // Early in the idle time a use waits in A's memory for the next flush (the read path stays a SELECT) …
    t.clock.set('2026-11-23T10:10:00.000Z');
    expect(await read(onA)).toEqual({ ok: true });
    // … but 29 min 55 s after that (no flush has run: the test clock stands still for the timer) the row
    // says nearly idle, so A writes the use at once, and B, five seconds on, sees it.
    t.clock.set('2026-11-23T10:39:55.000Z');
    expect(await read(onA)).toEqual({ ok: true });
    t.clock.set('2026-11-23T10:40:05.000Z');
    expect(await read(onB)).toEqual({ ok: true });
    const [row] = await t.db.many<{ t: number }>(sql`SELECT last_seen_at AS t FROM web_sessions`);
    expect(Number(row!.t)).toBe(Date.parse('2026-11-23T10:39:55.000Z'));
  });

  it('a sign-in begun on A (to the provider) finishes on B, once', async () => {
    const t = await twoNodes({ clock: testClock(new Date().toISOString()) });
    // Both nodes behind one address (the load balancer's): the redirect URI the provider knows.
    const serveNode = async (n: TestNode) => {
      const server = serve({ fetch: n.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise<void>((r) => server.once('listening', () => r()));
      onCleanup(
        () =>
          new Promise<void>((r) => {
            (server as unknown as { closeAllConnections(): void }).closeAllConnections();
            server.close(() => r());
          }),
      );
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const [urlA, urlB] = [await serveNode(t.a), await serveNode(t.b)];
    t.setPublicBaseUrl(urlA);
    const clientSecret = 'synthetic-test-secret-0123456789';
    const provider = await startTestProvider({
      users: [{ sub: 'pc.oidc', name: 'PC Synthetic', groups: ['ops-responders'] }],
      claims: ['groups'],
      clients: [{ clientId: 'rpl-capital', clientSecret, redirectUri: `${urlA}/auth/callback` }],
    });
    onCleanup(provider.stop);
    const input = oidcConfigInputSchema.parse({
      org: 'capital-police',
      issuer: provider.issuer,
      clientId: 'rpl-capital',
      rolesClaim: 'groups',
      roleMap: 'ops-responders=responder',
    });
    expect((await configureOidc(t.a.db, input, sealClientSecret(t.a.secrets, 'capital-police', clientSecret), t.clock())).ok).toBe(true);

    const client = httpClient();
    const toLogin = await client.follow('GET', `${urlA}/sign-in/capital-police`);
    const action = /<form method="post" action="([^"]+)">/.exec(toLogin.text)?.[1];
    expect(action, toLogin.text.slice(0, 200)).toBeDefined();
    const back = await client.follow('POST', new URL(action!, toLogin.url).toString(), { user: 'pc.oidc' }, (u) =>
      u.startsWith(`${urlA}/auth/callback`),
    );
    expect(back.location).toMatch(/\/auth\/callback\?/);
    // The provider sends the browser back to the shared address; this time the balancer picks B.
    const hostA = new URL(urlA).host;
    client.jars.set(new URL(urlB).host, client.jars.get(hostA)!);
    const callback = back.location!.replace(urlA, urlB);
    const done = await client.request('GET', callback);
    expect(done.status, done.text.slice(0, 300)).toBe(303);
    expect(client.jars.get(hostA)!.get(SESSION_COOKIE)).toBeTruthy();
    expect((await client.get(`${urlB}/purpose`)).status).toBe(200);
    expect((await client.get(`${urlA}/purpose`)).status).toBe(200);
    // The pending sign-in was used up on B: the same callback again, on A, is refused.
    const replay = await client.request('GET', back.location!);
    expect(replay.status).toBeGreaterThanOrEqual(400);
    const signIns = (await t.events()).filter((e) => e.action === 'sign-in');
    expect(signIns.map((e) => [e.actorSub, e.outcome])).toContainEqual(['pc.oidc', 'allowed']);
  });
});

describe('two nodes on one PostgreSQL: card scans', () => {
  it('a QR scan on A followed by the plan page on B is logged as a QR view, once', async () => {
    const t = await twoNodes();
    await publishPlans(t.a.db, [record()]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const issued = await issueCard(t.a.db, { ...who.author, orgKind: 'mental-health' }, planId, {}, t.clock());
    if (!issued.ok) throw new Error(issued.detail);
    const b = roamingBrowser();
    await b.signIn(t.a, 'demo.paramedic');
    await b.statePurpose(t.a);
    const scanned = await b.get(t.a, `/q/${issued.value.token}`);
    expect(scanned.status).toBe(303);
    expect(scanned.location).toBe(`/plans/${planId}?via=qr`);
    expect((await b.get(t.b, scanned.location!)).status).toBe(200);
    // A reload (on either node) is an ordinary web view.
    expect((await b.get(t.a, scanned.location!)).status).toBe(200);
    const views = (await t.events()).filter((e) => e.action === 'view' && e.planId === planId);
    expect(views.map((e) => [e.channel, e.outcome])).toEqual([
      ['qr', 'allowed'],
      ['web', 'allowed'],
    ]);
  });
});

describe('two nodes on one PostgreSQL: the console', () => {
  it('a card issued on A is shown on B after the redirect, to its author only, and sealed in the database', async () => {
    const t = await twoNodes();
    await publishPlans(t.a.db, [record()]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const author = roamingBrowser();
    await author.signIn(t.a, 'demo.author');
    await author.statePurpose(t.a, 'Care plan review with the person');
    const cards = await author.get(t.b, `/manage/plans/${planId}/cards`);
    expect(cards.status).toBe(200);
    const posted = await author.post(t.a, `/manage/plans/${planId}/cards`, { text: 'I have a crisis plan.' });
    expect(posted.status, posted.text.slice(0, 300)).toBe(303);
    const shown = await author.get(t.b, posted.location!);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Card 1 issued for');
    const code = /[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{3}/.exec(shown.text)?.[0];
    expect(code).toBeDefined();
    // A refresh on A shows it again; another person on either node does not get it.
    expect((await author.get(t.a, posted.location!)).text).toBe(shown.text);
    const other = roamingBrowser();
    await other.signIn(t.b, 'demo.approver');
    const notTheirs = await other.get(t.a, posted.location!);
    expect(notTheirs.status).not.toBe(200);
    expect(notTheirs.text).not.toContain(code!);
    // What the database holds is sealed: neither the code nor the card's address is in it.
    const rows = await t.db.many<{ value: string }>(sql`SELECT value FROM handoffs`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.value).not.toContain(code!);
      expect(r.value).not.toContain(code!.replaceAll('-', ''));
      expect(r.value).not.toContain('/q/');
    }
  });
});

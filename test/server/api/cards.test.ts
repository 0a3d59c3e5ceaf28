import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { issueCard } from '../../../src/plans/cards/cards.js';
import { createApp } from '../../../src/server/app.js';
import { silentLogger } from '../../../src/logger.js';
import { createCardGuard } from '../../../src/server/guards/card-guard.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, tempDir, testApp, who, type TestApp } from '../../helpers.js';
import { browser, decodePdfImage, decodePng, pdfText, renderPdf } from '../web/helpers.js';
import { counterBackends, sharedParts } from '../../support/shared-state.js';

const BASE = 'http://127.0.0.1:8080';

/**
 * The card and page events this request path writes one by one (not the refusals a stranger can repeat,
 * which go to the flood summariser, nor sign-ins), read back from the real access log.
 */
async function pageEvents(t: TestApp) {
  return (await t.events())
    .filter((e) => (e.channel === 'qr' || e.channel === 'web') && ['qr-scan', 'view', 'search'].includes(e.action))
    .filter((e) => e.reason !== 'sign-in-required' && !e.reason?.startsWith('rate-limited'))
    .map((e) => {
      const q = (e.query ?? {}) as { card?: 'token' | 'code'; cardId?: number | null; failuresInWindow?: number };
      return {
        action: e.action,
        channel: e.channel,
        outcome: e.outcome,
        planId: e.planId ?? undefined,
        reason: e.reason ?? undefined,
        purpose: e.purpose,
        actor: e.actorSub ? { sub: e.actorSub, org: e.actorOrg } : null,
        card: q.card ? { via: q.card, cardId: q.cardId ?? undefined, failuresInWindow: q.failuresInWindow } : undefined,
      };
    });
}

/** A published plan, an app over the test's access log, and a card issued for the plan. */
async function setUp(opts: { text?: string } = {}) {
  const t = await testApp();
  // The test app's own access log: one writer thread per database is enough.
  const app = t.appWith({ publicBaseUrl: BASE });
  const tt: TestApp = { ...t, app };
  await publishPlans(t.db, [importRecordFrom(planBody())]);
  const planId = await planIdOf(t.db, 'SB-000001');
  const card = await issue(tt, planId, opts.text ? { text: opts.text } : {});
  return { t: tt, events: () => pageEvents(tt), planId, card };
}

async function issue(t: TestApp, planId: string, body: object = {}) {
  const res = await t.call(who.author, 'POST', `/api/v1/plans/${planId}/cards`, { body, purpose: null });
  expect(res.status, res.text).toBe(201);
  return res.json as {
    cardId: number;
    url: string;
    code: string;
    replaced: { cardId: number; revokedAt: string }[];
    printed: { text: string; issuer: string };
    artefacts: { pdf: { base64: string }; png: { base64: string }; svg: { text: string } };
  };
}

const tokenOf = (url: string) => url.slice(`${BASE}/q/`.length);
const pathOf = (url: string) => new URL(url).pathname;

/** A signed-in responder with a purpose stated, as after the first scan of a shift. */
async function responder(t: TestApp, sub = 'demo.paramedic') {
  const b = browser(t);
  await b.signIn(sub);
  await b.statePurpose();
  return b;
}

describe('issuing a card', () => {
  it('returns the URL, the code and the card once; the QR in the PNG, the PDF image and the rendered PDF all open the plan', async () => {
    const { t, card, planId } = await setUp();
    expect(card.url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/q\/[A-Za-z0-9_-]{24}$/);
    expect(Buffer.from(tokenOf(card.url), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(card.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}$/);

    const pdf = Buffer.from(card.artefacts.pdf.base64, 'base64');
    expect(decodePng(Buffer.from(card.artefacts.png.base64, 'base64'))).toBe(card.url);
    expect(await decodePdfImage(pdf)).toBe(card.url);
    expect(decodePng(renderPdf(pdf, tempDir()).png)).toBe(card.url);
    expect(card.artefacts.svg.text).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    // The decoded URL, followed by a signed-in responder, lands on this plan.
    const b = await responder(t);
    const scan = await b.get(pathOf(decodePng(Buffer.from(card.artefacts.png.base64, 'base64'))!));
    expect(scan.status).toBe(303);
    expect(scan.location).toBe(`/plans/${planId}?via=qr`);

    // Only hashes are stored.
    const rows = await t.db.many(sql`SELECT * FROM plan_cards`);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(tokenOf(card.url));
    expect(stored).not.toContain(card.code.replace(/-/g, ''));
  });

  it('puts no personal data in the token, the QR payload or the card', async () => {
    const { t, card } = await setUp();
    const body = planBody();
    const personal = [
      body.subject.givenNames,
      ...body.subject.givenNames.split(' '),
      body.subject.familyName,
      body.subject.preferredName!,
      ...body.subject.aliases,
      body.subject.dateOfBirth,
      body.subject.nhsNumber!.replace(/\s/g, ''),
      body.plan.diagnosis!.text,
      'Waterloo',
      'SB-000001',
    ];
    const text = pdfText(Buffer.from(card.artefacts.pdf.base64, 'base64'), tempDir()).replace(/\s+/g, ' ');
    expect(text).toContain('I have a crisis plan. Scan with a responder device.');
    expect(text).toContain(card.code);
    expect(text).toContain('Southbank Mental Health Trust');
    const payload = decodePng(Buffer.from(card.artefacts.png.base64, 'base64'))!;
    const token = new URL(card.url).pathname.split('/q/')[1]!;
    expect(payload).toBe(card.url);
    expect(card.url).toBe(`${BASE}/q/${token}`); // the QR holds the address and a random token, nothing else
    // The token and code are random: by chance they may spell a short name ("eff"); that is no leak, so
    // they are blanked before the printed text is searched for what we know of the person.
    const scrub = (s: string) => s.replaceAll(token, '').replaceAll(card.code, '');
    for (const p of personal) {
      for (const where of [payload, text, card.artefacts.svg.text]) {
        expect(scrub(where).toLowerCase()).not.toContain(p.toLowerCase());
      }
    }
    // The printable PDF's raw bytes (metadata included) carry nothing either; compressed streams can hold
    // any three or four bytes by chance, so only strings that cannot occur by accident are looked for.
    const raw = Buffer.from(card.artefacts.pdf.base64, 'base64').toString('latin1');
    for (const p of personal.filter((x) => x.length >= 5)) expect(raw).not.toContain(p);
    expect(t).toBeDefined();
  });

  it('returns the printable card alone for Accept: application/pdf', async () => {
    const { t, planId, card: first } = await setUp();
    const res = await t.app.request(`/api/v1/plans/${planId}/cards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.tokenFor(who.author)}`, 'content-type': 'application/json', accept: 'application/pdf' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const url = await decodePdfImage(new Uint8Array(await res.arrayBuffer()));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/q\/[A-Za-z0-9_-]{24}$/);
    expect(url).not.toBe(first.url);
    const b = await responder(t);
    expect((await b.get(pathOf(url!))).location).toBe(`/plans/${planId}?via=qr`);
    expect((await b.get(pathOf(first.url))).status).toBe(404); // replaced at once
  });

  it('prints the text the person chose', async () => {
    const { card } = await setUp({ text: 'Call Eff by her name. I have a plan: please scan.' });
    const text = pdfText(Buffer.from(card.artefacts.pdf.base64, 'base64'), tempDir()).replace(/\s+/g, ' ');
    expect(text).toContain('Call Eff by her name. I have a plan: please scan.');
    expect(text).not.toContain('Scan with a responder device');
  });

  it("lets only the owning organisation's authors issue, list and revoke cards", async () => {
    const { t, planId } = await setUp();
    for (const w of [who.approver, who.otherTrustAuthor, who.paramedic, who.auditor]) {
      expect((await t.call(w, 'POST', `/api/v1/plans/${planId}/cards`, { body: {} })).status).toBe(403);
      expect((await t.call(w, 'DELETE', `/api/v1/plans/${planId}/cards/current`)).status).toBe(403);
    }
    expect((await t.call(null, 'POST', `/api/v1/plans/${planId}/cards`, { body: {} })).status).toBe(401);
    expect((await t.call(who.author, 'POST', '/api/v1/plans/AAAAAAAAAAAAAAAA/cards', { body: {} })).status).toBe(404);
    const bad = await t.call(who.author, 'POST', `/api/v1/plans/${planId}/cards`, { body: { text: 'x'.repeat(161) } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('text');
    const past = await t.call(who.author, 'POST', `/api/v1/plans/${planId}/cards`, { body: { graceUntil: '2026-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    const again = await t.call(who.author, 'GET', `/api/v1/plans/${planId}/cards/current.pdf`);
    expect(again.status).toBe(410);
    expect(again.json.detail).toContain('issue a new card');
    const list = await t.call(who.author, 'GET', `/api/v1/plans/${planId}/cards`);
    expect(list.json.cards.map((c: any) => c.status)).toEqual(['current']);
    expect(JSON.stringify(list.json)).not.toMatch(/token|code/i);
  });
});

describe('scanning a card', () => {
  it('an unsigned-in phone goes through sign-in and the purpose prompt, then to the current plan; one access event per look-up', async () => {
    const { t, card, planId, events } = await setUp();
    const b = browser(t);
    const q = pathOf(card.url);

    const first = await b.get(q);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/sign-in?return=${encodeURIComponent(q)}`);
    // Nothing about the card is looked up before sign-in, but the scan itself is recorded, as refused.
    // Anonymous refusals go through the flood summariser straight to the access log (refusal-summary.ts).
    expect(await events()).toEqual([]);
    expect((await t.events()).filter((e) => e.action === 'qr-scan')).toMatchObject([
      { actorSub: null, action: 'qr-scan', channel: 'qr', purpose: null, outcome: 'denied', reason: 'sign-in-required' },
    ]);

    const signInPage = await b.get(first.location!);
    expect(signInPage.text).toContain('Paramedic');
    const signedIn = await b.post('/sign-in', { user: 'demo.paramedic', return: q });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe(q);
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);

    const toPurpose = await b.get(q);
    expect(toPurpose.location).toBe(`/purpose?return=${encodeURIComponent(q)}`);
    const prompt = await b.get(toPurpose.location!);
    expect(prompt.text).toContain('value="scanned patient card"');
    const stated = await b.post('/purpose', { purpose: 'scanned patient card', return: q });
    expect(stated.location).toBe(q);

    const scan = await b.get(q);
    expect(scan.status).toBe(303);
    expect(scan.location).toBe(`/plans/${planId}?via=qr`);
    const plan = await b.get(scan.location!);
    expect(plan.status).toBe(200);
    expect(plan.headers.get('cache-control')).toBe('no-store');
    expect(plan.text).toContain('Speak to Eff by name');
    expect(plan.text).toContain('advice, not an instruction');
    expect(plan.text).toContain('Version 1');

    expect((await events()).map((e) => [e.action, e.channel, e.outcome, e.planId ?? e.reason, e.purpose, e.actor?.sub ?? null])).toEqual([
      ['qr-scan', 'qr', 'denied', 'purpose-required', null, 'demo.paramedic'],
      ['qr-scan', 'qr', 'allowed', planId, 'scanned patient card', 'demo.paramedic'],
      ['view', 'qr', 'allowed', planId, 'scanned patient card', 'demo.paramedic'],
    ]);
    expect((await events())[1]!.card).toMatchObject({ via: 'token', cardId: card.cardId, failuresInWindow: 0 });
  });

  it('asks for the purpose again when the last one was stated more than a few minutes before the scan', async () => {
    const { t, card } = await setUp();
    const b = await responder(t);
    expect((await b.get(pathOf(card.url))).status).toBe(303);
    t.clock.set('2026-11-23T10:11:00Z');
    const again = await b.get(pathOf(card.url));
    expect(again.location).toBe(`/purpose?return=${encodeURIComponent(pathOf(card.url))}`);
    // Pre-filled with what was said before, to confirm or change with one tap.
    expect((await b.get(again.location!)).text).toContain('value="INC-2026-0042 scanned card"');
  });

  it('always opens the current published version, even when the card was printed for an older one', async () => {
    const { t, card, planId } = await setUp();
    await publishPlans(t.db, [importRecordFrom(planBody({ summary: 'Version two: call the crisis café first.' }))]);
    const b = await responder(t);
    const scan = await b.get(pathOf(card.url));
    expect(scan.location).toBe(`/plans/${planId}?via=qr`);
    const plan = await b.get(scan.location!);
    expect(plan.text).toContain('Version two: call the crisis café first.');
    expect(plan.text).toContain('Version 2');
    expect(plan.text).not.toContain('Speak to Eff by name');
  });

  it("shows a withdrawn plan as withdrawn, with the owning team's contact and none of the content", async () => {
    const { t, card, events } = await setUp();
    const planId = await planIdOf(t.db, 'SB-000001');
    const w = await t.call(who.approver, 'POST', `/api/v1/plans/${planId}/versions/1/withdraw`, {
      body: { reason: 'Person moved out of area' },
    });
    expect(w.status).toBe(200);
    const b = await responder(t);
    const scan = await b.get(pathOf(card.url));
    expect(scan.status).toBe(410);
    expect(scan.text).toContain('This plan has been withdrawn');
    expect(scan.text).toContain('Southbank crisis team, 24/7: <a href="tel:08000000101">0800 000 0101</a>');
    expect(scan.text).not.toContain('Eff');
    expect(scan.text).not.toContain('Aoife');
    expect((await events()).at(-1)).toMatchObject({ action: 'qr-scan', outcome: 'denied', reason: 'withdrawn' });
    // No new card for a withdrawn plan.
    expect((await t.call(who.author, 'POST', `/api/v1/plans/${planId}/cards`, { body: {} })).status).toBe(409);
  });

  it('revoked and unknown cards get the same 404 page, which says what to do', async () => {
    const { t, card, planId, events } = await setUp();
    const b = await responder(t);
    const unknown = await b.get('/q/AAAAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await b.get('/q/not-a-token');
    expect((await t.call(who.author, 'DELETE', `/api/v1/plans/${planId}/cards/current`)).json).toEqual({ revoked: 1 });
    const revoked = await b.get(pathOf(card.url));
    for (const r of [unknown, malformed, revoked]) {
      expect(r.status).toBe(404);
      expect(r.text).toContain('control room');
    }
    expect(revoked.text).toBe(unknown.text);
    expect(malformed.text).toBe(unknown.text);
    expect((await events()).map((e) => e.reason)).toEqual(['unknown-card', 'unknown-card', 'revoked-card']);
    expect((await events()).map((e) => e.card?.failuresInWindow)).toEqual([1, 2, 3]);
    expect((await t.call(who.author, 'DELETE', `/api/v1/plans/${planId}/cards/current`)).status).toBe(404);
  });

  it('issuing a new card revokes the old one, at once or after a grace date', async () => {
    const { t, card: first, planId } = await setUp();
    const second = await issue(t, planId, { graceUntil: '2026-11-23T12:00:00Z' });
    expect(second.replaced).toEqual([{ cardId: first.cardId, revokedAt: '2026-11-23T12:00:00.000Z' }]);
    const b = await responder(t);
    expect((await b.get(pathOf(first.url))).status).toBe(303); // still in its grace period
    expect((await b.get(pathOf(second.url))).status).toBe(303);
    // The responder keeps using the service (no idle sign-out) until two hours on.
    for (const at of ['10:25', '10:50', '11:15', '11:40']) {
      t.clock.set(`2026-11-23T${at}:00Z`);
      expect((await b.get('/purpose')).status).toBe(200);
    }
    t.clock.set('2026-11-23T12:00:01Z');
    // Two hours on, the purpose stated for the earlier incident has lapsed: the prompt comes back.
    expect((await b.get(pathOf(first.url))).location).toMatch(/^\/purpose\?return=/);
    await b.statePurpose();
    expect((await b.get(pathOf(first.url))).status).toBe(404);
    expect((await b.get(pathOf(second.url))).status).toBe(303);
    const third = await issue(t, planId);
    expect(third.replaced.map((r) => r.cardId)).toEqual([second.cardId]);
    expect((await b.get(pathOf(second.url))).status).toBe(404);
    expect((await b.get(pathOf(third.url))).status).toBe(303);
  });

  it('refuses the plan to a responder with no agreement, without showing any of it', async () => {
    const { t, card, events } = await setUp();
    const b = await responder(t, 'demo.outsider');
    const scan = await b.get(pathOf(card.url));
    expect(scan.status).toBe(403);
    expect(scan.text).not.toContain('Eff');
    // The domain's reason, as the API records it: the same flag whichever channel the attempt came through.
    expect((await events()).at(-1)).toMatchObject({ outcome: 'denied', reason: 'forbidden (no-agreement)' });
  });
});

describe('the public base URL', () => {
  it('is read when the card is issued, not when the app is built (main.ts learns it once listening)', async () => {
    const t = await testApp();
    const deps = { db: t.db, clock: t.clock, logger: silentLogger(), devIssuer: t.devIssuer, publicBaseUrl: '' };
    const app = createApp(deps);
    deps.publicBaseUrl = 'https://plans.example.org';
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const res = await app.request(`/api/v1/plans/${await planIdOf(t.db, 'SB-000001')}/cards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.tokenFor(who.author)}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    const card = (await res.json()) as { url: string };
    expect(card.url).toMatch(/^https:\/\/plans\.example\.org\/q\//);
  });
});

describe('abuse resistance', () => {
  it('pauses a client after repeated failed look-ups, even for a real card', async () => {
    const { t, card, events } = await setUp();
    const b = await responder(t);
    for (let i = 0; i < 5; i++) expect((await b.get(`/q/${'B'.repeat(23)}${i}`)).status).toBe(404);
    const limited = await b.get(pathOf(card.url));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('Too many attempts');
    // Rate-limited refusals are summarised, so they go to the access log itself, not the page seam.
    expect((await t.events()).at(-1)).toMatchObject({
      outcome: 'denied',
      reason: 'rate-limited',
      query: { card: 'token', failuresInWindow: 5 },
    });
    expect((await events()).at(-1)).toMatchObject({ reason: 'unknown-card' });
    // Another responder is not affected, and the window slides on.
    expect((await (await responder(t, 'demo.nurse')).get(pathOf(card.url))).status).toBe(303);
    t.clock.set('2026-11-23T10:16:00Z');
    await b.statePurpose();
    expect((await b.get(pathOf(card.url))).status).toBe(303);
  });

  it('limits how often one client can look up one card, without locking the card for anyone else', async () => {
    const { t, card } = await setUp();
    const [a, b2] = [await responder(t, 'demo.paramedic'), await responder(t, 'demo.nurse')];
    for (let i = 0; i < 20; i++) expect((await a.get(pathOf(card.url))).status).toBe(303);
    expect((await a.get(pathOf(card.url))).status).toBe(429);
    expect((await b2.get(pathOf(card.url))).status).toBe(303);
  });

  it('limits look-ups per client', async () => {
    const { t, planId } = await setUp();
    const b = await responder(t);
    // Distinct real cards, so neither the failure nor the per-card limit is what stops it; stored as the
    // API stores them, without rendering 31 PDFs nobody looks at.
    const author = { ...who.author, orgKind: 'mental-health' as const };
    const paths: string[] = [];
    for (let i = 0; i < 31; i++) {
      const issued = await issueCard(t.db, author, planId, { graceUntil: new Date('2026-12-01T00:00:00Z') }, t.clock());
      if (!issued.ok) throw new Error(issued.detail);
      paths.push(`/q/${issued.value.token}`);
    }
    for (let i = 0; i < 30; i++) expect((await b.get(paths[i]!)).status).toBe(303);
    expect((await b.get(paths[30]!)).status).toBe(429);
  });

  it('limits anonymous hits per address before sign-in', async () => {
    const { t, card } = await setUp();
    const b = browser(t);
    for (let i = 0; i < 60; i++) expect((await b.get(pathOf(card.url))).status).toBe(303);
    expect((await b.get(pathOf(card.url))).status).toBe(429);
  });
});

describe('the typed code', () => {
  it('opens the plan from the code however it is typed, and catches typing slips', async () => {
    const { t, card, planId, events } = await setUp();
    const b = await responder(t);
    expect((await b.get('/code')).text).toContain('Enter the code from the card');
    const typed = card.code.toLowerCase().replace(/-/g, ' ');
    const ok = await b.post('/code', { code: typed });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/plans/${planId}?via=code`);
    expect((await events()).at(-1)).toMatchObject({ action: 'qr-scan', outcome: 'allowed', card: { via: 'code', cardId: card.cardId } });

    // Change one character: the check character catches it as a slip (not counted as a guess).
    const chars = card.code.replace(/-/g, '').split('');
    chars[2] = chars[2] === '7' ? '8' : '7';
    const slip = await b.post('/code', { code: chars.join('') });
    expect(slip.status).toBe(400);
    expect(slip.text).toContain('typing mistake');
    expect((await b.post('/code', { code: '12' })).status).toBe(400);
    expect(await events()).toHaveLength(1);
  });

  it('a well-formed code that matches no card is a counted failure, with the same page as an unknown card', async () => {
    const { t, events } = await setUp();
    const b = await responder(t);
    const { newShortCode } = await import('../../../src/plans/cards/code.js');
    const res = await b.post('/code', { code: newShortCode() });
    expect(res.status).toBe(404);
    expect(res.text).toBe((await b.get('/q/AAAAAAAAAAAAAAAAAAAAAAAA')).text);
    expect((await events()).map((e) => [e.reason, e.card?.via, e.card?.failuresInWindow])).toEqual([
      ['unknown-card', 'code', 1],
      ['unknown-card', 'token', 2],
    ]);
  });
});

describe.each(counterBackends)('the card limits, counted in $name', (backend) => {
  it('still have a per-card ceiling across clients, and failures still pause the client that makes them', async () => {
    const { clock, counters, handoffs } = await sharedParts(backend);
    const guard = createCardGuard(clock, { counters, handoffs });
    let allowed = 0;
    for (let c = 0; c < 20; c++)
      for (let i = 0; i < 15; i++) if ((await guard.attempt(`actor:org/p${c}`, 'card-secret')).wait === undefined) allowed++;
    expect(allowed).toBe(200);
    for (let i = 0; i < 5; i++) await guard.failed('actor:org/guesser');
    expect(await guard.failuresOf('actor:org/guesser')).toBe(5);
    expect(await guard.attempt('actor:org/guesser', 'another-card')).toMatchObject({ wait: expect.any(Number), failures: 5 });
    expect((await guard.attempt('actor:org/guesser', 'another-card')).wait).toBeGreaterThan(0);
    // Fifteen minutes on, the failures have left their window.
    clock.set('2026-11-23T10:15:01Z');
    expect(await guard.failuresOf('actor:org/guesser')).toBe(0);
    expect(await guard.attempt('actor:org/guesser', 'another-card')).toEqual({ wait: undefined, failures: 0 });
  });

  it('hand a scan to the plan page that follows it once, for that client and plan, within two minutes', async () => {
    const { clock, counters, handoffs } = await sharedParts(backend);
    const guard = createCardGuard(clock, { counters, handoffs });
    await guard.scanned('actor:org/medic', 'plan-a');
    expect(await guard.takeScan('actor:org/other', 'plan-a')).toBe(false);
    expect(await guard.takeScan('actor:org/medic', 'plan-b')).toBe(false);
    expect(await guard.takeScan('actor:org/medic', 'plan-a')).toBe(true);
    expect(await guard.takeScan('actor:org/medic', 'plan-a')).toBe(false);
    await guard.scanned('actor:org/medic', 'plan-a');
    clock.set('2026-11-23T10:02:01Z');
    expect(await guard.takeScan('actor:org/medic', 'plan-a')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { countRows, importRecordFrom, planBody, planIdOf, publishPlans, testApp, type Who, who } from '../../helpers.js';
import { browser } from '../web/helpers.js';

/** Characters that make a name or purpose display other than it reads. */
const hidden = {
  'right-to-left override': '\u202E',
  'left-to-right isolate': '\u2066',
  'zero-width space': '\u200B',
  'zero-width joiner': '\u200D',
  'byte-order mark inside': '\uFEFF',
  bell: '\u0007',
  'next line (C1)': '\u0085',
  'line feed': '\n',
  'right-to-left mark': '\u200F',
};

describe('names and purposes that display other than they read', () => {
  it('are refused with a 400 naming the field, and nothing is stored', async () => {
    const t = await testApp();
    for (const [what, ch] of Object.entries(hidden)) {
      for (const [path, body] of [
        ['subject.givenNames', planBody({ givenNames: `Ao${ch}ife` })],
        ['subject.familyName', planBody({ familyName: `Nowak${ch}x` })],
        ['subject.aliases.0', { ...planBody(), subject: { ...planBody().subject, aliases: [`Bl${ch}ue`] } }],
      ] as const) {
        const res = await t.call(who.author, 'POST', '/api/v1/plans', { body, purpose: null });
        expect([what, path, res.status]).toEqual([what, path, 400]);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(
          res.json.errors.map((e: { path: string }) => e.path),
          what,
        ).toContain(path);
      }
    }
    expect(await countRows(t.db, 'plans')).toBe(0);
  });

  it('keeps line breaks in prose but not bidi overrides', async () => {
    const t = await testApp();
    const withSummary = (summary: string) => planBody({ summary, externalRef: `SB-${summary.length}` });
    expect(
      (await t.call(who.author, 'POST', '/api/v1/plans', { body: withSummary('Calm voice.\nNo sirens.'), purpose: null })).status,
    ).toBe(201);
    const bad = await t.call(who.author, 'POST', '/api/v1/plans', { body: withSummary('Calm \u202Evoice.'), purpose: null });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('plan.summary');
    // Welsh, Polish and Irish names are not "hidden characters".
    expect(
      (
        await t.call(who.author, 'POST', '/api/v1/plans', {
          body: planBody({ givenNames: 'Siân Łucja Aoife', externalRef: 'SB-2' }),
          purpose: null,
        })
      ).status,
    ).toBe(201);
  });

  it('refuses a purpose with hidden characters on the API and the web form', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    for (const ch of Object.values(hidden)) {
      if (ch === '\n') continue; // not a legal header value at all
      // On the wire a header is bytes; Node hands them over one character per byte, as this does.
      const wire = Buffer.from(`INC-2026-0042 ${ch}welfare`, 'utf8').toString('latin1');
      const res = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose: wire });
      expect(res.status).toBe(400);
      expect(res.json.detail).toContain('X-Access-Purpose');
      const b = browser(t);
      await b.signIn('demo.officer');
      const form = await b.post('/purpose', { purpose: `INC-2026-0042 ${ch}welfare`, return: '/' });
      expect(form.status).toBe(400);
      expect(form.text).toContain('no invisible or bidi-override characters');
    }
    const welsh = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, {
      purpose: Buffer.from("INC-7 Siân's welfare", 'utf8').toString('latin1'),
    });
    expect(welsh.status).toBe(200);
    expect((await t.events()).at(-1)!.purpose).toBe("INC-7 Siân's welfare");
  });
});

describe('an emergency-access reason that displays other than it reads', () => {
  it('is refused with a 400 naming X-Emergency-Access on the API and FHIR, and nothing odd reaches the log', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    // A health responder with no agreement: the reason is what opens the plan, and what the person's report shows.
    await addOrganisation(t.db, { slug: 'fell-ambulance', name: 'Fell Ambulance', kind: 'ambulance' }, t.clock());
    const medic: Who = { sub: 'medic.fell', org: 'fell-ambulance', roles: ['responder'] };
    // On the wire a header is bytes; Node hands them over one character per byte, as this does.
    const wire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    const mojibake = Buffer.from([0x75, 0x6e, 0xc3, 0x28, 0x63, 0x6f, 0x6e, 0x73, 0x63, 0x69, 0x6f, 0x75, 0x73]).toString('latin1');
    const refused = [
      ...Object.entries(hidden)
        .filter(([, ch]) => ch !== '\n')
        .map(([what, ch]) => [what, wire(`unconscious ${ch}patient`)]),
      ['not UTF-8', mojibake],
    ];
    for (const [what, reason] of refused) {
      for (const url of [
        `/api/v1/plans/${planId}`,
        '/api/v1/plans?externalRef=SB-000001&org=southbank-mh',
        `/fhir/R4/CarePlan/${planId}`,
      ]) {
        const res = await t.call(medic, 'GET', url, { headers: { 'x-emergency-access': reason! } });
        expect([what, url, res.status]).toEqual([what, url, 400]);
        const detail = url.startsWith('/fhir') ? res.json.issue[0].diagnostics : res.json.detail;
        expect(detail, what).toContain('X-Emergency-Access');
        if (!url.startsWith('/fhir')) expect(res.json.errors[0].path).toBe('X-Emergency-Access');
      }
    }
    const events = await t.events();
    expect(events.length).toBe(refused.length * 3);
    for (const e of events) {
      expect(e.outcome).toBe('denied');
      expect(`${e.reason}`).not.toMatch(
        /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069\u00C0-\u00FF]/,
      );
    }
    // A Welsh reason, sent as UTF-8, is read as typed: that is what auditors and the person see.
    const ok = await t.call(medic, 'GET', `/api/v1/plans/${planId}`, {
      headers: { 'x-emergency-access': wire('Siân unconscious, no other record') },
    });
    expect(ok.status).toBe(200);
    expect((await t.events()).at(-1)).toMatchObject({ outcome: 'emergency', reason: 'Siân unconscious, no other record' });
  });
});

describe('looking a plan up by reference', () => {
  it('gives an organisation with no agreement the same 404 for an existing and an unknown reference; the log keeps the truth', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const known = await t.call(who.outsider, 'GET', '/api/v1/plans?externalRef=SB-000001&org=southbank-mh');
    const unknown = await t.call(who.outsider, 'GET', '/api/v1/plans?externalRef=SB-999999&org=southbank-mh');
    expect(known.status).toBe(404);
    // Identical but for what differs on every request (its id, and the date).
    const perRequest = (text: string) => text.replace(/urn:request-id:[A-Za-z0-9._:-]+/, 'urn:request-id:…');
    expect(perRequest(known.text)).toBe(perRequest(unknown.text));
    const headers = (r: typeof known) => [...r.headers].filter(([k]) => k !== 'date' && k !== 'x-request-id');
    expect(headers(known)).toEqual(headers(unknown));
    const events = (await t.events()).slice(-2);
    expect(events[0]).toMatchObject({ planId, outcome: 'denied' });
    expect(events[0]!.reason).toContain('no-agreement');
    expect(events[1]).toMatchObject({ planId: null, outcome: 'denied' });
    // A responder with an agreement still gets the plan.
    expect((await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-000001&org=southbank-mh')).status).toBe(200);
  });
});

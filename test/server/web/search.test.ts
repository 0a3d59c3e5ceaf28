import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessEvents, breakAccessLog, planIdOf, publishPlans } from '../../helpers.js';
import { cast, person, searchTestApp, type SearchTestApp } from '../../search/helpers.js';
import { browser, signedIn } from './helpers.js';

/** The responder's search page at `/`, on the FTS5-only search with the outbox drained. */

const WATERLOO = '51.5087,-0.117';
const PURPOSE = 'INC-2026-0311 concern for welfare';

/** Two invented people who share a name and tell apart only by preferred name, alias, birth and area. */
const lookalikes = [
  person({
    ref: 'S-FE1',
    given: 'Siobhan',
    family: 'Ferncastle',
    preferred: 'Shiv',
    aliases: ['Vonnie'],
    dob: '1984-07-19',
    homeArea: 'Lewisham',
  }),
  person({ ref: 'S-FE2', given: 'Siobhan', family: 'Ferncastle', dob: '1992-03-30', homeArea: 'Bromley' }),
];
/** Twelve more, every field filled, all at one place: the heaviest results page there can be. */
const crowd = Array.from({ length: 12 }, (_, i) =>
  person({
    ref: `S-BR${String(i).padStart(2, '0')}`,
    given: 'Marguerite',
    family: 'Brackenbury',
    preferred: 'Daisy',
    aliases: ['Margot Brackenbury-Holt', 'MB', 'Daisy Bracken'],
    dob: `19${60 + i}-0${(i % 9) + 1}-1${i % 10}`,
    homeArea: 'Wandsworth and Battersea riverside',
    locations: [{ label: 'Waterloo Bridge, north end under the arches', lat: 51.5087, lng: -0.117 }],
  }),
);

let t: SearchTestApp;
beforeAll(async () => {
  t = await searchTestApp({ meili: false });
  await publishPlans(t.db, [...cast, ...lookalikes, ...crowd]);
  await t.sync.drain();
});
afterAll(() => t.close());

const search = (params: Record<string, string>) => `/?${new URLSearchParams(params)}`;
/** The results as listed: one HTML chunk per person, in page order, with the plan each links to. */
function listed(html: string) {
  const list = html.match(/<ol class="results">([\s\S]*?)<\/ol>/)?.[1] ?? '';
  return list
    .split('<li>')
    .slice(1)
    .map((chunk) => ({ planId: chunk.match(/href="\/plans\/([^"?]+)[^"]*"/)![1]!, html: chunk }));
}
const searchEvents = async () => (await accessEvents(t.db)).filter((e) => e.action === 'search');
/** Runs `fn` and returns the search events it wrote. */
async function logged<T>(fn: () => Promise<T>) {
  const before = (await searchEvents()).length;
  const value = await fn();
  return { value, events: (await searchEvents()).slice(before) };
}

describe('getting to the search page', () => {
  it('signed out → sign-in → back to the same search; no purpose → the prompt → back', async () => {
    const b = browser(t);
    const url = search({ q: 'john smith' });
    const out = await b.get(url);
    expect(out.status).toBe(303);
    expect(out.location).toBe(`/sign-in?return=${encodeURIComponent(url)}`);
    expect((await b.get('/')).location).toBe('/sign-in?return=%2F');

    const back = await b.post('/sign-in', { user: 'demo.nurse', return: url });
    expect(back.location).toBe(url);
    // No purpose yet: the search is refused (and logged as refused), the prompt brings the nurse back.
    const { value: ask, events } = await logged(() => b.get(url));
    expect(ask.status).toBe(303);
    expect(ask.location).toBe(`/purpose?return=${encodeURIComponent(url)}`);
    expect(events).toEqual([
      expect.objectContaining({
        actorSub: 'demo.nurse',
        channel: 'web',
        outcome: 'denied',
        reason: 'purpose-required',
        query: { q: 'john smith' },
        resultPlanIds: null,
      }),
    ]);
    const stated = await b.post('/purpose', { purpose: PURPOSE, return: url });
    expect(stated.location).toBe(url);
    const page = await b.get(url);
    expect(page.status).toBe(200);
    expect(listed(page.text)).toHaveLength(3);
  });

  it('the bare page: the form with the search box focused, the purpose and a way to change it; nothing logged', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const { value: page, events } = await logged(() => b.get('/'));
    expect(page.status).toBe(200);
    expect(events).toEqual([]);
    expect(page.text).toMatch(/<label for="q">[^<]+<\/label><input id="q" type="search" name="q"[^>]*autofocus/);
    expect(page.text).toContain('<label for="dob">');
    expect(page.text).toContain('<label for="near">');
    expect(page.text).toContain(`Purpose: <strong>${PURPOSE}</strong>`);
    expect(page.text).toContain('href="/purpose?return=%2F"');
    expect(page.text).toContain('<form method="get" action="/"');
  });
});

describe('results', () => {
  it('finds the right person first and shows what tells lookalikes apart, never plan content', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const page = await b.get(search({ q: 'ferncastle vonnie' }));
    expect(page.status).toBe(200);
    const [first, second] = listed(page.text);
    expect(first!.planId).toBe(await planIdOf(t.db, 'S-FE1'));
    expect(second!.planId).toBe(await planIdOf(t.db, 'S-FE2'));
    expect(first!.html).toContain('Siobhan Ferncastle<span class="pref"> (&quot;Shiv&quot;)</span>');
    expect(first!.html).toContain('Born 19 Jul 1984 · age 42');
    expect(first!.html).toMatch(/Also known as<\/dt><dd>Vonnie/);
    expect(first!.html).toMatch(/Home area<\/dt><dd>Lewisham/);
    expect(first!.html).toMatch(/Matched on: [^<]*alias/);
    expect(second!.html).toContain('Born 30 Mar 1992 · age 34');
    expect(second!.html).toContain('Bromley');
    expect(page.text).toMatch(/<h1 id="found">2 people found/);
    // The plan itself is on its own (logged) page: the summary never appears in results.
    expect(page.text).not.toContain('Eff by name');
    expect(page.text).not.toContain('crisis café');
    // The FTS5-only search is the reduced mode, and says so calmly.
    expect(page.text).toContain('Search is running in reduced mode');
    // Each result opens the plan page.
    expect((await b.get(`/plans/${first!.planId}`)).status).toBe(200);
  });

  it('a date of birth given day and month the wrong way round still finds the person, and says plainly it differs', async () => {
    const b = await signedIn(t, 'demo.nurse', PURPOSE);
    const page = await b.get(search({ q: 'perpetua haverbrook', dob: '10/03/1980', near: '', within: '500' }));
    expect(page.status).toBe(200);
    const found = listed(page.text);
    expect(found[0]!.planId).toBe(await planIdOf(t.db, 'S-SL1'));
    expect(found[0]!.html).toContain('Not the date of birth given:');
    expect(found[0]!.html).toContain('date of birth 03/10/1980 on record, 10/03/1980 given: day and month swapped?');
  });

  it('a date of birth (year, full, or day-first) narrows to the one person; a bad one is explained', async () => {
    const b = await signedIn(t, 'demo.nurse', PURPOSE);
    const js2 = await planIdOf(t.db, 'S-JS2');
    // Every way people write it; the folded form says back what was read, in words.
    const shown = { '1988': '1988', 'Aug 1988': 'Aug 1988', '08/1988': 'Aug 1988' } as Record<string, string>;
    for (const dob of [
      '1988',
      '1988-08-08',
      '08/08/1988',
      '08-08-1988',
      '8.8.88',
      '8 Aug 1988',
      '8 august 1988',
      'Aug 1988',
      '08/1988',
      '08081988',
      '080888',
    ]) {
      const page = await b.get(search({ q: 'john smith', dob, near: '', within: '500' }));
      expect(page.status, dob).toBe(200);
      expect(page.text, dob).toContain(`<strong>john smith · born ${shown[dob] ?? '8 Aug 1988'}</strong>`);
      const found = listed(page.text);
      expect(
        found.map((r) => r.planId),
        dob,
      ).toEqual([js2]);
      expect(found[0]!.html).toContain('Croydon');
      expect(found[0]!.html).toContain('date of birth');
    }
    // An age instead of a date: people of about that age (two years either side), said back in words.
    for (const [age, ref] of [
      ['about 38', 'S-JS2'],
      ['30', 'S-JS3'],
      ['aged 56', 'S-JS1'],
    ] as const) {
      const page = await b.get(search({ q: 'john smith', dob: age }));
      expect(page.status, age).toBe(200);
      expect(
        listed(page.text).map((r) => r.planId),
        age,
      ).toEqual([await planIdOf(t.db, ref)]);
      expect(page.text).toMatch(/<strong>john smith · aged \d+–\d+<\/strong>/);
    }
    // A date that cannot be read is left out, said so beside its field (focused), and the name is still searched.
    const { value: bad, events } = await logged(() => b.get(search({ q: 'john smith', dob: '1988-13-01' })));
    expect(bad.status).toBe(200);
    expect(bad.text).toContain(
      '<p class="err" id="dob-error">Enter the date of birth like 23 Apr 1989, 23/04/1989, Apr 1989, 1989 or an age like about 48.</p>',
    );
    expect(bad.text).toMatch(/id="dob"[^>]*autofocus[^>]*aria-invalid="true"/);
    expect(bad.text).not.toMatch(/id="q"[^>]*autofocus/);
    expect(listed(bad.text)).toHaveLength(3);
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'allowed', query: expect.objectContaining({ q: 'john smith', dob: null, limit: 11 }) }),
    ]);
    // Nothing else to search by: then the date is the problem, and nothing runs.
    const onlyBad = await logged(() => b.get(search({ q: '', dob: '1988-13-01' })));
    expect(onlyBad.value.status).toBe(400);
    expect(onlyBad.events).toEqual([expect.objectContaining({ outcome: 'denied', reason: 'invalid', query: { dob: '1988-13-01' } })]);
    const empty = await b.get(search({ q: '', dob: '', near: '', within: '500' }));
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Type a name, alias or place');
  });

  it('near a place: the person known there, with the place matched', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const page = await b.get(search({ q: 'aoife', near: WATERLOO, within: '200' }));
    const found = listed(page.text);
    expect(found.map((r) => r.planId)).toEqual([await planIdOf(t.db, 'S-AOI')]);
    expect(found[0]!.html).toMatch(/Known at<\/dt><dd>Waterloo Bridge \(0 m away\)/);
    expect(page.text).toContain('<strong>aoife · near Waterloo Bridge</strong>');
    expect(page.text).toMatch(/<option value="200" selected="">/);
    // Typed as people say it: a place's name in any case, or a postcode of the area.
    for (const near of ['waterloo bridge', 'SE1 7PB', 'se1']) {
      const typed = listed((await b.get(search({ q: 'aoife', near, within: '2000' }))).text);
      expect(
        typed.map((r) => r.planId),
        near,
      ).toEqual([await planIdOf(t.db, 'S-AOI')]);
    }
    const unknown = await b.get(search({ q: 'aoife', near: 'Atlantis' }));
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain(
      '<p class="err" id="near-error">Near a place: choose a place from the list, or type a postcode such as SE1 7PB.</p>',
    );
    expect(unknown.text).toMatch(/<datalist id="places">.*<option value="Waterloo Bridge"/);
    const wider = await b.get(search({ q: 'aoife', near: WATERLOO, within: '300' }));
    expect(wider.text).toMatch(/<option value="300" selected="">300 m<\/option>/);
  });

  it('no one found: says so, with what to try next, and still logs the search', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const { value: page, events } = await logged(() => b.get(search({ q: 'quorble zyxwad' })));
    expect(page.status).toBe(200);
    expect(page.text).toContain('No one found');
    expect(page.text).toContain('Check the spelling');
    expect(page.text).toContain('Add a date of birth');
    expect(page.text).toContain('control room');
    expect(page.text).toMatch(/<input id="q"[^>]*autofocus/);
    expect(events).toEqual([expect.objectContaining({ outcome: 'allowed', resultPlanIds: [] })]);
  });

  it('escapes whatever is typed', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const page = await b.get(search({ q: attack, dob: '<b>1990</b>' }));
    expect(page.status).toBe(200);
    const again = await b.get(search({ q: attack }));
    expect(again.status).toBe(200);
    for (const p of [page, again]) {
      expect(p.text).not.toContain('<script>alert');
      expect(p.text).not.toContain('<img src=x');
      expect(p.text).not.toContain('<b>1990');
      expect(p.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('who may search what', () => {
  it('a force with no agreement finds no one; an author finds only their own trust’s plans', async () => {
    const outsider = await signedIn(t, 'demo.outsider', PURPOSE);
    const { value: none, events } = await logged(() => outsider.get(search({ q: 'john smith' })));
    expect(none.status).toBe(200);
    expect(listed(none.text)).toEqual([]);
    expect(none.text).toContain('No one found');
    expect(events).toEqual([expect.objectContaining({ actorOrg: 'shire-police', outcome: 'allowed', resultPlanIds: [] })]);

    const author = await signedIn(t, 'demo.author', PURPOSE);
    expect(listed((await author.get(search({ q: 'gethin llewellyn' }))).text)).toEqual([]);
    const nurse = await signedIn(t, 'demo.nurse', PURPOSE);
    expect(listed((await nurse.get(search({ q: 'gethin llewellyn' }))).text).map((r) => r.planId)).toEqual([
      await planIdOf(t.db, 'S-NOR', 'northgate-mh'),
    ]);
  });

  it('auditors and administrators get a polite page; a search they send is refused and logged', async () => {
    for (const sub of ['demo.auditor', 'demo.admin']) {
      const b = await signedIn(t, sub);
      // Signing in lands on `/`: they go on to their own console, and nothing is logged as a search.
      const { value: home, events: none } = await logged(() => b.get('/'));
      expect(home.status).toBe(303);
      expect(home.location).toBe(sub === 'demo.auditor' ? '/audit' : '/admin');
      expect(none).toEqual([]);
      const { value: refused, events } = await logged(() => b.get(search({ q: 'john smith' })));
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('nothing was searched');
      expect(refused.text).not.toMatch(/Smith|Croydon|\/plans\//);
      expect(events).toEqual([
        expect.objectContaining({ actorSub: sub, outcome: 'denied', reason: 'forbidden', query: { q: 'john smith' } }),
      ]);
    }
  });
});

describe('the access log', () => {
  it('a web search is one event: action search, channel web, purpose, query, every plan shown, in order', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const { value: page, events } = await logged(() => b.get(search({ q: 'john smith', dob: '', near: '', within: '500' })));
    const shown = listed(page.text).map((r) => r.planId);
    expect(new Set(shown)).toEqual(new Set(await Promise.all(['S-JS1', 'S-JS2', 'S-JS3'].map((r) => planIdOf(t.db, r)))));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorSub: 'demo.officer',
      actorOrg: 'capital-police',
      action: 'search',
      channel: 'web',
      purpose: PURPOSE,
      planId: null,
      query: { q: 'john smith', limit: 11 },
      resultPlanIds: shown,
      outcome: 'allowed',
    });
  });

  it('when the log cannot be written, no results are shown', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const repair = await breakAccessLog(t.db);
    try {
      const page = await b.get(search({ q: 'john smith' }));
      expect(page.status).toBe(503);
      expect(page.text).toContain('Search is unavailable for a moment');
      expect(page.text).not.toMatch(/Croydon|Hackney|\/plans\//);
    } finally {
      await repair();
    }
    expect((await b.get(search({ q: 'john smith' }))).status).toBe(200);
  });
});

describe('page weight', () => {
  it('a full page of ten results, every field filled, is well under 50 KB with nothing fetched from elsewhere', async () => {
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const page = await b.get(search({ q: 'marguerite brackenbury', near: WATERLOO, within: '500' }));
    expect(listed(page.text)).toHaveLength(10);
    expect(page.text).toContain('Only the best 10 are shown');
    const bytes = Buffer.byteLength(page.text);
    expect(bytes).toBeLessThan(50 * 1024);
    expect(page.text).not.toMatch(/(src|href|action)="(https?:)?\/\//);
    expect(page.text.replace('<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>', '')).not.toMatch(
      /<script|<link|<img|@import|url\(/i,
    );
    console.log(`search results page (10 results): ${bytes} bytes`);
  });
});

import { expect, it } from 'vitest';
import { who } from '../helpers.js';
import type { SearchTestApp } from './helpers.js';

/** Name variations: the same expectations hold on Meilisearch and on the FTS5 fallback. */
export const nameCases: [string, Record<string, string>, string][] = [
  ['nickname', { q: 'Bob Pennington' }, 'S-ROB'],
  ['typo in a long surname', { q: 'robert penington' }, 'S-ROB'],
  ['spelling variant (Irish)', { q: 'Shivorn OBrien' }, 'S-SIO'],
  ['apostrophe surname spoken as two words', { q: 'siobhan o brien' }, 'S-SIO'],
  ['apostrophe surname typed with it', { q: "Siobhan O'Brien" }, 'S-SIO'],
  ['South Asian variants', { q: 'Muhammad Chowdhury' }, 'S-MOH'],
  ['accent folded', { q: 'tomasz wisniewski' }, 'S-WIS'],
  ['accent typed', { q: 'Wiśniewski' }, 'S-WIS'],
  ['hyphen part', { q: 'aoife nowak' }, 'S-AOI'],
  ['alias and hyphen part', { q: 'Blue Nowak' }, 'S-AOI'],
  ['swapped order', { q: 'Nowak Aoife' }, 'S-AOI'],
  ['name and place', { q: 'aoife waterloo bridge' }, 'S-AOI'],
  ['lookalike with full date of birth', { q: 'jon smiht', dob: '1988-08-08' }, 'S-JS2'],
  ['lookalike with year of birth', { q: 'john smith', dob: '1995' }, 'S-JS3'],
  ['surname and date of birth', { q: 'smith', dob: '1970-01-01' }, 'S-JS1'],
  ['twin by given name', { q: 'amara okonkwo', dob: '2000-06-06' }, 'S-TW1'],
  ['other twin', { q: 'okonkwo adaeze' }, 'S-TW2'],
  ['Welsh name in a partner organisation', { q: 'gethin llewelyn' }, 'S-NOR'],
  // Two people of one name: the one whose preferred name was typed, not the one it is a nickname of.
  ['preferred name over a nickname of another', { q: 'shiv quillfeather' }, 'S-PR1'],
  ['given name of the same pair', { q: 'siobhan quillfeather', dob: '1992' }, 'S-PR2'],
];

export function searchBehaviour(get: () => SearchTestApp, expectDegraded: boolean) {
  it.each(nameCases)('%s: %j finds %s first', async (_label, params, ref) => {
    const r = await get().find(who.officer, params);
    expect(r.status).toBe(200);
    expect(r.json.degraded).toBe(expectDegraded);
    expect(r.refs[0]).toBe(ref);
  });

  it('explains why each result matched and carries only what is needed to choose', async () => {
    const r = await get().find(who.officer, { q: 'Bob Pennington' });
    const top = r.json.results[0];
    expect(top.why).toContain('nickname: Bob → Robert');
    expect(Object.keys(top).sort()).toEqual(
      [
        'age',
        'aliases',
        'dateOfBirth',
        'dateOfBirthSlip',
        'externalRef',
        'homeArea',
        'matchedLocation',
        'name',
        'planId',
        'preferredName',
        'why',
      ].sort(),
    );
    expect(JSON.stringify(r.json)).not.toMatch(/summary|diagnosis|capacity|nhsNumber/i);
  });

  it('a date of birth filters out lookalikes; without it every lookalike is offered with what tells them apart', async () => {
    const withDob = await get().find(who.officer, { q: 'john smith', dob: '1988-08-08' });
    expect(withDob.refs).toEqual(['S-JS2']);
    const without = await get().find(who.officer, { q: 'john smith' });
    expect(without.refs.slice(0, 3).sort()).toEqual(['S-JS1', 'S-JS2', 'S-JS3']);
    expect(new Set(without.json.results.slice(0, 3).map((x: { dateOfBirth: string }) => x.dateOfBirth)).size).toBe(3);
  });

  it.each([
    ['1980-03-10', 'day-month-swapped', 'date of birth 03/10/1980 on record, 10/03/1980 given: day and month swapped?'],
    ['1981-10-03', 'year-off-by-one', 'date of birth 03/10/1980 on record, 03/10/1981 given: year off by one?'],
    ['2080-10-03', 'wrong-century', 'date of birth 03/10/1980 on record, 03/10/2080 given: wrong century?'],
    ['1908-10-03', 'digits-transposed', 'date of birth 03/10/1980 on record, 03/10/1908 given: two digits swapped?'],
    ['1980-10-05', 'one-digit-wrong', 'date of birth 03/10/1980 on record, 05/10/1980 given: one digit different?'],
    ['1980', undefined, undefined],
    ['1979', 'year-off-by-one', 'date of birth 1980 on record, 1979 given: year off by one?'],
  ])('a date of birth given as %s: the person is still found, flagged %s', async (dob, kind, says) => {
    const r = await get().find(who.officer, { q: 'perpetua haverbrook', dob });
    expect(r.status).toBe(200);
    expect(r.refs[0]).toBe('S-SL1');
    const top = r.json.results[0];
    expect(top.dateOfBirthSlip).toEqual(kind ? { kind, onRecord: '1980-10-03', given: dob, says } : null);
    // Never shown as if the date matched; an exact year is a match.
    if (kind) expect(top.why).not.toContain('date of birth');
    else expect(top.why).toContain('date of birth');
  });

  it('a slipped date ranks below the exact date: a lookalike born on the date given stays first, unflagged', async () => {
    const r = await get().find(who.officer, { q: 'ignatius fairweather', dob: '1972-09-04' });
    expect(r.refs[0]).toBe('S-SL3');
    expect(r.json.results[0].dateOfBirthSlip).toBeNull();
    expect(r.json.results[0].why).toContain('date of birth');
    // Someone else born on the date given who matches the name only in part is shown, unflagged, but below.
    const weak = await get().find(who.officer, { q: 'perpetua haverbrook', dob: '1980-03-10' });
    expect(weak.refs.slice(0, 2)).toEqual(['S-SL1', 'S-SL4']);
    expect(weak.json.results[1].dateOfBirthSlip).toBeNull();
    // A date no single slip explains finds nobody, and a date alone finds its slips too.
    expect((await get().find(who.officer, { q: 'perpetua haverbrook', dob: '1955-01-01' })).refs).toEqual([]);
    const dateOnly = await get().find(who.officer, { dob: '1980-10-30' });
    expect(dateOnly.refs).toContain('S-SL1');
  });

  it('an initial matches given and preferred names starting with it, below a full-name match', async () => {
    const withYear = await get().find(who.officer, { q: 'R Thompsett', dob: '1983' });
    // Rhiannon by her given name, Deborah by her preferred name Rosie: the given name first.
    expect(withYear.refs).toEqual(['S-RT1', 'S-DT1']);
    expect(withYear.json.results[0].why).toContain('initial: R → Rhiannon');
    const dotted = await get().find(who.officer, { q: 'J. Smith', dob: '1970' });
    expect(dotted.refs[0]).toBe('S-JS1');
    const noYear = await get().find(who.officer, { q: 'r thompsett' });
    expect(noYear.refs.slice(0, 2).sort()).toEqual(['S-RT1', 'S-RT2']);
    expect(noYear.refs).not.toContain('S-ROB'); // an initial alone is no name
    const full = await get().find(who.officer, { q: 'rowan thompsett' });
    expect(full.refs[0]).toBe('S-RT2');
    const initialFirst = await get().find(who.officer, { q: 'thompsett d' });
    expect(initialFirst.refs[0]).toBe('S-DT1');
  });

  it('weighs evidence: the family name whole, then in part; family name and nickname over a look-alike family name', async () => {
    expect((await get().find(who.officer, { q: 'tegan ravenhall' })).refs.slice(0, 2)).toEqual(['S-TR1', 'S-TR2']);
    expect((await get().find(who.officer, { q: 'tegan ashdown-ravenhall' })).refs[0]).toBe('S-TR2');
    expect((await get().find(who.officer, { q: 'bill carrow' })).refs[0]).toBe('S-BC1');
    expect((await get().find(who.officer, { q: 'bill karrow' })).refs[0]).toBe('S-BC2');
    // The given name as said, with one half of the family name, over a variant of it with the whole name.
    expect((await get().find(who.officer, { q: 'hamish mulgrew' })).refs.slice(0, 2)).toEqual(['S-HM1', 'S-HM2']);
    // A Polish diminutive (Asia for Joanna), from the extended variant table.
    expect((await get().find(who.officer, { q: 'asia afolabi' })).refs[0]).toBe('S-JA1');
  });

  it('a family name with its first letter misheard is still offered, above the given name alone', async () => {
    const r = await get().find(who.officer, { q: 'ottilie drayley' });
    // Both are one letter from what was said; neither may hide the other.
    expect(r.refs.slice(0, 2).sort()).toEqual(['S-FL1', 'S-FL2']);
    expect(r.refs.indexOf('S-FL3')).toBeGreaterThan(1);
    expect(r.json.results.find((x: { externalRef: string }) => x.externalRef === 'S-FL1').why).toContain(
      'similar spelling: Drayley ≈ Brayley',
    );
  });

  it('breaks a tie between people of one name by the place given: the nearer first, with the distance', async () => {
    const r = await get().find(who.officer, { q: 'wilfred okafor', near: '51.4627,-0.1145', within: '1000' });
    expect(r.refs.slice(0, 2)).toEqual(['S-WO1', 'S-WO2']);
    expect(r.json.results.slice(0, 2).map((x: { matchedLocation: { distanceM: number } }) => x.matchedLocation.distanceM)).toEqual([
      0, 262,
    ]);
    // Known at the place itself ranks above known 260 m away, though more of their names go unexplained.
    const given = await get().find(who.officer, { q: 'wilfred', near: '51.4627,-0.1145', within: '1000' });
    expect(given.refs.indexOf('S-WO3')).toBeLessThan(given.refs.indexOf('S-WO2'));
    // A place typed into the search box: the same order, with the distance shown.
    const typed = await get().find(who.officer, { q: 'wilfred okafor brixton station' });
    expect(typed.refs[0]).toBe('S-WO1');
    expect(typed.json.results[0].matchedLocation).toEqual({ label: 'Brixton station', distanceM: 0 });
    expect(typed.json.results[0].why).toContain('near Brixton station (0 m)');
    const placeOnly = await get().find(who.officer, { near: '51.4647,-0.1125', within: '1000', limit: '1' });
    expect(placeOnly.refs).toEqual(['S-WO2']);
  });

  it('filters by month of birth', async () => {
    const r = await get().find(who.officer, { q: 'smith', dob: '1995-12' });
    expect(r.refs).toEqual(['S-JS3']);
  });

  it('finds by place and reports the matched location; far away finds nobody', async () => {
    const near = await get().find(who.officer, { q: 'aoife', near: '51.5085,-0.1175', within: '300' });
    expect(near.refs).toEqual(['S-AOI']);
    expect(near.json.results[0].matchedLocation).toMatchObject({ label: 'Waterloo Bridge' });
    const placeOnly = await get().find(who.officer, { near: '51.5085,-0.1175', within: '300' });
    expect(placeOnly.refs).toEqual(['S-AOI']);
    const far = await get().find(who.officer, { q: 'aoife', near: '53.4808,-2.2426', within: '1000' });
    expect(far.refs).toEqual([]);
    // A second known location counts as much as the first.
    const second = await get().find(who.officer, { near: '51.5310,-0.1240', within: '200' });
    expect(second.refs).toEqual(['S-WIS']);
    expect(second.json.results[0].matchedLocation).toMatchObject({ label: 'Kings Cross' });
    expect((await get().find(who.officer, { q: 'tomasz', near: '51.5310,-0.1240', within: '200' })).refs).toEqual(['S-WIS']);
  });

  it('applies data-sharing scope: an organisation without an agreement sees nobody', async () => {
    expect((await get().find(who.officer, { q: 'gethin llewellyn' })).refs).toEqual(['S-NOR']);
    const outsider = await get().find(who.outsider, { q: 'john smith' });
    expect(outsider.status).toBe(200);
    expect(outsider.refs).toEqual([]);
    const otherTrust = await get().find(who.otherTrustAuthor, { q: 'smith' });
    expect(otherTrust.refs).toEqual([]);
    expect((await get().find(who.otherTrustAuthor, { q: 'llewellyn' })).refs).toEqual(['S-NOR']);
  });

  it('refuses roles that do not search, and requests without a purpose', async () => {
    expect((await get().find(who.auditor, { q: 'smith' })).status).toBe(403);
    expect((await get().call(who.officer, '/api/v1/search?q=smith', null)).status).toBe(400);
  });

  it('never lets a query reach a filter: injection attempts are rejected or treated as words', async () => {
    const quoted = await get().find(who.outsider, { q: 'smith" OR owningOrg = "southbank-mh' });
    expect(quoted.status).toBe(200);
    expect(quoted.refs).toEqual([]);
    const asWords = await get().find(who.officer, { q: 'smith" OR owningOrg != "x' });
    expect(asWords.status).toBe(200);
    const bad: Record<string, string>[] = [
      { dob: '1988 OR 1=1' },
      { dob: '1988-13' },
      { near: '51.5,-0.1) OR (1' },
      { q: 'x', within: '10' },
      { q: 'x', limit: '1000' },
    ];
    for (const b of bad) {
      const r = await get().find(who.officer, b);
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(r.json.code).toBe('invalid');
    }
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPlans, who } from '../helpers.js';
import { person, searchTestApp, type SearchTestApp } from './helpers.js';

/**
 * A family name matched whole must not be pushed off the page by people whose given name only looks
 * like the one typed and whose family name is another (issue 24: "Shavon McCarthy" gave three Sharons
 * and no McCarthy). Each family below has more bearers than there are lookalikes, so the lookalike's
 * typo is the rarer word: the word Meilisearch's `frequency` strategy keeps when it drops one.
 */
const family = {
  mccarthy: ['F-MC1', 'F-MC2', 'F-MC3', 'F-MC4', 'F-MC5'],
  dabrowska: ['F-DA1', 'F-DA2', 'F-DA3', 'F-DA4'],
  // One spelt Mc, three Mac: the same family name to the ranker (a known spelling variant).
  macdonald: ['F-MD1', 'F-MD2', 'F-MD3', 'F-MD4'],
  osullivan: ['F-OS1', 'F-OS2', 'F-OS3'],
};
const lookalikes = {
  // Van Dijk: Van is a nickname of Sullivan as a given name, which must not make her an O'Sullivan.
  sharon: ['F-SH1', 'F-SH2', 'F-SH3', 'F-SH4'],
  marta: ['F-MA1', 'F-MA2'],
  catriona: ['F-CA1', 'F-CA2'],
};

const people = [
  person({ ref: 'F-MC1', given: 'Siobhan', family: 'McCarthy', dob: '1979-03-11' }),
  person({ ref: 'F-MC2', given: 'Siobhan', family: 'McCarthy', dob: '1991-07-02' }),
  person({ ref: 'F-MC3', given: 'Ciarán', family: 'McCarthy', dob: '1985-01-20' }),
  person({ ref: 'F-MC4', given: 'Clodagh', family: 'McCarthy', dob: '1968-12-05' }),
  person({ ref: 'F-MC5', given: 'Róisín', family: 'McCarthy', dob: '2001-05-30' }),
  person({ ref: 'F-SH1', given: 'Sharon', family: 'Francis', dob: '1975-09-14' }),
  person({ ref: 'F-SH2', given: 'Sharon Janelle', family: 'Francis', dob: '1982-04-04' }),
  person({ ref: 'F-SH3', given: 'Sharon Delroy', family: 'Morrison', dob: '1990-10-10' }),
  person({ ref: 'F-SH4', given: 'Sharon', family: 'Van Dijk', dob: '1971-08-23' }),
  person({ ref: 'F-OS1', given: 'Niamh', family: "O'Sullivan", dob: '1980-02-02' }),
  person({ ref: 'F-OS2', given: 'Declan', family: "O'Sullivan", dob: '1962-04-13' }),
  person({ ref: 'F-OS3', given: 'Orla', family: "O'Sullivan", dob: '1999-12-01' }),
  person({ ref: 'F-DA1', given: 'Zofia', family: 'Dąbrowska', dob: '1988-02-17' }),
  person({ ref: 'F-DA2', given: 'Magdalena', family: 'Dąbrowska', dob: '1959-06-21' }),
  person({ ref: 'F-DA3', given: 'Ewa', family: 'Dąbrowska', dob: '1994-08-08' }),
  person({ ref: 'F-DA4', given: 'Agata', family: 'Dąbrowska', dob: '1977-11-29' }),
  person({ ref: 'F-MA1', given: 'Marta', family: 'Kowalczyk', dob: '1983-03-03' }),
  person({ ref: 'F-MA2', given: 'Marta', family: 'Nowak', dob: '1996-12-24' }),
  person({ ref: 'F-MD1', given: 'Hamish', family: 'MacDonald', dob: '1972-05-15' }),
  person({ ref: 'F-MD2', given: 'Eilidh', family: 'MacDonald', dob: '1999-01-09' }),
  person({ ref: 'F-MD3', given: 'Morag', family: 'MacDonald', dob: '1964-07-07' }),
  person({ ref: 'F-MD4', given: 'Isla', family: 'McDonald', dob: '2003-02-28' }),
  person({ ref: 'F-CA1', given: 'Catriona', family: 'Reid', dob: '1986-06-16' }),
  person({ ref: 'F-CA2', given: 'Catriona', family: 'Bell', dob: '1993-09-01' }),
  // A family name of several words that is one part of a double-barrelled one, among people of that name.
  person({ ref: 'F-VB1', given: 'Tamsin', family: 'Okoro-Van der Berg', dob: '1968-10-19' }),
  person({ ref: 'F-VB2', given: 'Ottoline', family: 'Van der Berg', dob: '1952-09-20' }),
  person({ ref: 'F-VB3', given: 'Lysander', family: 'Van der Berg', dob: '1957-02-01' }),
  person({ ref: 'F-VB4', given: 'Perdita', family: 'Van der Berg', dob: '1975-12-16' }),
];

/** Query, the family it names, the lookalikes of its given name. */
const kin: [string, string[], string[]][] = [
  ['Shavon Mccarthy', family.mccarthy, lookalikes.sharon],
  ['Mccarthy Shavon', family.mccarthy, lookalikes.sharon],
  ['SHAVON MCCARTHY', family.mccarthy, lookalikes.sharon],
  ['shavon mc carthy', family.mccarthy, lookalikes.sharon],
  ["Shavon O'Sullivan", family.osullivan, lookalikes.sharon],
  ['shavon osullivan', family.osullivan, lookalikes.sharon],
  ['Mirta Dabrowska', family.dabrowska, lookalikes.marta],
  ['mirta DĄBROWSKA', family.dabrowska, lookalikes.marta],
  ['Dabrowska Mirta', family.dabrowska, lookalikes.marta],
  ['Catrina McDonald', family.macdonald, lookalikes.catriona],
  ['catrina macdonald', family.macdonald, lookalikes.catriona],
];

function familyRanking(get: () => SearchTestApp, degraded: boolean) {
  it.each(kin)('%j: every bearer of the family name, before any given-name lookalike', async (q, bearers, looks) => {
    const r = await get().find(who.officer, { q });
    expect(r.status).toBe(200);
    expect(r.json.degraded).toBe(degraded);
    expect(r.refs.slice(0, bearers.length).sort()).toEqual([...bearers].sort());
    // Lookalikes may follow the family, never come before it.
    for (const ref of looks) {
      const at = r.refs.indexOf(ref);
      if (at >= 0) expect(at).toBeGreaterThanOrEqual(bearers.length);
    }
  });

  it('a page shorter than the family is all family', async () => {
    const r = await get().find(who.officer, { q: 'Shavon McCarthy', limit: '3' });
    expect(r.refs).toHaveLength(3);
    for (const ref of r.refs) expect(family.mccarthy).toContain(ref);
  });

  it('the given name and one part of a double-barrelled family name find that person first', async () => {
    const r = await get().find(who.officer, { q: 'Tamsin Van der Berg' });
    expect(r.refs[0]).toBe('F-VB1');
    expect(r.refs.slice(1, 4).sort()).toEqual(['F-VB2', 'F-VB3', 'F-VB4']);
  });

  it('a lookalike given name with its own family name still comes first', async () => {
    const r = await get().find(who.officer, { q: 'Shavon Francis' });
    expect(r.refs.slice(0, 2).sort()).toEqual(['F-SH1', 'F-SH2']);
  });

  it('the given name heard right puts the people of that name first within the family', async () => {
    const r = await get().find(who.officer, { q: 'Shivorn McCarthy' });
    expect(r.refs.slice(0, 2).sort()).toEqual(['F-MC1', 'F-MC2']);
  });
}

describe('a family name matched whole, on Meilisearch', () => {
  let t: SearchTestApp;
  beforeAll(async () => {
    t = await searchTestApp({ meili: true });
    await publishPlans(t.db, people);
    await t.sync.drain();
  }, 60_000);
  afterAll(() => t.close());

  familyRanking(() => t, false);

  it('with no family name to match, lookalikes are what there is', async () => {
    const r = await t.find(who.officer, { q: 'Shavon' });
    expect(r.refs.sort()).toEqual([...lookalikes.sharon].sort());
  });
});

describe('a family name matched whole, on the FTS5 fallback', () => {
  let t: SearchTestApp;
  beforeAll(async () => {
    t = await searchTestApp({ meili: false });
    await publishPlans(t.db, people);
    await t.sync.drain();
  }, 60_000);
  afterAll(() => t.close());

  familyRanking(() => t, true);
});

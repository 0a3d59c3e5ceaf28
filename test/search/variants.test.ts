import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meiliQueries } from '../../src/search/candidates.js';
import { buildSearchDoc, type SearchDoc } from '../../src/search/document.js';
import { firstLetterKeys } from '../../src/search/phonetic.js';
import { queryWord, scoreCandidate } from '../../src/search/rank.js';
import { variantTable } from '../../src/search/variants.js';

const t = variantTable();
const rel = (a: string, b: string) => t.get(a)?.get(b);

let n = 0;
const doc = (givenNames: string, familyName: string): SearchDoc =>
  buildSearchDoc({
    planId: `PLAN${String(++n).padStart(12, '0')}`,
    externalRef: `V-${n}`,
    owningOrg: 'southbank-mh',
    subject: { givenNames, familyName, aliases: [], dateOfBirth: '1980-01-01' },
    locations: [],
  });
const rank = (q: string, docs: SearchDoc[]) => {
  const words = q.split(' ');
  const ctx = { table: t, weight: () => 1 };
  return docs
    .map((d) =>
      scoreCandidate(
        words.map((w, i) => queryWord(w, i === words.length - 1)),
        d,
        ctx,
      ),
    )
    .filter((r) => r !== undefined)
    .sort((a, b) => b.score - a.score);
};

describe('nickname and variant table', () => {
  it('has the modern diminutives and spellings the Wiktionary extract adds', () => {
    expect(rel('alfie', 'alfred')).toBe('nickname');
    expect(rel('izzy', 'isabel')).toBe('nickname');
    expect(rel('benji', 'benjamin')).toBe('nickname');
    expect(rel('dougie', 'douglas')).toBe('nickname');
    expect(rel('isobel', 'isabel')).toBe('variant');
    expect(rel('ashleigh', 'ashley')).toBe('variant');
    expect(rel('aiden', 'aidan')).toBe('variant');
  });

  it('keeps the genealogy nicknames and the hand-written British and other forms', () => {
    expect(rel('bob', 'robert')).toBe('nickname');
    expect(rel('peggy', 'margaret')).toBe('nickname');
    expect(rel('baz', 'barry')).toBe('nickname');
    expect(rel('bex', 'rebecca')).toBe('nickname');
    expect(rel('shivorn', 'siobhan')).toBe('variant');
    expect(rel('asia', 'joanna')).toBe('variant');
  });

  it('is symmetric: every link holds both ways, with the same relation', () => {
    for (const [a, links] of t) {
      for (const [b, r] of links) expect(rel(b, a), `${a} → ${b}`).toBe(r);
    }
  });

  it('does not join different names that only share a root, a feminine and a masculine form, or a surname', () => {
    for (const [a, b] of [
      ['john', 'joan'],
      ['john', 'jean'],
      ['carlos', 'charles'],
      ['evan', 'john'],
      ['alice', 'ellis'],
      ['brandon', 'brendan'],
      ['muhammad', 'mehmet'],
      ['william', 'gill'],
      ['georgina', 'george'],
      ['alfie', 'albert'],
    ]) {
      expect(rel(a!, b!), `${a} ~ ${b}`).toBeUndefined();
    }
  });

  it('the generated file says where it came from, at which commit, under which licence', () => {
    const head = fs
      .readFileSync(new URL('../../src/search/data/wiktionary-names.csv', import.meta.url), 'utf8')
      .split('\n')
      .slice(0, 7)
      .join('\n');
    expect(head).toMatch(/DLu\/namor_data, commit [0-9a-f]{40}/);
    expect(head).toContain('BSD-3-Clause');
    expect(head).toContain('CC BY-SA 4.0');
    expect(head).toMatch(/on \d{4}-\d{2}-\d{2}/);
  });

  it('an English name given for a Polish one is weaker evidence than the English name itself', () => {
    expect(rel('kate', 'katarzyna')).toBe('equivalent');
    expect(rel('kate', 'catherine')).toBe('variant');
    expect(rel('kasia', 'katarzyna')).toBe('variant');
    const ranked = rank('kate begum', [doc('Katarzyna', 'Begum'), doc('Catherine', 'Begum')]);
    expect(ranked.map((r) => r.doc.givenNames)).toEqual(['Catherine', 'Katarzyna']);
    expect(ranked[1]!.why).toContain('same name in another language: Kate → Katarzyna');
    expect(rank('chris krawczyk', [doc('Krzysztof', 'Krawczyk'), doc('Christopher', 'Krawczyk')])[0]!.doc.givenNames).toBe('Christopher');
  });

  it('ranks a diminutive of the name above a name that merely looks like it', () => {
    const [first, second] = rank('alfie turner', [doc('Albert', 'Turner'), doc('Alfred', 'Turner')]);
    expect(first!.doc.givenNames).toBe('Alfred');
    expect(first!.why).toContain('nickname: Alfie → Alfred');
    expect(second?.doc.givenNames).not.toBe('Alfred');
  });
});

describe('a first letter misheard', () => {
  it('gives names one first letter apart the same key, and indexes it', () => {
    expect(firstLetterKeys('chan')).toEqual(firstLetterKeys('khan'));
    expect(firstLetterKeys('brice')).toEqual(firstLetterKeys('price'));
    expect(firstLetterKeys('li')).toEqual([]); // too short to say anything
    expect(doc('Ahmed', 'Khan').phonetic.split(' ')).toEqual(expect.arrayContaining(firstLetterKeys('khan')));
  });

  it('a two-letter word that matches nothing (a particle misheard: "mi" for Ní) weighs as an initial, not as the rarest name', () => {
    // Weights as the keys give them: "mi" is held by nobody, so its own weight is the highest there is.
    const held: Record<string, number> = { aoife: 5, mei: 6, ni: 1, bhriain: 4 };
    const ctx = { table: t, weight: (w: string) => held[w] ?? 8 };
    const words = ['aoife', 'mi', 'bhriain'];
    const qs = words.map((w, i) => queryWord(w, i === words.length - 1));
    const aoife = scoreCandidate(qs, doc('Aoife', 'Ní Bhriain'), ctx)!;
    const mei = scoreCandidate(qs, doc('Mei', 'Ní Bhriain'), ctx)!;
    expect(aoife.score).toBeGreaterThan(mei.score);
    // A longer word held by nobody still weighs as one: it may be the name that was meant.
    const long = ['aoife', 'mik', 'bhriain'].map((w, i) => queryWord(w, i === 2));
    expect(scoreCandidate(long, doc('Aoife', 'Ní Bhriain'), ctx)!.score).toBeLessThan(aoife.score);
  });

  it('a name matched by another spelling of the word typed weighs no more than the word typed', () => {
    // Yusuf is the rarer name; "yousef" typed is a family name forty people hold.
    const held: Record<string, number> = { yousef: 3, yusuf: 6, meredith: 5, thomas: 2 };
    const ctx = { table: t, weight: (w: string) => held[w] ?? 8 };
    const qs = ['pciya', 'yousef'].map((w, i) => queryWord(w, i === 1));
    const yousef = scoreCandidate(qs, doc('Thomas', 'Yousef'), ctx)!;
    const yusuf = scoreCandidate(qs, doc('Yusuf', 'Meredith'), ctx)!;
    expect(yusuf.why).toContain('spelling variant: Yousef → Yusuf');
    expect(yousef.score).toBeGreaterThan(yusuf.score);
  });

  it('ranks the given name with the family name one letter off above the given name alone', () => {
    const [first, second] = rank('ahmed chan', [doc('Oluwaseun', 'Ahmed'), doc('Ahmed Sinead', 'Khan')]);
    expect(first!.doc.familyName).toBe('Khan');
    expect(first!.score).toBeGreaterThan(second!.score + 0.2);
    // A close spelling is not the name: it must not stop the search looking further (second stage).
    expect(first!.complete).toBe(true);
    expect(first!.exact).toBe(false);
    expect(rank('ahmed khan', [doc('Ahmed Sinead', 'Khan')])[0]!.exact).toBe(true);
    // From eight letters Meilisearch forgives a first-letter typo itself, so a close spelling settles.
    expect(rank('robert penington', [doc('Robert', 'Pennington')])[0]!.exact).toBe(true);
  });

  it('is no Meilisearch query: the keys in process hold the first-letter keys (key-index.ts)', () => {
    expect(meiliQueries(['ahmed', 'chan'])).toHaveLength(1);
    expect(meiliQueries(['ahmed', 'chan'])[0]!.q).toBe('ahmed chan');
  });
});

import { describe, expect, it } from 'vitest';
import { buildSearchDoc } from '../../src/search/document.js';
import { fold, nameKeys, queryWords } from '../../src/search/normalise.js';
import { phoneticCodes } from '../../src/search/phonetic.js';
import { jaroWinkler } from '../../src/search/similarity.js';
import { variantTable } from '../../src/search/variants.js';

describe('name normalisation', () => {
  it('folds case, accents and punctuation', () => {
    expect(fold('Wiśniewski')).toBe('wisniewski');
    expect(fold('ŁUKASZ Dąbrowski')).toBe('lukasz dabrowski');
    expect(fold("O'Brien")).toBe(fold('OBrien'));
    expect(fold('Siân')).toBe('sian');
  });

  it('indexes hyphen and apostrophe parts and matches a particle typed as a word', () => {
    expect(nameKeys("O'Sullivan-Nowak").sort()).toEqual(['nowak', 'osullivan', 'osullivannowak', 'sullivan'].sort());
    expect(queryWords('siobhan o brien')).toEqual(expect.arrayContaining(['siobhan', 'obrien']));
    expect(queryWords('Van der Berg')).toContain('vander');
    // A part of a double-barrelled name may itself be several words, typed joined like the whole.
    expect(nameKeys('Jones-Van der Berg')).toEqual(expect.arrayContaining(['jonesvanderberg', 'vanderberg', 'jones', 'berg']));
    expect(nameKeys('Jones-Van der Berg')[0]).toBe('jonesvanderberg');
  });

  it('links nicknames and spelling variants one hop, both ways', () => {
    const t = variantTable();
    expect(t.get('bob')?.get('robert')).toBe('nickname');
    expect(t.get('robert')?.get('bob')).toBe('nickname');
    expect(t.get('shivorn')?.get('siobhan')).toBe('variant');
    expect(t.get('muhammad')?.get('mohammed')).toBe('variant');
    // One hop only: "al" stands for Albert or Alan, but Albert's other nicknames are not thereby Alan's.
    expect(t.get('al')?.has('albert')).toBe(true);
    expect(t.get('alan')?.has('bert')).toBe(false);
  });

  it('gives misheard spellings the same phonetic key and close names a high similarity', () => {
    expect(phoneticCodes('shivaun')).toEqual(
      expect.arrayContaining(phoneticCodes('shivorn').filter((c) => phoneticCodes('shivaun').includes(c))),
    );
    expect(phoneticCodes('smyth').some((c) => phoneticCodes('smith').includes(c))).toBe(true);
    expect(jaroWinkler('smith', 'smiht')).toBeGreaterThan(0.9);
    expect(jaroWinkler('smith', 'jones')).toBeLessThan(0.6);
  });

  it('builds an index document with expansions and no plan content', () => {
    const doc = buildSearchDoc({
      planId: 'AAAAAAAAAAAAAAAA',
      externalRef: 'X-1',
      owningOrg: 'southbank-mh',
      subject: {
        givenNames: 'Robert',
        familyName: "O'Neill-Wiśniewski",
        aliases: ['Blue'],
        dateOfBirth: '1980-02-29',
        homeArea: 'Lambeth',
      },
      locations: [{ label: 'Waterloo Bridge', lat: 51.5, lng: -0.1 }],
    });
    expect(doc.names.split(' ')).toEqual(expect.arrayContaining(['robert', 'oneill', 'neill', 'wisniewski', 'blue']));
    expect(doc.variants.split(' ')).toContain('bob');
    expect(doc).toMatchObject({ dobYear: 1980, dobMonth: 2, dobDay: 29, _geo: { lat: 51.5, lng: -0.1 } });
    expect(Object.keys(doc)).not.toContain('content');
  });
});

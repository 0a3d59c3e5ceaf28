import { createHash } from 'node:crypto';
import type { PlanLocation, Subject } from '../plans/core/content.js';
import { nameKeys, words } from './normalise.js';
import { firstLetterKeys, phoneticCodes } from './phonetic.js';
import { variantTable } from './variants.js';

/**
 * What the index holds for one plan: only what a responder needs to choose between people, plus the
 * derived keys that let a misheard name find them. Never plan content.
 */
export type SearchDoc = {
  id: string;
  externalRef: string;
  owningOrg: string;
  name: string;
  givenNames: string;
  familyName: string;
  preferredName: string | null;
  aliases: string[];
  dateOfBirth: string;
  dobYear: number;
  dobMonth: number;
  dobDay: number;
  homeArea: string | null;
  locations: { label: string; lat: number; lng: number }[];
  _geo?: { lat: number; lng: number };
  /** Every location's latitude and longitude, for a bounding-box filter that covers all of them. */
  geoLat: number[];
  geoLng: number[];
  /** Folded name words and parts: family name first (see buildSearchDoc), then given, preferred, aliases. */
  names: string;
  /** Nicknames and spelling variants of the given, preferred and alias names. */
  variants: string;
  /** Double Metaphone codes of every name word, and each one's first-letter-dropped key. */
  phonetic: string;
  /** Folded location labels and home area. */
  places: string;
};

export type DocSource = {
  planId: string;
  externalRef: string;
  owningOrg: string;
  subject: Subject;
  locations: PlanLocation[];
};

const uniq = (xs: string[]) => [...new Set(xs)];

export function buildSearchDoc(src: DocSource): SearchDoc {
  const s = src.subject;
  const [y, m, d] = s.dateOfBirth.split('-').map(Number) as [number, number, number];
  const given = uniq([s.givenNames, s.preferredName ?? '', ...s.aliases].flatMap(nameKeys));
  const family = nameKeys(s.familyName);
  // Meilisearch ranks a word that starts the attribute above the same word later in it. Names put the
  // family name first, so a word alone (the second stage's queries) finds those of that family name
  // before those of that given name ("Shavon Hussain": Leilani Hussain before Hussain Chen, never pushed
  // out by them); sound codes keep the given name first, so the codes query still finds the given name
  // when the family name was heard as nothing the index holds ("Hussain Newen": Hussain Nguyen).
  const all = uniq([...family, ...given]);
  const spoken = uniq([...given, ...family]);
  const table = variantTable();
  const variants = uniq(given.flatMap((w) => [...(table.get(w)?.keys() ?? [])])).filter((v) => !all.includes(v));
  const first = src.locations[0];
  return {
    id: src.planId,
    externalRef: src.externalRef,
    owningOrg: src.owningOrg,
    name: `${s.givenNames} ${s.familyName}`,
    givenNames: s.givenNames,
    familyName: s.familyName,
    preferredName: s.preferredName ?? null,
    aliases: s.aliases,
    dateOfBirth: s.dateOfBirth,
    dobYear: y,
    dobMonth: m,
    dobDay: d,
    homeArea: s.homeArea ?? null,
    locations: src.locations.map((l) => ({ label: l.label, lat: l.lat, lng: l.lng })),
    ...(first ? { _geo: { lat: first.lat, lng: first.lng } } : {}),
    geoLat: src.locations.map((l) => l.lat),
    geoLng: src.locations.map((l) => l.lng),
    names: all.join(' '),
    variants: variants.join(' '),
    phonetic: uniq([...spoken.flatMap(phoneticCodes), ...spoken.flatMap(firstLetterKeys)]).join(' '),
    places: uniq([...src.locations.map((l) => l.label), s.homeArea ?? ''].flatMap(words)).join(' '),
  };
}

/** Bump when buildSearchDoc changes in a way the probe in searchDocFormat might not show. */
const DOC_FORMAT = 2;

// A made-up person whose names exercise every derived key: nicknames, a preferred name, an alias,
// a double-barrelled family name, accents, places.
const PROBE: DocSource = {
  planId: 'format-probe',
  externalRef: 'PROBE',
  owningOrg: 'probe',
  subject: {
    givenNames: 'Katherine Siân',
    familyName: 'Ó Briain-Khan',
    preferredName: 'Kate',
    aliases: ['Bill Smyth'],
    dateOfBirth: '1990-01-02',
    homeArea: 'Southbank',
  } as Subject,
  locations: [{ label: 'Riverside Hostel', lat: 51.5, lng: -0.1 } as PlanLocation],
};

let format: string | undefined;

/**
 * A fingerprint of how documents are derived: the format number, the whole variant table and the
 * probe's document. Stored with each index's cursor (search_cursors), so a start-up after any change to it
 * rebuilds the index instead of searching old documents without the new keys.
 */
export function searchDocFormat(): string {
  return (format ??= computeFormat());
}

// The table and the derivation are fixed for the life of the process, so this is worked out once.
function computeFormat(): string {
  const table = variantTable();
  const h = createHash('sha256').update(`format ${DOC_FORMAT}\n`);
  for (const word of [...table.keys()].sort())
    h.update(
      `${word}:${[...table.get(word)!]
        .map(([w, r]) => `${w}=${r}`)
        .sort()
        .join(',')}\n`,
    );
  h.update(JSON.stringify(buildSearchDoc(PROBE)));
  return h.digest('hex').slice(0, 16);
}

import type { ImportRecord } from '../../src/plans/core/content.js';
import { createRandom, type Random } from '../../src/plans/demo/synthetic.js';
import { familyNames, givenNames, homeAreas, places, streetNames } from './names.js';

/**
 * A labelled evaluation set: invented people (with lookalike clusters and twins) and the queries a
 * responder would type for each, with the one plan each query should find. Independent of src/search:
 * its own tables, its own typo maker and a deliberately crude ASCII folding of its own.
 */

export type Person = {
  ref: string;
  given: string[];
  family: string;
  dob: string;
  preferred?: string;
  aliases: string[];
  locations: { label: string; lat: number; lng: number }[];
  cluster?: 'lookalike' | 'twin';
};

/**
 * `expect`: the one plan the query should find first. `anyOf`: instead, the query names a family and
 * not one of its members: any of these plans is right, and the first few places should all be theirs.
 */
export type LabelledQuery = {
  type: string;
  q: string;
  dob?: string;
  near?: string;
  within?: string;
  expect: string;
  anyOf?: string[];
  slip?: boolean;
};

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/ı/g, 'i');
const key = (s: string) =>
  ascii(s)
    .toLowerCase()
    .replace(/[^a-z]/g, '');

const givenInfo = new Map(givenNames.map((g) => [g.name, g]));
const familyInfo = new Map(familyNames.map((f) => [f.name, f]));
const knownWords = new Set(
  [
    ...givenNames.flatMap((g) => [g.name, ...(g.nick ?? []), ...(g.heard ?? [])]),
    ...familyNames.flatMap((f) => [f.name, ...(f.heard ?? [])]),
  ].map(key),
);

function dob(r: Random): string {
  const y = r.int(1940, 2008);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function randomPerson(r: Random, ref: string): Person {
  const given = [r.pick(givenNames).name];
  if (r.chance(0.3)) given.push(r.pick(givenNames).name);
  let family = r.pick(familyNames).name;
  if (r.chance(0.1)) family = `${family}-${r.pick(familyNames).name}`;
  const nick = givenInfo.get(given[0]!)?.nick;
  const aliases: string[] = [];
  if (r.chance(0.15)) aliases.push(r.pick(streetNames));
  if (r.chance(0.05)) aliases.push(`${r.pick(givenNames).name} ${r.pick(familyNames).name}`);
  const locations = r.chance(0.4) ? [r.pick(places), ...(r.chance(0.3) ? [r.pick(places)] : [])] : [];
  return {
    ref,
    given,
    family,
    dob: dob(r),
    preferred: nick && r.chance(0.2) ? r.pick(nick) : undefined,
    aliases,
    locations: [...new Map(locations.map((l) => [l.label, l])).values()],
  };
}

export function generatePeople(n: number, seed = 7): Person[] {
  const r = createRandom(seed);
  const people: Person[] = [];
  const ref = () => `EVAL-${String(people.length + 1).padStart(6, '0')}`;
  // Lookalike clusters: the same name, different dates of birth.
  while (people.length < n * 0.08) {
    const base = randomPerson(r, ref());
    people.push({ ...base, cluster: 'lookalike' });
    for (let i = r.int(1, 3); i > 0; i--)
      people.push({ ...randomPerson(r, ref()), given: base.given, family: base.family, cluster: 'lookalike' });
  }
  // Twins: same family name and date of birth, different given names.
  while (people.length < n * 0.12) {
    const a = randomPerson(r, ref());
    people.push({ ...a, cluster: 'twin' });
    let g = r.pick(givenNames).name;
    while (g === a.given[0]) g = r.pick(givenNames).name;
    people.push({ ...randomPerson(r, ref()), given: [g], family: a.family, dob: a.dob, cluster: 'twin' });
  }
  while (people.length < n) people.push(randomPerson(r, ref()));
  return people;
}

export function toImportRecord(p: Person, i: number): ImportRecord {
  return {
    externalRef: p.ref,
    owningOrg: i % 3 === 0 ? 'northgate-mh' : 'southbank-mh',
    subject: {
      givenNames: p.given.join(' '),
      familyName: p.family,
      preferredName: p.preferred,
      aliases: p.aliases,
      dateOfBirth: p.dob,
      homeArea: homeAreas[i % homeAreas.length],
    },
    locations: p.locations,
    plan: {
      summary: 'Synthetic evaluation plan.',
      crisisBehaviours: [],
      whatHelps: [],
      whatToAvoid: [],
      boundaries: [],
      placesOfSafety: [],
      nominatedPeople: [],
      careTeam: [],
    },
    governance: { coProduced: true, lawfulBasis: 'public-task', reviewBy: '2027-06-01' },
    status: 'published',
  };
}

/** One slip of the keyboard or the ear, never on the first letter (the commonest real pattern). */
function typo(r: Random, word: string): string {
  const w = [...word];
  const i = r.int(1, w.length - 2);
  switch (r.int(0, 3)) {
    case 0:
      [w[i], w[i + 1]] = [w[i + 1]!, w[i]!];
      break;
    case 1:
      w.splice(i, 1);
      break;
    case 2:
      w.splice(i, 0, w[i]!);
      break;
    default:
      w[i] = 'aeiou'.includes(w[i]!.toLowerCase())
        ? r.pick([...'aeiou'].filter((v) => v !== w[i]))
        : r.pick([...'bcdfgklmnprst'].filter((v) => v !== w[i]));
      break;
  }
  return w.join('');
}

const realDay = (y: number, m: number, d: number) =>
  y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** A date of birth given wrong, made here without src/search's code: undefined when this kind cannot apply. */
function slipDate(r: Random, dob: string, kind: string): string | undefined {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
  const digits = dob.replaceAll('-', '').split('');
  const fromDigits = (ds: string[]) => {
    const t = ds.join('');
    const [yy, mm, dd] = [Number(t.slice(0, 4)), Number(t.slice(4, 6)), Number(t.slice(6, 8))];
    return realDay(yy, mm, dd) && t !== digits.join('') ? iso(yy, mm, dd) : undefined;
  };
  switch (kind) {
    case 'swapped':
      return d !== m && realDay(y, d, m) ? iso(y, d, m) : undefined;
    case 'year ±1':
      return iso(y + (r.chance(0.5) ? 1 : -1), m, d);
    case 'century':
      return realDay(y + 100, m, d) ? iso(y + 100, m, d) : undefined;
    case 'one digit': {
      const i = r.pick([3, 3, 5, 7, 7, 6]);
      const ds = [...digits];
      ds[i] = String((Number(ds[i]) + r.int(1, 9)) % 10);
      return fromDigits(ds);
    }
    default: {
      const i = r.pick([2, 4, 6]);
      const ds = [...digits];
      [ds[i], ds[i + 1]] = [ds[i + 1]!, ds[i]!];
      return fromDigits(ds);
    }
  }
}

/** Levenshtein distance, the eval's own (nothing from src/search). */
function slips(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

const metres = (a: { lat: number; lng: number }, b: { lat: number; lng: number }) => {
  const k = Math.PI / 180;
  const x = (b.lng - a.lng) * k * Math.cos(((a.lat + b.lat) / 2) * k);
  return Math.hypot(x, (b.lat - a.lat) * k) * 6_371_000;
};

/** Queries per type, each kept only when its answer is unambiguous in the set (see report notes). */
export function generateQueries(people: Person[], perType: number, seed = 11): LabelledQuery[] {
  const r = createRandom(seed);
  const byName = new Map<string, Person[]>();
  const byFamilyDob = new Map<string, number>();
  for (const p of people) {
    const k = `${key(p.given[0]!)}|${key(p.family)}`;
    byName.set(k, [...(byName.get(k) ?? []), p]);
    const fd = `${key(p.family)}|${p.dob}`;
    byFamilyDob.set(fd, (byFamilyDob.get(fd) ?? 0) + 1);
  }
  /** Others with this family name whose given name could also be what was said. */
  const ambiguous = (p: Person, saidGiven: string) =>
    people.some(
      (o) =>
        o !== p &&
        key(o.family) === key(p.family) &&
        [o.given[0]!, o.preferred ?? '', ...(givenInfo.get(o.given[0]!)?.nick ?? []), ...(givenInfo.get(o.given[0]!)?.heard ?? [])].some(
          (g) => key(g) === key(saidGiven),
        ),
    );
  const unique = people.filter((p) => byName.get(`${key(p.given[0]!)}|${key(p.family)}`)!.length === 1);
  const out: LabelledQuery[] = [];
  const add = (type: string, pool: Person[], make: (p: Person) => Omit<LabelledQuery, 'type' | 'expect'> | undefined) => {
    const shuffled = [...pool].sort(() => r.next() - 0.5);
    let n = 0;
    for (const p of shuffled) {
      if (n >= perType) break;
      const q = make(p);
      if (!q) continue;
      out.push({ type, expect: p.ref, ...q });
      n++;
    }
  };
  const g0 = (p: Person) => p.given[0]!;
  const familyParts = (p: Person) => p.family.split('-');

  add('exact', unique, (p) => ({ q: `${g0(p)} ${p.family}` }));
  add('typo', unique, (p) => {
    const part = familyParts(p)[0]!;
    const target = part.length >= 5 ? 'family' : g0(p).length >= 5 ? 'given' : undefined;
    if (!target) return undefined;
    const t = typo(r, target === 'family' ? ascii(part) : ascii(g0(p)));
    if (knownWords.has(key(t))) return undefined;
    // A typo in one part of a double-barrelled name keeps the other part, or the query would be about someone else.
    const rest = familyParts(p).slice(1);
    return { q: target === 'family' ? `${g0(p)} ${[t, ...rest].join('-')}` : `${t} ${p.family}` };
  });
  // Harder cases, reported separately: a misheard first letter (Meilisearch charges two typos for it) and
  // a nickname with a slip in the surname.
  const firstSounds: Record<string, string[]> = {
    c: ['k'],
    k: ['c'],
    s: ['z', 'c'],
    z: ['s'],
    f: ['ph'],
    p: ['b'],
    b: ['p'],
    d: ['t'],
    t: ['d'],
    g: ['j'],
    j: ['g'],
    v: ['w'],
    w: ['v'],
    m: ['n'],
    n: ['m'],
  };
  add('first-letter slip', unique, (p) => {
    const part = ascii(familyParts(p)[0]!);
    const alt = firstSounds[part[0]!.toLowerCase()];
    if (!alt || part.length < 4) return undefined;
    const t = r.pick(alt) + part.slice(1).toLowerCase();
    if (knownWords.has(key(t))) return undefined;
    return { q: `${g0(p)} ${[t, ...familyParts(p).slice(1)].join('-')}` };
  });
  add('nickname + surname slip', unique, (p) => {
    const nick = givenInfo.get(g0(p))?.nick;
    const part = ascii(familyParts(p)[0]!);
    if (!nick || part.length < 5) return undefined;
    const said = r.pick(nick);
    const t = typo(r, part);
    if (ambiguous(p, said) || knownWords.has(key(t))) return undefined;
    return { q: `${said} ${[t, ...familyParts(p).slice(1)].join('-')}` };
  });
  add('nickname', unique, (p) => {
    const nick = givenInfo.get(g0(p))?.nick;
    if (!nick) return undefined;
    const said = r.pick(nick);
    return ambiguous(p, said) ? undefined : { q: `${said} ${p.family}` };
  });
  add('phonetic spelling', unique, (p) => {
    const gh = givenInfo.get(g0(p))?.heard;
    const fh = familyInfo.get(familyParts(p)[0]!)?.heard;
    if (fh && (!gh || r.chance(0.5))) return { q: `${g0(p)} ${[r.pick(fh), ...familyParts(p).slice(1)].join('-')}` };
    if (gh) {
      const said = r.pick(gh);
      return ambiguous(p, said) ? undefined : { q: `${said} ${p.family}` };
    }
    return undefined;
  });
  add('swapped order', unique, (p) => ({ q: `${p.family} ${g0(p)}` }));
  add('accents/punctuation typed plainly', unique, (p) => {
    const plain = (s: string) =>
      ascii(s)
        .replace(/'/g, r.chance(0.5) ? '' : ' ')
        .replace(/-/g, ' ');
    if (plain(`${g0(p)} ${p.family}`) === `${g0(p)} ${p.family}`) return undefined;
    return { q: plain(`${g0(p)} ${p.family}`) };
  });
  add('alias', unique, (p) => {
    const a = p.aliases.find((x) => streetNames.includes(x));
    if (!a) return undefined;
    const part = familyParts(p).at(-1)!;
    const clash = people.some((o) => o !== p && o.aliases.includes(a) && o.family.split('-').some((x) => key(x) === key(part)));
    return clash ? undefined : { q: `${a} ${part}` };
  });
  add('hyphen part', unique, (p) => {
    const parts = familyParts(p);
    if (parts.length < 2) return undefined;
    const part = r.pick(parts);
    const clash = people.some((o) => o !== p && key(o.given[0]!) === key(g0(p)) && o.family.split('-').some((x) => key(x) === key(part)));
    return clash ? undefined : { q: `${g0(p)} ${part}` };
  });
  add('surname + DOB', people, (p) => (byFamilyDob.get(`${key(p.family)}|${p.dob}`) === 1 ? { q: p.family, dob: p.dob } : undefined));
  add('name + place', people, (p) => {
    const l = p.locations[0];
    if (!l) return undefined;
    const clash = people.some((o) => o !== p && key(o.given[0]!) === key(g0(p)) && o.locations.some((x) => x.label === l.label));
    return clash ? undefined : { q: `${g0(p)} ${l.label}` };
  });
  add(
    'lookalike + DOB',
    people.filter((p) => p.cluster === 'lookalike'),
    (p) => ({
      q: r.chance(0.5)
        ? `${g0(p)} ${p.family}`
        : `${g0(p)} ${familyParts(p)[0]!.length >= 5 ? typo(r, ascii(familyParts(p)[0]!)) : p.family}`,
      dob: p.dob,
    }),
  );
  add(
    'twin + DOB',
    people.filter((p) => p.cluster === 'twin'),
    (p) => ({ q: `${g0(p)} ${p.family}`, dob: p.dob }),
  );
  // Dates of birth given wrong, one kind per row: the person must still be offered, flagged as a slip.
  for (const kind of ['swapped', 'year ±1', 'century', 'one digit', 'transposed']) {
    add(`DOB slip: ${kind}`, unique, (p) => {
      const dob = slipDate(r, p.dob, kind);
      // Someone of the same name born on the date given would be the right answer instead.
      return dob && !people.some((o) => o !== p && o.dob === dob && key(o.family) === key(p.family))
        ? { q: `${g0(p)} ${p.family}`, dob, slip: true }
        : undefined;
    });
  }
  add('initial + year', people, (p) => {
    const i = key(g0(p))[0]!;
    const year = p.dob.slice(0, 4);
    const clash = people.some(
      (o) =>
        o !== p &&
        key(o.family) === key(p.family) &&
        o.dob.startsWith(year) &&
        [...o.given, o.preferred ?? ''].some((g) => key(g).startsWith(i)),
    );
    return clash ? undefined : { q: `${i.toUpperCase()}${r.chance(0.5) ? '.' : ''} ${p.family}`, dob: year };
  });
  add('name + near place', people, (p) => {
    const l = p.locations[0];
    if (!l) return undefined;
    const at = { lat: l.lat + (r.next() - 0.5) * 0.002, lng: l.lng + (r.next() - 0.5) * 0.003 };
    const mine = Math.min(...p.locations.map((x) => metres(at, x)));
    const clash = people.some((o) => o !== p && key(o.given[0]!) === key(g0(p)) && o.locations.some((x) => metres(at, x) < mine + 150));
    return clash ? undefined : { q: g0(p), near: `${at.lat.toFixed(5)},${at.lng.toFixed(5)}`, within: '2000' };
  });
  // A family name typed whole, with the given name wrong (issue 24: "Shavon McCarthy" gave three people
  // called Sharon and no McCarthy). Added after every other type, so their queries stay as they were.
  /** Everyone a family name may stand for: it is their family name, a part of it, or another of their names. */
  const calledBy = new Map<string, Person[]>();
  for (const p of people) {
    const own = [
      ...p.given,
      p.family,
      ...p.family.split(/[-\s]/),
      ...p.family.split('-'),
      p.preferred ?? '',
      ...p.aliases.flatMap((a) => a.split(/[-\s]/)),
    ];
    for (const w of new Set(own.map(key).filter(Boolean))) calledBy.set(w, [...(calledBy.get(w) ?? []), p]);
  }
  const bearersOf = (p: Person) => calledBy.get(key(p.family))!;
  const shared = people.filter((p) => bearersOf(p).length >= 3);
  /** Every way a person's names may be said, as the eval's tables know them. */
  const saidAs = (p: Person) =>
    [
      ...p.given,
      p.preferred ?? '',
      ...p.aliases.flatMap((a) => a.split(' ')),
      ...p.given.flatMap((g) => [...(givenInfo.get(g)?.nick ?? []), ...(givenInfo.get(g)?.heard ?? [])]),
    ]
      .map(key)
      .filter(Boolean);
  // One slip in the given name; several others are called by the family name, none with a name that slip is also near.
  add('misspelt given + shared family', shared, (p) => {
    if (key(g0(p)).length < 5) return undefined;
    const t = typo(r, ascii(g0(p)));
    if (knownWords.has(key(t))) return undefined;
    const near = bearersOf(p).some((o) => o !== p && saidAs(o).some((w) => slips(w, key(t)) <= 2));
    return near ? undefined : { q: `${t} ${p.family}` };
  });
  /**
   * A given name misheard as a slip of someone else's (someone not called by the family name), nowhere
   * near a name of anyone who is: any of them is right, and none may be pushed off the page by lookalikes.
   */
  const lookalike = (p: Person, family: (f: string) => string | undefined): Omit<LabelledQuery, 'type' | 'expect'> | undefined => {
    const f = family(p.family);
    if (!f) return undefined;
    const bearers = bearersOf(p);
    const o = r.pick(people);
    if (bearers.includes(o) || key(g0(o)).length < 5) return undefined;
    const t = typo(r, ascii(g0(o)));
    if (knownWords.has(key(t)) || slips(key(t), key(p.family)) <= 2) return undefined;
    if (bearers.some((b) => saidAs(b).some((w) => slips(w, key(t)) <= 2))) return undefined;
    return { q: r.chance(0.3) ? `${f} ${t}` : `${t} ${f}`, anyOf: bearers.map((b) => b.ref) };
  };
  add('lookalike given + family', shared, (p) => lookalike(p, (f) => f));
  add('lookalike given + family in other case/accents', shared, (p) =>
    lookalike(p, (f) => {
      const forms = [f.toLowerCase(), f.toUpperCase(), ascii(f), ascii(f).toUpperCase()].filter((x) => x !== f);
      return forms.length ? r.pick(forms) : undefined;
    }),
  );
  return out;
}

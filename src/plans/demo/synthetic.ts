import type { ImportRecord } from '../core/content.js';
import { withNhsCheckDigit } from '../core/nhs.js';

/**
 * Invented people for demos, tests and benchmarks. Every name is drawn at random from common given and
 * family names of many heritages and combined by chance: no record describes a real person.
 * Deterministic for a given seed, so demos and benchmarks are repeatable.
 */

export function createRandom(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

type Heritage = { given: { f: string[]; m: string[] }; family: string[] };

const heritages: Record<string, Heritage> = {
  british: {
    given: {
      f: [
        'Elizabeth',
        'Margaret',
        'Catherine',
        'Sarah',
        'Rebecca',
        'Charlotte',
        'Jessica',
        'Hannah',
        'Emily',
        'Victoria',
        'Susan',
        'Jennifer',
      ],
      m: [
        'Robert',
        'William',
        'Jonathan',
        'Stephen',
        'Richard',
        'Thomas',
        'Michael',
        'Christopher',
        'Daniel',
        'James',
        'Anthony',
        'Edward',
      ],
    },
    family: [
      'Smith',
      'Jones',
      'Taylor',
      'Brown',
      'Wilson',
      'Thompson',
      'Walker',
      'Robinson',
      'Wright',
      'Hughes',
      'Green',
      'Hall',
      'Clarke',
      'Turner',
    ],
  },
  irish: {
    given: {
      f: ['Siobhan', 'Aoife', 'Niamh', 'Caoimhe', 'Róisín', 'Saoirse', 'Orla', 'Sinéad', 'Gráinne', 'Clodagh'],
      m: ['Ciarán', 'Seán', 'Pádraig', 'Cathal', 'Eoin', 'Oisín', 'Declan', 'Donal', 'Tadhg', 'Niall'],
    },
    family: [
      "O'Sullivan",
      "O'Brien",
      'Murphy',
      'Kelly',
      "O'Connor",
      'McCarthy',
      'Byrne',
      'Doyle',
      'Gallagher',
      "O'Neill",
      'Quinn',
      'Brennan',
    ],
  },
  welsh: {
    given: { f: ['Rhiannon', 'Cerys', 'Angharad', 'Ffion', 'Seren', 'Bethan'], m: ['Dafydd', 'Gethin', 'Rhys', 'Iwan', 'Emyr', 'Gareth'] },
    family: ['Evans', 'Davies', 'Williams', 'Llewellyn', 'Pritchard', 'Griffiths', 'Morgan', 'Powell'],
  },
  southAsian: {
    given: {
      f: ['Priya', 'Aisha', 'Fatima', 'Anjali', 'Harpreet', 'Nusrat', 'Sunita', 'Ayesha', 'Kavita', 'Shabana'],
      m: ['Mohammed', 'Muhammad', 'Imran', 'Sandeep', 'Rajesh', 'Arjun', 'Tariq', 'Gurpreet', 'Abdul', 'Vikram'],
    },
    family: ['Patel', 'Khan', 'Begum', 'Singh', 'Chaudhry', 'Rahman', 'Hussain', 'Sharma', 'Ahmed', 'Kaur', 'Iqbal', 'Mistry'],
  },
  westAfrican: {
    given: {
      f: ['Ngozi', 'Abena', 'Efua', 'Chiamaka', 'Folasade', 'Adwoa', 'Yetunde', 'Amara'],
      m: ['Chidi', 'Oluwaseun', 'Adebayo', 'Kwame', 'Chinonso', 'Kofi', 'Emeka', 'Babajide'],
    },
    family: ['Okafor', 'Adeyemi', 'Mensah', 'Owusu', 'Boateng', 'Nwosu', 'Eze', 'Adeleke', 'Asante', 'Okonkwo', 'Oyelaran'],
  },
  polish: {
    given: { f: ['Agnieszka', 'Małgorzata', 'Katarzyna', 'Joanna', 'Zofia'], m: ['Krzysztof', 'Wojciech', 'Łukasz', 'Piotr', 'Tomasz'] },
    family: ['Nowak', 'Kowalczyk', 'Wiśniewski', 'Wójcik', 'Zieliński', 'Lewandowski', 'Kamiński', 'Szymański'],
  },
  caribbean: {
    given: { f: ['Marcia', 'Paulette', 'Sharon', 'Delroy', 'Janelle'], m: ['Winston', 'Errol', 'Desmond', 'Leroy', 'Clive'] },
    family: ['Campbell', 'Francis', 'Grant', 'Reid', 'Bailey', 'Henry', 'Morrison'],
  },
  other: {
    given: {
      f: ['Ayşe', 'Hodan', 'João', 'Thi Lan', 'Elena', 'Mariana', 'Leila'],
      m: ['Mehmet', 'Abdirahman', 'Ștefan', 'Tuan', 'Luca', 'Dimitris', 'Yusuf'],
    },
    family: ['Yılmaz', 'Warsame', 'Conceição', 'Nguyen', 'Popescu', 'Rossi', 'Papadopoulos', 'Haddad'],
  },
};

const heritageWeights: [string, number][] = [
  ['british', 30],
  ['irish', 12],
  ['welsh', 6],
  ['southAsian', 16],
  ['westAfrican', 12],
  ['polish', 8],
  ['caribbean', 8],
  ['other', 8],
];

const streetAliases = ['Blue', 'Smudge', 'Tiny', 'Red', 'Ginger', 'Sparky', 'Dee', 'Mouse', 'Bear', 'Sunny', 'Ace', 'Skip'];
const nicknames: Record<string, string> = {
  Robert: 'Bob',
  William: 'Bill',
  Elizabeth: 'Liz',
  Margaret: 'Maggie',
  Jonathan: 'Jon',
  Catherine: 'Kate',
  Stephen: 'Steve',
  Richard: 'Rich',
  Thomas: 'Tom',
  Michael: 'Mike',
  Christopher: 'Chris',
  Daniel: 'Dan',
  James: 'Jim',
  Anthony: 'Tony',
  Edward: 'Ed',
  Rebecca: 'Becky',
  Victoria: 'Vicky',
  Jennifer: 'Jen',
  Siobhan: 'Shiv',
  Mohammed: 'Mo',
  Muhammad: 'Mo',
  Oluwaseun: 'Seun',
  Krzysztof: 'Krzys',
  Małgorzata: 'Gosia',
  Agnieszka: 'Aga',
  Dafydd: 'Dai',
  Abdirahman: 'Abdi',
};

/** Public places in London where crises recur (no homes): label, latitude, longitude. Search has its own gazetteer (src/search/data/places.ts; plans must not import search); a test keeps this list inside it. */
export const londonPlaces: [string, number, number][] = [
  ['Waterloo Bridge', 51.5087, -0.117],
  ['Westminster Bridge', 51.5008, -0.1219],
  ['London Bridge', 51.5079, -0.0877],
  ['Vauxhall Bridge', 51.4879, -0.127],
  ['Hungerford Bridge', 51.5065, -0.12],
  ['Archway Bridge', 51.5676, -0.1349],
  ['Tower Bridge', 51.5055, -0.0754],
  ['Chelsea Bridge', 51.4847, -0.1497],
  ['Hammersmith Bridge', 51.488, -0.23],
  ['Brixton station', 51.4627, -0.1145],
  ['Peckham Rye station', 51.47, -0.0693],
  ['East Croydon station', 51.3754, -0.0922],
  ['Clapham Common', 51.4618, -0.1384],
  ["King's Cross station", 51.5308, -0.1238],
  ['Camden Lock', 51.5413, -0.1466],
  ['Battersea Park', 51.4791, -0.1566],
  ['Lewisham station', 51.4657, -0.0141],
  ['Elephant and Castle', 51.4946, -0.1001],
  ['Greenwich foreshore', 51.4826, -0.0077],
  ['Thamesmead lakeside', 51.504, 0.118],
];
const homeAreas = ['Lambeth', 'Southwark', 'Lewisham', 'Croydon', 'Wandsworth', 'Greenwich', 'Camden', 'Islington', 'Hackney', 'Bromley'];

const helps = [
  'Speak calmly and use their preferred name',
  'Offer a hot drink and somewhere quiet to sit',
  'Give time: they may need a few minutes before they can talk',
  'Remind them of their safety plan card in their wallet',
  'Offer to call their nominated person',
  'Sit side by side rather than face to face',
  'Explain what you are doing before you do it',
];
const avoid = [
  'Crowding them: more than two responders at close range',
  'Touching without asking first',
  'Raised voices or sirens on arrival where safe to avoid',
  'Talking about them to colleagues as if they are not there',
  'Taking them to a busy waiting area if another option exists',
];
const behaviours = [
  {
    behaviour: 'Goes to a bridge and stands by the railings',
    triggers: 'Anniversaries, news of family conflict',
    earlyWarningSigns: 'Stops answering phone, gives away belongings',
  },
  {
    behaviour: 'Walks along railway lines',
    triggers: 'Loud arguments, sleep loss',
    earlyWarningSigns: 'Texts goodbye messages to friends',
  },
  { behaviour: 'Self-harm by cutting', triggers: 'Feeling rejected or not believed', earlyWarningSigns: 'Withdraws to room, stops eating' },
  {
    behaviour: 'Calls 999 repeatedly in a short time',
    triggers: 'Being alone at night',
    earlyWarningSigns: 'Escalating calls to the crisis line',
  },
];

function pickWeighted(r: Random): Heritage {
  const total = heritageWeights.reduce((a, [, w]) => a + w, 0);
  let x = r.next() * total;
  for (const [k, w] of heritageWeights) if ((x -= w) < 0) return heritages[k]!;
  return heritages.british!;
}

function dateBetween(r: Random, fromYear: number, toYear: number): string {
  const y = r.int(fromYear, toYear);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function syntheticRecord(r: Random, i: number, owningOrg: string, today: string): ImportRecord {
  const h = pickWeighted(r);
  const female = r.chance(0.5);
  const first = r.pick(female ? h.given.f : h.given.m);
  const middle = r.chance(0.35) ? ` ${r.pick(female ? h.given.f : h.given.m)}` : '';
  const second = r.chance(0.1) ? pickWeighted(r).family : undefined;
  let family = r.pick(h.family);
  if (second && r.chance(0.5)) family = `${family}-${r.pick(second)}`;
  const aliases: string[] = [];
  if (r.chance(0.3)) aliases.push(r.pick(streetAliases));
  if (r.chance(0.15)) aliases.push(`${first} ${r.pick(pickWeighted(r).family)}`);
  const places = Array.from({ length: r.int(1, 3) }, () => r.pick(londonPlaces));
  const uniquePlaces = [...new Map(places.map((p) => [p[0], p])).values()];
  const nhs = r.chance(0.7) ? (withNhsCheckDigit(String(r.int(400_000_000, 499_999_999))) ?? undefined) : undefined;
  const preferred = nicknames[first] && r.chance(0.6) ? nicknames[first] : undefined;
  const stale = r.chance(0.08);
  const agreed = addDays(today, -r.int(20, 300));
  return {
    externalRef: `SYN-${String(i).padStart(6, '0')}`,
    owningOrg,
    subject: {
      givenNames: `${first}${middle}`,
      familyName: family,
      ...(preferred ? { preferredName: preferred } : {}),
      aliases,
      dateOfBirth: dateBetween(r, 1950, 2006),
      ...(nhs ? { nhsNumber: nhs } : {}),
      sex: female ? 'female' : 'male',
      description: r.pick([
        'Tall, short grey hair',
        'Slim, long dark hair, often in a green coat',
        'Medium build, beard, usually carries a rucksack',
        'Small, wears glasses and a red scarf',
        'Shaved head, tattoo on left forearm',
      ]),
      homeArea: r.pick(homeAreas),
    },
    locations: uniquePlaces.map(([label, lat, lng]) => ({ label, lat, lng })),
    plan: {
      summary: `${preferred ?? first} may be found at ${uniquePlaces[0]![0]} when distressed. They respond best to one calm responder using their name. Ask about their plan card; their mental-health team is available 24/7 on the number below.`,
      diagnosis: {
        text: 'Emotionally unstable personality disorder; recurrent depressive disorder',
        plainLanguage: 'Feelings can become overwhelming very quickly, especially after feeling let down.',
      },
      capacity: 'Assessed as having capacity for decisions about treatment at last review; capacity can fluctuate when highly distressed.',
      crisisBehaviours: [r.pick(behaviours)],
      whatHelps: [r.pick(helps), r.pick(helps)].filter((v, k, a) => a.indexOf(v) === k),
      whatToAvoid: [r.pick(avoid)],
      boundaries: [
        {
          boundary: 'Agrees to step back from the railings when asked by name',
          ifBreached: 'Advice only: use your own judgement; consider contacting the crisis team before a section 136 decision.',
        },
      ],
      personWillDo: 'Try to call the crisis line before going to a bridge; carry the plan card.',
      personCanExpect: 'A calm response; to be taken to their chosen place of safety where possible.',
      placesOfSafety: [{ name: 'Riverside Crisis Café (synthetic)', address: '1 Example Walk, London', phone: '020 7946 0000' }],
      nominatedPeople: r.chance(0.7)
        ? [{ name: `${r.pick(h.given.f)} ${family}`, relationship: 'Sister', phone: '07700 900000', consentToContact: r.chance(0.8) }]
        : [],
      careTeam: [
        {
          name: 'Duty care coordinator',
          role: 'Care coordinator',
          org: 'Community mental-health team',
          phone: '020 7946 0001',
          outOfHours: 'Crisis line 0800 000 0000',
        },
      ],
      inTheirOwnWords: 'Please say my name and give me a minute. I am not trying to waste your time.',
    },
    governance: {
      coProduced: true,
      agreedBySubjectOn: agreed,
      lawfulBasis: 'public-task',
      reviewBy: stale ? addDays(today, -r.int(1, 60)) : addDays(today, r.int(30, 180)),
      approvedBy: 'synthetic-approver',
    },
    status: 'published',
  };
}

export function* syntheticRecords(count: number, opts: { seed: number; owningOrgs: string[]; today: string }) {
  const r = createRandom(opts.seed);
  for (let i = 1; i <= count; i++) yield syntheticRecord(r, i, opts.owningOrgs[i % opts.owningOrgs.length]!, opts.today);
}

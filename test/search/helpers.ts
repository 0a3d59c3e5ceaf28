import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../db/index.js';
import type { ImportRecord } from '../../src/plans/core/content.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { createApp } from '../../src/server/app.js';
import { loadDevIssuer } from '../../src/server/auth/dev-issuer.js';
import { silentLogger } from '../../src/logger.js';
import { createAccessLog } from '../../src/plans/access-log/log.js';
import { startSearch, type SearchRuntime } from '../../src/search/index.js';
import { createSearchService } from '../../src/search/service.js';
import { createIndexSync } from '../../src/search/sync.js';
import { createTestDatabase } from '../support/postgres.js';
import { defaultDialect, importRecordFrom, planBody, testClock, type Who, keysDirIn } from '../helpers.js';

/** An invented person for search tests: name parts, date of birth and places are what matter here. */
export function person(p: {
  ref: string;
  given: string;
  family: string;
  dob: string;
  preferred?: string;
  aliases?: string[];
  homeArea?: string;
  locations?: { label: string; lat: number; lng: number }[];
  org?: string;
}): ImportRecord {
  const body = planBody({ externalRef: p.ref, givenNames: p.given, familyName: p.family, dateOfBirth: p.dob });
  const rec = importRecordFrom(body, p.org ?? 'southbank-mh');
  return {
    ...rec,
    subject: {
      ...rec.subject,
      preferredName: p.preferred,
      aliases: p.aliases ?? [],
      homeArea: p.homeArea ?? 'Lambeth',
      nhsNumber: undefined,
    },
    locations: p.locations ?? [],
  };
}

/**
 * One app per test file (beforeAll), on its own temp dir and store (SQLite, or PostgreSQL with
 * TEST_DB=pg), with either a real managed Meilisearch on its own port or no Meilisearch at all (the
 * fallback in the database). `close()` in afterAll.
 */
export async function searchTestApp(opts: { meili: boolean }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-search-'));
  const clock = testClock();
  // TEST_DB=pg: a database of its own in the run's PostgreSQL cluster, kept until close().
  const database = defaultDialect() === 'pg' ? await createTestDatabase() : undefined;
  const db = await openStore({ dataDir: dir, databaseUrl: database?.url });
  await ensureDemoOrganisations(db, clock());
  const logger = silentLogger();
  let runtime: SearchRuntime | undefined;
  let service;
  let sync;
  if (opts.meili) {
    runtime = await startSearch({ db, logger, dataDir: dir, budgetMs: 1000 });
    service = runtime.service;
    sync = runtime.sync;
  } else {
    service = createSearchService({ db, logger });
    sync = createIndexSync({ db, fallback: service.fallback, logger });
    sync.start();
  }
  const devIssuer = await loadDevIssuer(keysDirIn(dir));
  // These files test what search finds, hundreds of searches per person on a frozen clock: the
  // per-person limit (test/server/api/search-rate-limit.test.ts) would stop them.
  const searchLimits = { perMinute: 1_000_000, perHour: 1_000_000 };
  // Its own log rather than the app's, so that close() can end the writer thread before the file goes.
  const accessLog = createAccessLog(db, { clock });
  const app = createApp({
    db,
    clock,
    logger: silentLogger(),
    devIssuer,
    accessLog,
    publicBaseUrl: 'http://127.0.0.1:8080',
    search: service,
    searchLimits,
  });
  const tokens = new Map<string, string>();
  async function call(w: Who, url: string, purpose: string | null = 'INC-2026-0042 welfare check') {
    const key = `${w.sub}|${w.org}|${w.roles.join(',')}`;
    if (!tokens.has(key)) tokens.set(key, await devIssuer.sign(w, 3600, clock()));
    const headers: Record<string, string> = { authorization: `Bearer ${tokens.get(key)}` };
    if (purpose) headers['x-access-purpose'] = purpose;
    const res = await app.request(url, { headers });
    return { status: res.status, json: (await res.json()) as any };
  }
  /** Search as `w`; returns the external refs in rank order plus the whole body. */
  async function find(w: Who, params: Record<string, string>) {
    const r = await call(w, `/api/v1/search?${new URLSearchParams(params)}`);
    return { ...r, refs: (r.json?.results ?? []).map((x: { externalRef: string }) => x.externalRef) as string[] };
  }
  return {
    app,
    db,
    dir,
    clock,
    service,
    sync,
    runtime,
    call,
    find,
    async close() {
      await (runtime ? runtime.stop() : sync.stop());
      service.stop();
      await accessLog.close();
      await db.close();
      await database?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type SearchTestApp = Awaited<ReturnType<typeof searchTestApp>>;

/** The people every search test file indexes (all invented). */
export const cast: ImportRecord[] = [
  person({ ref: 'S-ROB', given: 'Robert', family: 'Pennington', dob: '1980-05-01' }),
  person({ ref: 'S-SIO', given: 'Siobhan', family: "O'Brien", dob: '1985-02-02', homeArea: 'Southwark' }),
  person({ ref: 'S-MOH', given: 'Mohammed', family: 'Chaudhry', dob: '1990-03-03' }),
  person({ ref: 'S-PR1', given: 'Siobhan', family: 'Quillfeather', dob: '1984-04-04', preferred: 'Shiv' }),
  person({ ref: 'S-PR2', given: 'Siobhan', family: 'Quillfeather', dob: '1992-09-09' }),
  person({
    ref: 'S-WIS',
    given: 'Tomasz',
    family: 'Wiśniewski',
    dob: '1975-04-04',
    locations: [
      { label: 'Tower Bridge', lat: 51.5055, lng: -0.0754 },
      { label: 'Kings Cross', lat: 51.5308, lng: -0.1238 },
    ],
  }),
  person({
    ref: 'S-AOI',
    given: 'Aoife Niamh',
    family: "O'Sullivan-Nowak",
    dob: '1991-03-14',
    aliases: ['Blue'],
    locations: [{ label: 'Waterloo Bridge', lat: 51.5087, lng: -0.117 }],
  }),
  person({ ref: 'S-JS1', given: 'John', family: 'Smith', dob: '1970-01-01' }),
  person({ ref: 'S-JS2', given: 'John', family: 'Smith', dob: '1988-08-08', homeArea: 'Croydon' }),
  person({ ref: 'S-JS3', given: 'John', family: 'Smith', dob: '1995-12-12', homeArea: 'Hackney' }),
  person({ ref: 'S-TW1', given: 'Amara', family: 'Okonkwo', dob: '2000-06-06' }),
  person({ ref: 'S-TW2', given: 'Adaeze', family: 'Okonkwo', dob: '2000-06-06' }),
  person({
    ref: 'S-NOR',
    given: 'Gethin',
    family: 'Llewellyn',
    dob: '1969-09-09',
    org: 'northgate-mh',
    locations: [{ label: 'Camden Lock', lat: 51.5413, lng: -0.1466 }],
  }),
  // Dates of birth given wrong: one person, a same-surname person born on the slipped date, and a
  // lookalike pair whose dates are each other's day-month swap.
  person({ ref: 'S-SL1', given: 'Perpetua', family: 'Haverbrook', dob: '1980-10-03' }),
  person({ ref: 'S-SL4', given: 'Cuthbert', family: 'Haverbrook', dob: '1980-03-10' }),
  person({ ref: 'S-SL2', given: 'Ignatius', family: 'Fairweather', dob: '1972-04-09' }),
  person({ ref: 'S-SL3', given: 'Ignatius', family: 'Fairweather', dob: '1972-09-04' }),
  // Initials: two of one family name with the same initial, one with another.
  person({ ref: 'S-RT1', given: 'Rhiannon', family: 'Thompsett', dob: '1983-05-17' }),
  person({ ref: 'S-RT2', given: 'Rowan', family: 'Thompsett', dob: '1990-11-02' }),
  person({ ref: 'S-DT1', given: 'Deborah', family: 'Thompsett', dob: '1983-02-02', preferred: 'Rosie' }),
  // Evidence: the whole family name against one part of a double-barrelled one; family name and a
  // nickname against the given name with a family name that only sounds alike; the same name at two
  // distances from a place (the farther one born earlier, so birth order cannot be what decides).
  person({ ref: 'S-TR1', given: 'Tegan Mair', family: 'Ravenhall', dob: '1994-01-01' }),
  person({ ref: 'S-TR2', given: 'Tegan', family: 'Ashdown-Ravenhall', dob: '1993-01-01' }),
  person({ ref: 'S-BC1', given: 'William', family: 'Carrow', dob: '1960-06-16' }),
  person({ ref: 'S-HM1', given: 'Hamish', family: 'Mulgrew-Papadakis', dob: '1987-08-12' }),
  person({ ref: 'S-HM2', given: 'James', family: 'Mulgrew', dob: '1971-01-21' }),
  person({ ref: 'S-BC2', given: 'Bill', family: 'Karrow', dob: '1961-06-16' }),
  person({
    ref: 'S-WO1',
    given: 'Wilfred',
    family: 'Okafor',
    dob: '1977-03-03',
    locations: [{ label: 'Brixton station', lat: 51.4627, lng: -0.1145 }],
  }),
  person({
    ref: 'S-WO2',
    given: 'Wilfred',
    family: 'Okafor',
    dob: '1966-03-03',
    locations: [{ label: 'Brixton market', lat: 51.4647, lng: -0.1125 }],
  }),
  person({
    ref: 'S-WO3',
    given: 'Wilfred Chidi',
    family: 'Nwosu',
    dob: '1979-05-05',
    locations: [{ label: 'Brixton station', lat: 51.4627, lng: -0.1145 }],
  }),
  // A first letter misheard (Brayley heard as "Drayley": B and D not alike to Double Metaphone, and
  // Meilisearch forgives no first-letter typo in a word this short), with a lookalike one letter off
  // elsewhere (Draley), which the first stage finds on its own, and someone matching the given name only.
  person({ ref: 'S-FL1', given: 'Ottilie', family: 'Brayley', dob: '1982-11-04' }),
  person({ ref: 'S-FL2', given: 'Ottilie', family: 'Draley', dob: '1979-02-14' }),
  // (Not "Ottilie Jane": Jane sounds like John, and would join every "john smith" page in the web tests.)
  person({ ref: 'S-FL3', given: 'Ottilie Maud', family: 'Quennell', dob: '1990-07-30' }),
];

/** Only where searchBehaviour runs: a name that sounds like John would join every "john smith" page. */
export const variantCast: ImportRecord[] = [person({ ref: 'S-JA1', given: 'Joanna', family: 'Afolabi', dob: '1974-11-20' })];

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseFile, openDatabase, openStore, type Db } from '../db/index.js';
import { createTestDatabase } from './support/postgres.js';
import type { Actor, Role } from '../src/plans/core/actor.js';
import type { CreatePlanBody, ImportRecord } from '../src/plans/core/content.js';
import { ensureDemoOrganisations } from '../src/plans/demo/demo.js';
import { importRecords } from '../src/plans/versions/importer.js';
import { reviewOf } from '../src/plans/versions/review.js';
import { findPlanByRef, findVersion } from '../src/plans/versions/store.js';
import { approve, type VersionRef } from '../src/plans/versions/workflow.js';
import { createAccessLog } from '../src/plans/access-log/log.js';
import { eventColumns, type StoredEvent } from '../src/plans/access-log/columns.mjs';
import { loadAuditSigner } from '../src/plans/access-log/signer.js';
import { loadSecretBox } from '../src/plans/keys/keys.js';
import { createApp } from '../src/server/app.js';
import { loadDevIssuer, } from '../src/server/auth/dev-issuer.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { onCleanup } from './cleanup.js';
import type { Metrics } from '../src/server/metrics/metrics.js';

export type Dialect = 'sqlite' | 'pg';
/** The dialect a suite runs on when it does not say: `TEST_DB=pg` runs the matrix's PostgreSQL half. */
export const defaultDialect = (): Dialect => (process.env.TEST_DB === 'pg' ? 'pg' : 'sqlite');
/** Both dialects, for suites that run every test on each (`describe.each(dialects)`). */
export const dialects: Dialect[] = ['sqlite', 'pg'];

/**
 * A fresh, migrated store for one test: a SQLite file in a temp dir, or a database of its own in the run's
 * throw-away PostgreSQL cluster (test/support/postgres.ts). Closed and removed afterwards.
 */
export async function testStore(dialect: Dialect = defaultDialect(), dir = tempDir()): Promise<Db> {
  if (dialect === 'sqlite') {
    const db = openDatabase(databaseFile(dir));
    onCleanup(() => void db.$client.close());
    return db;
  }
  const database = await createTestDatabase();
  const db = await openStore({ dataDir: dir, databaseUrl: database.url });
  onCleanup(async () => {
    await db.close();
    await database.drop();
  });
  return db;
}

/** The default KEYS_DIR of a data directory (src/config.ts). */
export const keysDirIn = (dataDir: string) => path.join(dataDir, 'keys');

/** A fresh directory per test (or per file, made in beforeAll), removed afterwards. */
export function tempDir(prefix = 'rpl-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type Who = { sub: string; org: string; roles: Role[] };
export const who = {
  officer: { sub: 'pc.test', org: 'capital-police', roles: ['responder'] },
  outsider: { sub: 'pc.outsider', org: 'shire-police', roles: ['responder'] },
  paramedic: { sub: 'medic.test', org: 'metro-ambulance', roles: ['responder'] },
  nurse: { sub: 'nurse.test', org: 'st-brigid-ed', roles: ['responder'] },
  author: { sub: 'author.a', org: 'southbank-mh', roles: ['author'] },
  author2: { sub: 'author.b', org: 'southbank-mh', roles: ['author'] },
  approver: { sub: 'approver.a', org: 'southbank-mh', roles: ['approver'] },
  approver2: { sub: 'approver.b', org: 'southbank-mh', roles: ['approver'] },
  authorApprover: { sub: 'both.a', org: 'southbank-mh', roles: ['author', 'approver'] },
  otherTrustApprover: { sub: 'approver.n', org: 'northgate-mh', roles: ['approver'] },
  otherTrustAuthor: { sub: 'author.n', org: 'northgate-mh', roles: ['author'] },
  auditor: { sub: 'auditor.a', org: 'southbank-mh', roles: ['auditor'] },
  admin: { sub: 'admin.a', org: 'southbank-mh', roles: ['admin'] },
} satisfies Record<string, Who>;

/** A settable clock: tests move time to expire agreements and pass review dates. */
export function testClock(iso = '2026-11-23T10:00:00.000Z') {
  let now = new Date(iso);
  const clock = () => new Date(now);
  return Object.assign(clock, { set: (t: string) => (now = new Date(t)) });
}

/**
 * A real app on a real SQLite file in a temp dir, with the demo organisations and agreement, the dev
 * issuer for tokens, and helpers to call it as a given person.
 */
export async function testApp(
  opts: {
    dir?: string;
    clock?: ReturnType<typeof testClock>;
    logger?: Logger;
    accessReportNames?: 'role-only' | 'individual';
    /** The per-person search limit (default: the service's). */
    searchLimits?: { perMinute: number; perHour: number };
    /** The per-person limit on look-ups by reference (default: the service's). */
    refLookupLimits?: { perMinute: number; perHour: number };
    metrics?: Metrics;
  } = {},
) {
  const dir = opts.dir ?? tempDir();
  const clock = opts.clock ?? testClock();
  // TEST_DB=pg: a database of its own in the run's PostgreSQL cluster (the matrix's PostgreSQL half).
  const db = await testStore(defaultDialect(), dir);
  await ensureDemoOrganisations(db, clock());
  // KEYS_DIR where the service puts it by default (DATA_DIR/keys), so the CLI run on `dir` finds the same keys.
  const keysDir = keysDirIn(dir);
  const devIssuer = await loadDevIssuer(keysDir);
  const secrets = loadSecretBox(keysDir)!;
  const accessLog = createAccessLog(db, { clock, signer: loadAuditSigner(keysDir) });
  // Its writer thread holds its own connection to the file: end it before the file goes.
  onCleanup(() => accessLog.close());
  const app = createApp({
    db,
    clock,
    logger: opts.logger ?? silentLogger(),
    devIssuer,
    accessLog,
    publicBaseUrl: 'http://127.0.0.1:8080',
    secrets,
    accessReportNames: opts.accessReportNames,
    searchLimits: opts.searchLimits,
    refLookupLimits: opts.refLookupLimits,
    metrics: opts.metrics,
  });
  // Signed at the test clock's time, so moving the clock does not expire the caller's sign-in.
  const tokenFor = (w: Who) => devIssuer.sign(w, 3600, clock());
  async function call(
    w: Who | null,
    method: string,
    url: string,
    opts: { body?: unknown; purpose?: string | null; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...opts.headers };
    if (w) headers.authorization = `Bearer ${await tokenFor(w)}`;
    const purpose = opts.purpose === undefined ? 'INC-2026-0001 concern for welfare' : opts.purpose;
    if (purpose !== null) headers['x-access-purpose'] = purpose;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }
  return {
    app,
    db,
    dir,
    keysDir,
    secrets,
    clock,
    devIssuer,
    accessLog,
    tokenFor,
    call,
    /** The access log as stored, oldest first; only the events after `afterSeq` when given. */
    events: (afterSeq = 0) => accessEvents(db, afterSeq),
    /** The sequence number of the newest event (0 for none): what `events(afterSeq)` counts from. */
    headSeq: () => (db.$client.prepare('SELECT coalesce(max(seq), 0) FROM access_events').pluck().get() as number),
  };
}
export type TestApp = Awaited<ReturnType<typeof testApp>>;

/** A complete, valid plan body for an author (invented person). */
export function planBody(overrides: Partial<{ externalRef: string; givenNames: string; familyName: string; dateOfBirth: string; reviewBy: string; summary: string }> = {}): CreatePlanBody {
  return {
    externalRef: overrides.externalRef ?? 'SB-000001',
    subject: {
      givenNames: overrides.givenNames ?? 'Aoife Niamh',
      familyName: overrides.familyName ?? "O'Sullivan-Nowak",
      preferredName: 'Eff',
      aliases: ['Blue'],
      dateOfBirth: overrides.dateOfBirth ?? '1991-03-14',
      nhsNumber: '943 476 5919',
      homeArea: 'Lambeth',
    },
    locations: [{ label: 'Waterloo Bridge', lat: 51.5087, lng: -0.117, note: 'north end steps' }],
    plan: {
      summary: overrides.summary ?? 'Speak to Eff by name, calmly, one responder. Offer the crisis café.',
      diagnosis: { text: 'Recurrent depressive disorder', plainLanguage: 'Low mood that can become overwhelming.' },
      capacity: 'Has capacity for treatment decisions at last review.',
      crisisBehaviours: [{ behaviour: 'Stands by the railings', triggers: 'Anniversaries', earlyWarningSigns: 'Stops answering phone' }],
      whatHelps: ['Use her name'],
      whatToAvoid: ['Crowding'],
      boundaries: [],
      placesOfSafety: [{ name: 'Riverside Crisis Café (synthetic)' }],
      nominatedPeople: [
        { name: 'Sister (synthetic)', phone: '07700 900001', consentToContact: true },
        { name: 'Ex-partner (synthetic)', phone: '07700 900002', consentToContact: false },
      ],
      careTeam: [{ name: 'Duty coordinator', phone: '020 7946 0001' }],
      inTheirOwnWords: 'Please give me a minute.',
    },
    governance: { coProduced: true, agreedBySubjectOn: '2026-10-01', lawfulBasis: 'public-task', reviewBy: overrides.reviewBy ?? '2027-04-01' },
  };
}

export function importRecordFrom(body: CreatePlanBody, owningOrg = 'southbank-mh'): ImportRecord {
  const { changeSummary: _c, ...rest } = body;
  return { ...rest, owningOrg, status: 'published' };
}

/** Publishes plans directly through the importer (fast set-up for read-side tests). */
export function publishPlans(db: Db, records: ImportRecord[], now = new Date('2026-11-23T10:00:00Z')) {
  return importRecords(db, records, { importedBy: 'test-import', now: () => now });
}

export async function planIdOf(db: Db, externalRef: string, org = 'southbank-mh'): Promise<string> {
  return (await findPlanByRef(db, org, externalRef))!.id;
}

/** The content hash shown with a version (what an approval names), read as the version's readers see it. */
export async function contentHashOf(db: Db, planId: string, version: number): Promise<string> {
  return (await findVersion(db, planId, version))!.contentHash;
}

/**
 * Approves through the API as an approver does: reads the version first (one access event), then approves
 * naming the `contentHash` that read showed. A refused read is returned as it is, with no approval tried.
 */
export async function approveAfterReading(t: TestApp, w: Who, planId: string, version: number) {
  const read = await t.call(w, 'GET', `/api/v1/plans/${planId}/versions/${version}`);
  if (read.status !== 200) return read;
  return t.call(w, 'POST', `/api/v1/plans/${planId}/versions/${version}/approve`, { body: { contentHash: read.json.contentHash } });
}

/** Approves in the domain as the review page does: what the approver is shown names the content approved. */
export async function approveAsReviewed(db: Db, actor: Actor, ref: VersionRef, now: Date) {
  const shown = await reviewOf(db, actor, ref.planId, ref.version);
  if (!shown.ok) return shown;
  return approve(db, actor, ref, shown.value.proposal.contentHash, now);
}

export { openDatabase, databaseFile };

/** The access log as stored, oldest first, with its JSON columns parsed (after `afterSeq` when given). */
export function accessEvents(db: Db, afterSeq = 0) {
  return db.$client
    .prepare<[number], StoredEvent>(`SELECT ${eventColumns('')} FROM access_events WHERE seq > ? ORDER BY seq`)
    .all(afterSeq)
    .map(({ prevHash: _p, hash: _h, ...r }) => ({
      ...r,
      actorRoles: r.actorRoles ? (JSON.parse(r.actorRoles) as string[]) : null,
      query: r.query ? (JSON.parse(r.query) as Record<string, unknown>) : null,
      resultPlanIds: r.resultPlanIds ? (JSON.parse(r.resultPlanIds) as string[]) : null,
    }));
}

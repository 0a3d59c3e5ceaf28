import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { databaseFile, openDatabase, openStore, type Db } from '../db/index.js';
import { copyDatabase, createTestDatabase, type TestDatabase } from './support/postgres.js';
import type { Actor, Role } from '../src/plans/core/actor.js';
import type { CreatePlanBody, ImportRecord } from '../src/plans/core/content.js';
import { ensureDemoOrganisations } from '../src/plans/demo/demo.js';
import { importRecords } from '../src/plans/versions/importer.js';
import { reviewOf } from '../src/plans/versions/review.js';
import { findPlanByRef, findVersion } from '../src/plans/versions/store.js';
import { approve, type VersionRef } from '../src/plans/versions/workflow.js';
import { createAccessLog } from '../src/plans/access-log/log.js';
import type { StoredEvent } from '../src/plans/access-log/columns.mjs';
import { eventColumns } from '../src/plans/access-log/events-store.js';
import { loadAuditSigner } from '../src/plans/access-log/signer.js';
import { loadSecretBox } from '../src/plans/keys/keys.js';
import { createApp } from '../src/server/app.js';
import type { AppDeps } from '../src/server/context.js';
import { loadDevIssuer } from '../src/server/auth/dev-issuer.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { cleanupScope, onCleanup, onCleanupIn, type CleanupScope } from './cleanup.js';
import type { Metrics } from '../src/server/metrics/metrics.js';

export type Dialect = 'sqlite' | 'pg';
/** The dialect a suite runs on when it does not say: `TEST_DB=pg` runs the matrix's PostgreSQL half. */
export const defaultDialect = (): Dialect => (process.env.TEST_DB === 'pg' ? 'pg' : 'sqlite');
/** Both dialects, for suites that run every test on each (`describe.each(dialects)`). */
export const dialects: Dialect[] = ['sqlite', 'pg'];

/**
 * A fresh, migrated store for one test: a SQLite file in a temp dir, or a database of its own in the run's
 * throw-away PostgreSQL cluster (test/support/postgres.ts). Closed and removed afterwards. On PostgreSQL the
 * database becomes `dir`'s: storeAt(dir), and the CLI helpers given `dir`, reach the same one.
 */
export async function testStore(dialect: Dialect = defaultDialect(), dir = tempDir()): Promise<Db> {
  const db = await storeAt(dir, dialect);
  onCleanup(() => db.close());
  return db;
}

/** The default KEYS_DIR of a data directory (src/config.ts). */
export const keysDirIn = (dataDir: string) => path.join(dataDir, 'keys');

/** A fresh directory per test (or per file, made in beforeAll), removed afterwards. */
export function tempDir(prefix = 'rpl-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirScopes.set(dir, cleanupScope());
  onCleanup(() => {
    dirScopes.delete(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
const dirScopes = new Map<string, CleanupScope>();

/**
 * The PostgreSQL database that is a data directory's store on the matrix's PostgreSQL half, as its
 * plans.sqlite is on SQLite: made (migrated, empty) on first use, and kept as long as the directory is.
 */
const databases = new Map<string, Promise<TestDatabase>>();
function databaseOf(dir: string): Promise<TestDatabase> {
  let database = databases.get(dir);
  if (!database) {
    const made = createTestDatabase();
    databases.set(dir, (database = made));
    onCleanupIn(dirScopes.get(dir) ?? cleanupScope(), async () => {
      databases.delete(dir);
      await (await made).drop();
    });
  }
  return database;
}

/**
 * Opens a handle on a data directory's store, as the service and the CLI given DATA_DIR=dir would: its
 * SQLite file, or on PostgreSQL the database made for it (storeEnv). The caller closes it.
 */
export async function storeAt(dir: string, dialect: Dialect = defaultDialect()): Promise<Db> {
  if (dialect === 'sqlite') return openDatabase(databaseFile(dir));
  return openStore({ dataDir: dir, databaseUrl: (await databaseOf(dir)).url });
}

/** The environment that points the service or CLI at `dir`'s store: DATABASE_URL on PostgreSQL. */
export async function storeEnv(dir: string, dialect: Dialect = defaultDialect()): Promise<Record<string, string>> {
  return dialect === 'pg' ? { DATABASE_URL: (await databaseOf(dir)).url } : {};
}

/** Runs `use` on a handle of `dir`'s store, closed afterwards. */
export async function withStoreAt<T>(dir: string, use: (db: Db) => T | Promise<T>): Promise<T> {
  const db = await storeAt(dir);
  try {
    return await use(db);
  } finally {
    await db.close();
  }
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
  const base = { db, clock, logger: opts.logger ?? silentLogger(), devIssuer, accessLog, publicBaseUrl: 'http://127.0.0.1:8080' };
  /** Another app on this one's store, keys and log, with other deps (limits, a log, a base URL…). */
  const appWith = (extra: Partial<AppDeps>) => createApp({ ...base, ...extra });
  const app = createApp({
    ...base,
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
    appWith,
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
    headSeq: () => headSeq(db),
  };
}
export type TestApp = Awaited<ReturnType<typeof testApp>>;

/** A complete, valid plan body for an author (invented person). */
export function planBody(
  overrides: Partial<{
    externalRef: string;
    givenNames: string;
    familyName: string;
    dateOfBirth: string;
    reviewBy: string;
    summary: string;
  }> = {},
): CreatePlanBody {
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
    governance: {
      coProduced: true,
      agreedBySubjectOn: '2026-10-01',
      lawfulBasis: 'public-task',
      reviewBy: overrides.reviewBy ?? '2027-04-01',
    },
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
export async function accessEvents(db: Db, afterSeq = 0) {
  const rows = await db.many<StoredEvent>(sql`SELECT ${eventColumns()} FROM access_events WHERE seq > ${afterSeq} ORDER BY seq`);
  return rows.map(({ prevHash: _p, hash: _h, ...r }) => ({
    ...r,
    actorRoles: r.actorRoles ? (JSON.parse(r.actorRoles) as string[]) : null,
    query: r.query ? (JSON.parse(r.query) as Record<string, unknown>) : null,
    resultPlanIds: r.resultPlanIds ? (JSON.parse(r.resultPlanIds) as string[]) : null,
  }));
}

/** The sequence number of the newest event in the access log (0 for none). */
export async function headSeq(db: Db): Promise<number> {
  return (await db.one<{ n: number }>(sql`SELECT coalesce(max(seq), 0) AS n FROM access_events`))!.n;
}

/** The number of rows in a table (its name as written in a test: never from input). */
export async function countRows(db: Db, table: string, where?: ReturnType<typeof sql>): Promise<number> {
  const q = sql`SELECT count(*) AS n FROM ${sql.identifier(table)}`;
  if (where) q.append(sql` WHERE `).append(where);
  return Number((await db.one<{ n: number }>(q))!.n);
}

/**
 * Makes every write to the access log fail, as a full disk or a lost connection would, until the
 * returned function repairs it: the service must then serve nothing it cannot log.
 */
export async function breakAccessLog(db: Db): Promise<() => Promise<void>> {
  if (db.kind === 'sqlite') {
    await db.exec(sql`CREATE TRIGGER fail_log BEFORE INSERT ON access_events BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
    return async () => void (await db.exec(sql`DROP TRIGGER fail_log`));
  }
  await db.exec(
    sql.raw(`CREATE FUNCTION fail_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk I/O error'; END $$`),
  );
  await db.exec(sql`CREATE TRIGGER fail_log BEFORE INSERT ON access_events FOR EACH ROW EXECUTE FUNCTION fail_log()`);
  return async () => {
    await db.exec(sql`DROP TRIGGER fail_log ON access_events`);
    await db.exec(sql`DROP FUNCTION fail_log()`);
  };
}

/**
 * A new data directory holding a copy of `from`'s store and (unless `storeOnly`) of its files, the keys,
 * for a test to start again from one state: on SQLite the file, checkpointed first (through `from.db`,
 * or a handle of its own); on PostgreSQL a database made from `from`'s as its template. A template must
 * have no other sessions, so `from`'s are ended first: its handles' pools connect anew when next used.
 */
export async function copyDataDir(from: { db?: Db; dir: string }, opts: { storeOnly?: boolean } = {}): Promise<string> {
  const dir = tempDir();
  const dialect = from.db?.kind ?? defaultDialect();
  if (dialect === 'sqlite') {
    if (from.db) await from.db.one(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    else await withStoreAt(from.dir, (db) => db.one(sql`PRAGMA wal_checkpoint(TRUNCATE)`));
    const file = path.basename(databaseFile(from.dir));
    fs.cpSync(from.dir, dir, {
      recursive: true,
      filter: (src) => !/-(wal|shm)$/.test(src) && (!opts.storeOnly || src === from.dir || path.basename(src) === file),
    });
  } else {
    if (!opts.storeOnly) fs.cpSync(from.dir, dir, { recursive: true });
    const source = await databaseOf(from.dir);
    databases.set(dir, copyDatabase(source.name));
    onCleanupIn(dirScopes.get(dir) ?? cleanupScope(), async () => {
      const copy = databases.get(dir);
      databases.delete(dir);
      await (await copy)?.drop();
    });
  }
  return dir;
}

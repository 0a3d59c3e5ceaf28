// The PostgreSQL store's foundation on a real PostgreSQL (the run's throw-away cluster): migrations under
// the advisory lock, the database's own refusals (append-only, immutable versions), the read-cache
// counter, and values coming back in the same JS shapes as on SQLite.
import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { MIGRATION_LOCK_KEY, openPostgres, pgSchema, refuseUnsupported, serverSettings, type Pg } from '../../db/pg/open.js';
import { asSuperuser, createTestDatabase, testCluster, type TestDatabase } from '../support/postgres.js';

const { accessEvents, auditCheckpoints, organisations, personCopies, plans, planVersions, webSessions } = pgSchema;

const journal = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../db/pg/migrations/meta/_journal.json'), 'utf8')) as {
  entries: unknown[];
};

const opened: Pg[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

async function fresh(): Promise<{ url: string; pg: Pg }> {
  const database = await createTestDatabase();
  databases.push(database);
  const pg = await openPostgres(database.url, { max: 4 });
  opened.push(pg);
  return { url: database.url, pg };
}

const at = '2026-01-02T03:04:05.000Z';

async function seedPlan(pg: Pg, status: 'draft' | 'in-review' | 'published' = 'published') {
  await pg.db
    .insert(organisations)
    .values({ slug: 'trust-a', name: 'Trust A', kind: 'mental-health', createdAt: at })
    .onConflictDoNothing();
  const planId = `plan-${Math.random().toString(36).slice(2)}`;
  await pg.db.insert(plans).values({ id: planId, owningOrg: 'trust-a', externalRef: planId, createdAt: at, updatedAt: at });
  const [version] = await pg.db
    .insert(planVersions)
    .values({
      planId,
      version: 1,
      status,
      subject: { givenNames: 'Alex', familyName: 'Example', dateOfBirth: '1990-01-01' } as never,
      locations: [],
      content: { summary: 'Synthetic summary.' } as never,
      governance: { lawfulBasis: 'public-task' } as never,
      contentHash: 'a'.repeat(64),
      reviewBy: '2027-01-01',
      authors: ['author@trust-a'],
      createdBy: 'author@trust-a',
      createdAt: at,
      updatedAt: at,
    })
    .returning();
  return { planId, version: version! };
}

async function appendEvent(pg: Pg, seq: number) {
  await pg.db.insert(accessEvents).values({
    seq,
    at,
    action: 'view',
    channel: 'api',
    outcome: 'allowed',
    prevHash: '0'.repeat(64),
    hash: String(seq).padStart(64, '0'),
  });
}

/** The database's refusal, as the driver reports it (drizzle wraps it; its cause is PostgreSQL's error). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(err, 'the database should have refused').toBeDefined();
  return `${err!.message} ${err!.cause?.message ?? ''}`;
}

describe('openPostgres', () => {
  it('migrates once when two nodes start together on an empty database', async () => {
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    // Hold the migration lock, so both nodes are certainly waiting on it at once when it is let go.
    const blocker = await openBlocker(database.url);
    const both = Promise.all([openPostgres(database.url), openPostgres(database.url)]);
    try {
      await waitForLockWaiters(database.name, 2);
    } finally {
      await blocker.end();
    }
    const [a, b] = await both;
    opened.push(a, b);

    const applied = await a.pool.query<{ n: number }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    expect(applied.rows[0]!.n).toBe(journal.entries.length);
    // Both work against the same, complete schema.
    await seedPlan(a);
    expect(await b.db.$count(plans)).toBe(1);
    // The seed rows of the hand-written part went in once.
    expect((await b.pool.query('SELECT * FROM access_index_state')).rows).toEqual([{ id: 1, indexed_seq: 0 }]);
  });

  it('runs every session with synchronous_commit on, even when the role says off', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    await asSuperuser(`ALTER DATABASE ${database.name} SET synchronous_commit = off`);
    const pg = await openPostgres(database.url, { max: 3 });
    opened.push(pg);
    const clients = await Promise.all([pg.pool.connect(), pg.pool.connect(), pg.pool.connect()]);
    try {
      for (const c of clients) expect((await c.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
    } finally {
      for (const c of clients) c.release();
    }
    // The database default did take effect for a session without the service's options.
    const plain = await asSuperuser<{ synchronous_commit: string }>('SHOW synchronous_commit', database.name);
    expect(plain.rows[0]!.synchronous_commit).toBe('off');
  });

  it('names the server but never the password when it cannot connect', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const secret = 'Sup3rSecretPassw0rd';
    const wrong = new URL(database.url);
    wrong.password = secret;
    const refused = await openPostgres(wrong.toString()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused?.message).toMatch(
      /cannot connect to PostgreSQL at 127\.0\.0\.1:\d+, database t_\w+, user rpl_app: password authentication failed/,
    );
    expect(JSON.stringify({ message: refused?.message, stack: refused?.stack })).not.toContain(secret);

    // Nothing listens on port 1.
    const closed = await openPostgres(`postgres://rpl_app:${secret}@127.0.0.1:1/x`).catch((e: Error) => e);
    expect((closed as Error).message).toMatch(/at 127\.0\.0\.1:1, database x, user rpl_app: connection refused/);
    expect((closed as Error).message).not.toContain(secret);

    const bad = await openPostgres(`postgres://rpl_app:${secret}@[not a host/x`).catch((e: Error) => e);
    expect((bad as Error).message).toMatch(/not a valid URL/);
    expect((bad as Error).message).not.toContain(secret);
    await expect(openPostgres(`mysql://u:${secret}@h/x`)).rejects.toThrow(/must start with postgres:\/\//);
  });

  it('refuses a database that is not UTF-8, before creating anything in it', async () => {
    const { role, password, host, port } = testCluster();
    const name = `t_ascii_${process.pid}`;
    await asSuperuser(`CREATE DATABASE ${name} OWNER ${role} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    try {
      await expect(openPostgres(`postgres://${role}:${password}@${host}:${port}/${name}`)).rejects.toThrow(
        /encoded SQL_ASCII; create it with ENCODING 'UTF8'/,
      );
      const tables = await asSuperuser(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`, name);
      expect(tables.rows[0]!.n).toBe(0);
    } finally {
      await asSuperuser(`DROP DATABASE ${name} WITH (FORCE)`);
    }
  });

  it('refuses a server older than PostgreSQL 15, saying which version it found', async () => {
    // The settings openPostgres reads, from the real server (which passes); then the same with the version
    // an older server reports, since no older server is at hand. The encoding test above shows openPostgres
    // refusing through this same check.
    const { role, password, host, port } = testCluster();
    const client = new pg.Client({ user: role, password, host, port, database: 'postgres' });
    await client.connect();
    const real = await serverSettings(client).finally(() => client.end());
    expect(Number(real.server_version_num)).toBeGreaterThanOrEqual(150000);
    expect(() => refuseUnsupported(real, 'the test cluster')).not.toThrow();
    const aged = (num: string, shown: string) => () =>
      refuseUnsupported({ ...real, server_version_num: num, server_version: shown }, 'db.example:5432');
    expect(aged('140011', '14.11 (Debian 14.11-1.pgdg120+2)')).toThrow(
      'PostgreSQL 15 or later is required; db.example:5432 runs 14.11 (Debian 14.11-1.pgdg120+2)',
    );
    expect(aged('149999', '15devel')).toThrow(/PostgreSQL 15 or later is required/);
    expect(aged('90624', '9.6.24')).toThrow(/runs 9\.6\.24/);
    expect(aged('', '')).toThrow(/PostgreSQL 15 or later is required/);
    expect(aged('150000', '15.0')).not.toThrow();
    expect(() => refuseUnsupported({ ...real, synchronous_commit: 'local' }, 'db.example:5432')).toThrow(
      /synchronous_commit is local on db\.example:5432/,
    );
  });

  it('reads int8 as a JS number, and refuses one it cannot hold exactly', async () => {
    const { pg } = await fresh();
    const row = (await pg.pool.query('SELECT 9007199254740991::int8 AS max, count(*) AS n FROM plans')).rows[0];
    expect(row).toEqual({ max: Number.MAX_SAFE_INTEGER, n: 0 });
    await expect(pg.pool.query('SELECT 9007199254740993::int8 AS past')).rejects.toThrow(/beyond JavaScript's safe integers/);

    // Through drizzle too, on a bigint column: epoch milliseconds past 2^31.
    const now = Date.parse(at);
    await pg.db.insert(webSessions).values({
      idHash: 'h',
      actorSub: 's',
      actorOrg: 'o',
      actorOrgKind: 'police',
      actorRoles: '[]',
      method: 'dev',
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 1,
    });
    const [session] = await pg.db.select().from(webSessions);
    expect(session!.expiresAt).toBe(now + 1);
    expect((await pg.db.execute(sql`SELECT max(expires_at) AS m FROM web_sessions`)).rows[0]).toEqual({ m: now + 1 });
  });

  it('returns the same JS shapes as SQLite: text timestamps, JSON objects, booleans', async () => {
    const { pg } = await fresh();
    const { planId, version } = await seedPlan(pg);
    expect(version.createdAt).toBe(at);
    expect(version.authors).toEqual(['author@trust-a']);
    expect(version.subject).toMatchObject({ familyName: 'Example' });
    await pg.db.insert(personCopies).values({
      planId,
      versionId: version.id,
      version: 1,
      withoutIdentifiers: true,
      printedBy: 'author@trust-a',
      printedAt: at,
    });
    const [copy] = await pg.db.select().from(personCopies);
    expect(copy).toMatchObject({ id: expect.any(Number), withoutIdentifiers: true, printedAt: at });
  });
});

describe('what the database itself refuses', () => {
  it('keeps the access log and its checkpoints append-only', async () => {
    const { pg } = await fresh();
    await appendEvent(pg, 1);
    await appendEvent(pg, 2);
    await pg.db.insert(auditCheckpoints).values({ at, headSeq: 2, headHash: 'h', keyId: 'k', signature: 's' });

    expect(await refusal(pg.db.update(accessEvents).set({ purpose: 'rewritten' }).where(eq(accessEvents.seq, 1)))).toMatch(
      /access events are append-only/,
    );
    expect(await refusal(pg.db.delete(accessEvents).where(eq(accessEvents.seq, 2)))).toMatch(/access events are append-only/);
    expect(await refusal(pg.pool.query('TRUNCATE access_events'))).toMatch(/access events are append-only/);
    expect(await refusal(pg.db.update(auditCheckpoints).set({ headSeq: 1 }))).toMatch(/audit checkpoints are append-only/);
    expect(await refusal(pg.db.delete(auditCheckpoints))).toMatch(/audit checkpoints are append-only/);

    // Nothing changed, and appending still works.
    await appendEvent(pg, 3);
    const events = await pg.db.select().from(accessEvents).orderBy(accessEvents.seq);
    expect(events.map((e) => [e.seq, e.purpose])).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);
    expect(await pg.db.$count(auditCheckpoints)).toBe(1);
  });

  it('keeps the plan lookup append-only and its progress moving forward only', async () => {
    const { pg } = await fresh();
    await pg.pool.query(`INSERT INTO access_event_plans (plan_id, seq) VALUES ('p', 1)`);
    expect(await refusal(pg.pool.query('DELETE FROM access_event_plans'))).toMatch(/plan lookup is append-only/);
    await pg.pool.query('UPDATE access_index_state SET indexed_seq = 5 WHERE id = 1');
    expect(await refusal(pg.pool.query('UPDATE access_index_state SET indexed_seq = 4 WHERE id = 1'))).toMatch(/only moves forward/);
    expect((await pg.pool.query('SELECT indexed_seq FROM access_index_state')).rows[0].indexed_seq).toBe(5);
  });

  it("refuses changes to a submitted version's content, and its deletion, but lets a draft change", async () => {
    const { pg } = await fresh();
    const draft = await seedPlan(pg, 'draft');
    await pg.db.update(planVersions).set({ changeSummary: 'edited', reviewBy: '2027-02-02' }).where(eq(planVersions.id, draft.version.id));

    const submitted = await seedPlan(pg, 'in-review');
    const id = submitted.version.id;
    for (const change of [
      { content: { summary: 'changed after submission' } as never },
      { contentHash: 'b'.repeat(64) },
      { reviewBy: '2030-01-01' },
      { authors: ['someone-else'] },
    ]) {
      expect(await refusal(pg.db.update(planVersions).set(change).where(eq(planVersions.id, id)))).toMatch(/immutable once submitted/);
    }
    expect(await refusal(pg.db.delete(planVersions).where(eq(planVersions.id, id)))).toMatch(/never deleted/);
    // Its status still moves on.
    await pg.db.update(planVersions).set({ status: 'published', publishedAt: at }).where(eq(planVersions.id, id));
    const [after] = await pg.db.select().from(planVersions).where(eq(planVersions.id, id));
    expect(after).toMatchObject({ status: 'published', reviewBy: '2027-01-01', contentHash: 'a'.repeat(64) });
    // A draft may be thrown away.
    await pg.db.delete(planVersions).where(eq(planVersions.id, draft.version.id));
  });

  it('keeps person copies append-only', async () => {
    const { pg } = await fresh();
    const { planId, version } = await seedPlan(pg);
    await pg.db
      .insert(personCopies)
      .values({ planId, versionId: version.id, version: 1, withoutIdentifiers: false, printedBy: 'a', printedAt: at });
    expect(await refusal(pg.db.update(personCopies).set({ withoutIdentifiers: true }))).toMatch(/person copies are append-only/);
    expect(await refusal(pg.db.delete(personCopies))).toMatch(/person copies are append-only/);
  });
});

describe('the read-cache counter', () => {
  const epoch = async (pg: Pg) => (await pg.pool.query<{ n: number }>('SELECT n FROM read_cache_epoch WHERE id = 1')).rows[0]!.n;

  it('moves with every change to plans, organisations, agreements and sign-in providers, in the same transaction', async () => {
    const { pg } = await fresh();
    const start = await epoch(pg);
    expect(start).toBe(0);
    await seedPlan(pg); // an organisation, a plan
    const afterInsert = await epoch(pg);
    expect(afterInsert).toBeGreaterThan(start);

    await pg.db.update(plans).set({ updatedAt: '2026-02-02T00:00:00.000Z' });
    const afterUpdate = await epoch(pg);
    expect(afterUpdate).toBeGreaterThan(afterInsert);

    await pg.pool.query(`INSERT INTO organisation_oidc (org_slug, issuer, client_id, client_secret_file, roles_claim, role_map, scopes, enabled, updated_at)
      VALUES ('trust-a', 'https://idp.example', 'c', '/x', 'roles', '{}', 'openid', 1, '${at}')`);
    const afterOidc = await epoch(pg);
    expect(afterOidc).toBeGreaterThan(afterUpdate);

    await pg.pool.query(
      `INSERT INTO data_sharing_agreements (reference, valid_from, valid_to, created_at) VALUES ('DSA-1', '2026-01-01', '2027-01-01', '${at}')`,
    );
    const afterDsa = await epoch(pg);
    expect(afterDsa).toBeGreaterThan(afterOidc);

    // A change rolled back leaves the counter where it was.
    await pg.db
      .transaction(async (tx) => {
        await tx.insert(organisations).values({ slug: 'trust-b', name: 'B', kind: 'police', createdAt: at });
        tx.rollback();
      })
      .catch(() => {});
    expect(await epoch(pg)).toBe(afterDsa);

    // Other tables leave it alone.
    await appendEvent(pg, 1);
    expect(await epoch(pg)).toBe(afterDsa);
  });

  it('is seen by another session only once the change commits', async () => {
    const { pg } = await fresh();
    await pg.db.insert(organisations).values({ slug: 'trust-a', name: 'Trust A', kind: 'mental-health', createdAt: at });
    const before = await epoch(pg);
    const writer = await pg.pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO plans (id, owning_org, external_ref, created_at, updated_at) VALUES ('p1', 'trust-a', 'r1', '${at}', '${at}')`,
      );
      expect(await epoch(pg)).toBe(before);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    expect(await epoch(pg)).toBeGreaterThan(before);
  });
});

describe('what the migration sets up besides tables', () => {
  it('has the extensions the search fallback builds on, created by the non-superuser owner', async () => {
    const { pg } = await fresh();
    const ext = await pg.pool.query<{ extname: string }>(
      `SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'fuzzystrmatch') ORDER BY 1`,
    );
    expect(ext.rows.map((r) => r.extname)).toEqual(['fuzzystrmatch', 'pg_trgm']);
    const role = await pg.pool.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    expect(role.rows[0]!.rolsuper).toBe(false);
    const probe = await pg.pool.query(`SELECT similarity('Siobhan', 'Shiobhan') > 0.3 AS close, dmetaphone('Nowak') AS key`);
    expect(probe.rows[0]).toEqual({ close: true, key: 'NK' });
  });
});

/** A session holding the migration lock, as a node in the middle of migrating would. */
async function openBlocker(url: string) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  return client;
}

async function waitForLockWaiters(database: string, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await asSuperuser<{ n: number }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = '${database}'`,
    );
    if (r.rows[0]!.n >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${r.rows[0]!.n} of ${n} nodes waited on the migration lock`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

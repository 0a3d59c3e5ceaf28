import Database from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createAccessLog, type AccessEventInput } from '../../../src/plans/access-log/log.js';
import { EVENT_FIELDS, eventColumns, type StoredEvent } from '../../../src/plans/access-log/columns.mjs';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { catchUpPlanLookup } from '../../../src/plans/access-log/queries.js';
import { runCli } from '../../../src/cli/index.js';
import { databaseFile, openDatabase, tempDir, testClock, keysDirIn } from '../../helpers.js';

const event = (i: number): AccessEventInput => ({
  actor: { sub: `medic.${i % 3}`, org: 'metro-ambulance', roles: ['responder'] },
  action: i % 4 === 0 ? 'search' : 'view',
  channel: 'api',
  purpose: `INC-${1000 + i}`,
  planId: i % 4 === 0 ? null : `plan${String(i).padStart(12, '0')}`,
  versionId: i % 4 === 0 ? null : i,
  query: i % 4 === 0 ? { q: 'synthetic name', dob: '1990' } : undefined,
  resultPlanIds: i % 4 === 0 ? ['planA', 'planB'] : undefined,
  outcome: 'allowed',
});

/** A log of `n` events committed 10 at a time (a checkpoint each), closed; the database stays open for tampering. */
async function writtenLog(n: number) {
  const dir = tempDir();
  const db = openDatabase(databaseFile(dir));
  const signer = loadAuditSigner(keysDirIn(dir))!;
  const log = createAccessLog(db, { clock: testClock(), signer });
  for (let i = 1; i <= n; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, n - i + 1) }, (_, k) => log.record(event(i + k))));
  }
  await log.close();
  return { dir, db, signer, log };
}

/** What an attacker with the file can do: bypass the triggers from their own connection. */
function tamper(dir: string, sql: string) {
  const raw = new Database(databaseFile(dir));
  raw.exec('DROP TRIGGER IF EXISTS access_events_no_update; DROP TRIGGER IF EXISTS access_events_no_delete;');
  raw.exec(sql);
  raw.close();
}

/** What an attacker with the file would run to swap two rows' positions (keeping each row's own hashes). */
const swapRowsSql = (a: number, b: number) => {
  const columns = EVENT_FIELDS.map(([, c]) => c).join(', ');
  return `CREATE TEMP TABLE a AS SELECT * FROM access_events WHERE seq = ${a};
       CREATE TEMP TABLE b AS SELECT * FROM access_events WHERE seq = ${b};
       DELETE FROM access_events WHERE seq IN (${a}, ${b});
       INSERT INTO access_events (seq, ${columns}, prev_hash, hash) SELECT ${a}, ${columns}, prev_hash, hash FROM b;
       INSERT INTO access_events (seq, ${columns}, prev_hash, hash) SELECT ${b}, ${columns}, prev_hash, hash FROM a;`;
};

/**
 * The WAL index's counts (the -shm file's layout, sqlite.org/walformat.html, in native byte order): frames
 * in the WAL (mxFrame, offset 16 of its header) and frames copied into the database (nBackfill, offset 96).
 */
function walFrames(dir: string) {
  const b = fs.readFileSync(`${databaseFile(dir)}-shm`);
  const u32 = (at: number) => (os.endianness() === 'LE' ? b.readUInt32LE(at) : b.readUInt32BE(at));
  return { inWal: u32(16), backfilled: u32(96) };
}

describe('access log: WAL checkpoints off the commit path', () => {
  it("no commit checkpoints at SQLite's 1,000 pages; the checkpointer thread copies the WAL, and closing hands checkpoints back", async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    const client = db.sqlite!.client;
    expect(client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // The checkpointer an hour apart: 400 commits pile up in the WAL, well past 1,000 pages, uncopied.
    const log = createAccessLog(db, { clock: testClock(), checkpointEveryMs: 3_600_000 });
    for (let i = 1; i <= 4000; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => log.record(event(i + k))));
    const piled = walFrames(dir);
    expect(piled.inWal).toBeGreaterThan(1000);
    expect(piled.backfilled).toBe(0);
    // Nor would a write on the main thread stall it with a checkpoint while the log runs.
    expect(client.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    await log.close();
    // The checkpointer's last pass, at close, copied every frame; the connection checkpoints itself again.
    expect(walFrames(dir)).toEqual({ inWal: piled.inWal, backfilled: piled.inWal });
    expect(client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);

    // Every 50 ms: the WAL is copied while the log is open and nobody else checkpoints.
    const often = createAccessLog(db, { clock: testClock(), checkpointEveryMs: 50 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => often.record(event(4001 + i))));
    const copied = () => walFrames(dir).backfilled === walFrames(dir).inWal && walFrames(dir).inWal > 0;
    for (let waited = 0; !copied() && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(copied()).toBe(true);
    await often.close();
    expect(client.prepare('SELECT count(*) FROM access_events').pluck().get()).toBe(4020);
    client.close();
  });
});

describe('access log: group commit and chain', () => {
  it('commits concurrent events together, in one batch, each commit with its signed checkpoint, and all verify', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    const signer = loadAuditSigner(keysDirIn(dir))!;
    const log = createAccessLog(db, { clock: testClock(), signer });
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.record(event(i + 1))));
    expect(log.stats()).toMatchObject({ batches: 1, events: 50, checkpoints: 1 });
    await log.record(event(51));
    expect(log.stats()).toMatchObject({ batches: 2, events: 51, checkpoints: 2 });
    // Committed with the events, not later: the newest event is covered before its request is answered.
    expect(db.sqlite!.client.prepare('SELECT head_seq FROM audit_checkpoints ORDER BY id').pluck().all()).toEqual([50, 51]);
    await log.close();
    const r = await verifyAuditLog(db, signer.publicKeyPem);
    expect(r).toMatchObject({ ok: true, events: 51, checkpoints: 2, uncheckpointed: 0, head: { seq: 51 } });
    const seqs = db.sqlite!.client.prepare('SELECT seq FROM access_events ORDER BY seq').pluck().all();
    expect(seqs).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    db.sqlite!.client.close();
  });

  it('the checkpoint payload the writer thread signs is the canonical JSON of its fields', async () => {
    const { checkpointPayload } = await import('../../../src/plans/access-log/chain.js');
    const { canonicalJson } = await import('../../../src/plans/core/canonical.js');
    const body = { keyId: 'cd'.repeat(32), headSeq: 12345, at: '2026-12-01T10:00:00.000Z', headHash: 'ab'.repeat(32) };
    expect(checkpointPayload({ ...body, signature: 'x' } as typeof body)).toBe(canonicalJson(body));
  });

  it('event hashes are SHA-256 over the previous hash and the canonical JSON of the event', async () => {
    const { eventHash } = await import('../../../src/plans/access-log/chain.js');
    const { canonicalJson, sha256Hex } = await import('../../../src/plans/core/canonical.js');
    const { toEventBody } = await import('../../../src/plans/access-log/log.js');
    for (let i = 1; i <= 8; i++) {
      const body = toEventBody({ ...event(i), reason: i % 2 ? 'why "quoted" \u00e9' : undefined }, new Date(Date.UTC(2026, 10, i)));
      expect(eventHash('ab'.repeat(32), body)).toBe(sha256Hex('ab'.repeat(32) + canonicalJson(body)));
    }
  });

  it('a batch that cannot be written rejects every request in it and leaves no hole in the chain', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    const log = createAccessLog(db, { clock: testClock() });
    await log.record(event(1));
    db.sqlite!.client.exec(`CREATE TRIGGER fail_log BEFORE INSERT ON access_events BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const results = await Promise.allSettled([log.record(event(2)), log.record(event(3))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    db.sqlite!.client.exec('DROP TRIGGER fail_log');
    await log.record(event(4));
    expect(await verifyAuditLog(db, undefined)).toMatchObject({ ok: true, events: 2 });
    db.sqlite!.client.close();
  });

  it('with batches queued at the writer, failures anywhere leave exactly the confirmed events, in an unbroken chain', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    // Several batches at the writer at once: it commits them together, each under its own savepoint.
    const log = createAccessLog(db, { clock: testClock(), maxBatchesInFlight: 8 });
    db.sqlite!.client.exec(
      `CREATE TRIGGER fail_some BEFORE INSERT ON access_events WHEN NEW.purpose LIKE 'FAIL%' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    const outcomes: Promise<{ purpose: string; ok: boolean }>[] = [];
    for (let i = 1; i <= 60; i++) {
      const purpose = i % 13 === 0 ? `FAIL-${i}` : `INC-${i}`;
      outcomes.push(
        log.record({ ...event(i), purpose }).then(
          () => ({ purpose, ok: true }),
          () => ({ purpose, ok: false }),
        ),
      );
      if (i % 3 === 0) await new Promise((r) => setImmediate(r)); // spread over several batches in flight
    }
    const settled = await Promise.all(outcomes);
    const stored = db.sqlite!.client.prepare('SELECT purpose FROM access_events ORDER BY seq').pluck().all();
    expect(stored).toEqual(settled.filter((o) => o.ok).map((o) => o.purpose));
    expect(settled.filter((o) => o.purpose.startsWith('FAIL')).every((o) => !o.ok)).toBe(true);
    expect(settled.filter((o) => o.ok).length).toBeGreaterThan(10);
    expect(await verifyAuditLog(db, undefined)).toMatchObject({ ok: true });
    await log.close();
    db.sqlite!.client.close();
  });

  it('two logs on one file (two processes, say) continue one chain rather than forking it', async () => {
    const dir = tempDir();
    const dbA = openDatabase(databaseFile(dir));
    const dbB = openDatabase(databaseFile(dir));
    const a = createAccessLog(dbA, { clock: testClock() });
    const b = createAccessLog(dbB, { clock: testClock() });
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 40; i++) {
      writes.push((i % 2 ? a : b).record({ ...event(i), purpose: `INC-${i}` }));
      if (i % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    await Promise.all([a.close(), b.close()]);
    const purposes = dbA.sqlite!.client.prepare('SELECT purpose FROM access_events').pluck().all();
    expect(new Set(purposes)).toEqual(new Set(Array.from({ length: 40 }, (_, i) => `INC-${i + 1}`)));
    expect(await verifyAuditLog(dbA, undefined)).toMatchObject({ ok: true, events: 40 });
    dbA.sqlite!.client.close();
    dbB.sqlite!.client.close();
  });

  it('refuses UPDATE and DELETE of events and checkpoints from the application', async () => {
    const { db } = await writtenLog(3);
    expect(() => db.sqlite!.client.exec("UPDATE access_events SET purpose = 'x' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => db.sqlite!.client.exec('DELETE FROM access_events WHERE seq = 3')).toThrow(/append-only/);
    expect(() => db.sqlite!.client.exec("UPDATE audit_checkpoints SET head_hash = 'x'")).toThrow(/append-only/);
    expect(() => db.sqlite!.client.exec('DELETE FROM audit_checkpoints')).toThrow(/append-only/);
    db.sqlite!.client.close();
  });

  it('continues the chain across restarts', async () => {
    const { dir, db, signer } = await writtenLog(5);
    db.sqlite!.client.close();
    const db2 = openDatabase(databaseFile(dir));
    const log = createAccessLog(db2, { clock: testClock(), signer });
    await log.record(event(6));
    await log.close();
    expect(await verifyAuditLog(db2, signer.publicKeyPem)).toMatchObject({ ok: true, events: 6, checkpoints: 2 });
    db2.sqlite!.client.close();
  });
});

describe('access log: the plan lookup', () => {
  type Db = ReturnType<typeof openDatabase>;
  /** The events that name the plan, found by reading the whole log (not through the lookup). */
  const fullScan = async (db: Db, planId: string) =>
    (
      await db.many<{ seq: number; planId: string | null; results: string | null }>(
        sql`SELECT seq, plan_id AS "planId", result_plan_ids AS results FROM access_events ORDER BY seq`,
      )
    )
      .filter((e) => e.planId === planId || (JSON.parse(e.results ?? '[]') as string[]).includes(planId))
      .map((e) => e.seq);
  const viaLookup = async (db: Db, planId: string) =>
    (await db.many<{ seq: number }>(sql`SELECT seq FROM access_event_plans WHERE plan_id = ${planId} ORDER BY seq`)).map((r) => r.seq);
  const indexedTo = async (db: Db) => (await db.one<{ n: number }>(sql`SELECT indexed_seq AS n FROM access_index_state`))!.n;

  it('is caught up by the query that needs it, and then agrees with a scan of the whole log', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    // The writer would build the lookup in the next quiet moment; here it waits, so the query must.
    const log = createAccessLog(db, { clock: testClock(), indexWhenIdleMs: 600_000 });
    // Views of a few plans, and searches returning some of them (event() cycles through both kinds).
    const planFor = (i: number) => `plan${String(i % 5).padStart(12, '0')}`;
    await Promise.all(
      Array.from({ length: 40 }, (_, k) => {
        const i = k + 1;
        return log.record({
          ...event(i),
          planId: i % 4 === 0 ? null : planFor(i),
          resultPlanIds: i % 4 === 0 ? [planFor(i), planFor(i + 1)] : undefined,
        });
      }),
    );
    expect(await indexedTo(db)).toBe(0);
    await catchUpPlanLookup(db);
    expect(await indexedTo(db)).toBe(40);
    for (let p = 0; p < 5; p++) {
      const planId = planFor(p);
      expect((await fullScan(db, planId)).length).toBeGreaterThan(0);
      expect(await viaLookup(db, planId)).toEqual(await fullScan(db, planId));
    }
    await log.close();
    db.sqlite!.client.close();
  });

  it('is built by the writer thread once the log goes quiet', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    const log = createAccessLog(db, { clock: testClock() });
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.record(event(i + 1))));
    for (let waited = 0; (await indexedTo(db)) !== 30 && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(await indexedTo(db)).toBe(30);
    expect(await viaLookup(db, 'plan000000000001')).toEqual(await fullScan(db, 'plan000000000001'));
    await log.close();
    db.sqlite!.client.close();
  });

  it('is completed by the writer thread on request, and kept within bounds under sustained load', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    // Never quiet long enough to index on its own; a backlog over 25 events forces a pass after a commit.
    const log = createAccessLog(db, { clock: testClock(), indexWhenIdleMs: 600_000, forceIndexBacklog: 25 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.record(event(i + 1))));
    expect(await indexedTo(db)).toBe(0);
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.record(event(i + 21))));
    // The second commit took the backlog to 40 (> 25): the writer indexed it before taking more.
    await log.record(event(41));
    expect(await indexedTo(db)).toBeGreaterThanOrEqual(40);
    await log.record(event(42));
    await log.planLookup();
    expect(await indexedTo(db)).toBe(42);
    expect(await viaLookup(db, 'plan000000000001')).toEqual(await fullScan(db, 'plan000000000001'));
    await log.close();
    db.sqlite!.client.close();
  });

  it('cannot be edited by the application: entries are append-only and progress only moves forward', async () => {
    const { db } = await writtenLog(6);
    await catchUpPlanLookup(db);
    // The database's own refusal (the driver's error, which drizzle wraps).
    const refusal = (q: ReturnType<typeof sql>) =>
      db.exec(q).then(
        () => 'done',
        (e: Error) => (e.cause as Error | undefined)?.message ?? e.message,
      );
    expect(await refusal(sql`DELETE FROM access_event_plans`)).toMatch(/append-only/);
    expect(await refusal(sql`UPDATE access_event_plans SET plan_id = 'other'`)).toMatch(/append-only/);
    expect(await refusal(sql`UPDATE access_index_state SET indexed_seq = 0`)).toMatch(/only moves forward/);
    db.sqlite!.client.close();
  });
});

describe('verify-audit finds the first tampered event', () => {
  it.each([
    ['altered', "UPDATE access_events SET purpose = 'INC-9999' WHERE seq = 17", 17, 'altered'],
    ['deleted', 'DELETE FROM access_events WHERE seq = 12', 12, 'deleted'],
    ['reordered', swapRowsSql(23, 24), 23, 'reordered'],
    ['tail deleted past a checkpoint', 'DELETE FROM access_events WHERE seq > 26', 27, 'deleted'],
  ])('%s', async (_name, sql, seq, kind) => {
    const { dir, db, signer } = await writtenLog(30);
    expect((await verifyAuditLog(db, signer.publicKeyPem)).ok).toBe(true);
    tamper(dir, sql);
    const r = await verifyAuditLog(db, signer.publicKeyPem);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatchObject({ seq, kind });
    db.sqlite!.client.close();
  });

  it.each([
    ['an entry removed (an access hidden from the person)', 'DELETE FROM access_event_plans WHERE seq = 14', 14],
    ['an entry invented', "INSERT INTO access_event_plans (plan_id, seq) VALUES ('planZZZZZZZZZZZZ', 9)", 9],
    ['a search result removed', "DELETE FROM access_event_plans WHERE seq = 12 AND plan_id = 'planB'", 12],
  ])('the per-plan lookup: %s', async (_name, sql, seq) => {
    const { dir, db, signer } = await writtenLog(30);
    await catchUpPlanLookup(db);
    expect((await verifyAuditLog(db, signer.publicKeyPem)).ok).toBe(true);
    const raw = new Database(databaseFile(dir));
    raw.exec('DROP TRIGGER access_event_plans_no_delete');
    raw.exec(sql);
    raw.close();
    expect((await verifyAuditLog(db, signer.publicKeyPem)).problem).toMatchObject({ seq, kind: 'lookup' });
    db.sqlite!.client.close();
  });

  it('a rewritten chain (hashes recomputed after an edit) is caught by the signed checkpoint', async () => {
    const { dir, db, signer } = await writtenLog(20);
    // Recompute every hash from event 5 on, as a careful attacker would.
    const { eventHash } = await import('../../../src/plans/access-log/chain.js');
    const raw = new Database(databaseFile(dir));
    raw.exec('DROP TRIGGER access_events_no_update');
    raw.prepare("UPDATE access_events SET purpose = 'INC-0000' WHERE seq = 5").run();
    const rows = raw.prepare(`SELECT ${eventColumns('')} FROM access_events ORDER BY seq`).all() as StoredEvent[];
    let prev = raw.prepare('SELECT hash FROM access_events WHERE seq = 4').pluck().get() as string;
    for (const r of rows.slice(4)) {
      const hash = eventHash(prev, r);
      raw.prepare('UPDATE access_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
      prev = hash;
    }
    raw.close();
    const r = await verifyAuditLog(db, signer.publicKeyPem);
    expect(r.problem).toMatchObject({ seq: 10, kind: 'checkpoint' });
    db.sqlite!.client.close();
  });

  it('checkpoints verify only with the exported public key, through the CLI too', async () => {
    const { dir, db } = await writtenLog(12);
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await verifyAuditLog(db, other)).problem).toMatchObject({ kind: 'checkpoint' });
    db.sqlite!.client.close();

    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write;
    let keyExit: number;
    try {
      keyExit = await runCli(['audit-key'], { DATA_DIR: dir });
    } finally {
      process.stdout.write = write;
    }
    expect(keyExit).toBe(0);
    const keyFile = `${dir}/exported.pem`;
    (await import('node:fs')).writeFileSync(keyFile, lines.join(''));
    expect(lines.join('')).toMatch(/BEGIN PUBLIC KEY/);
    const errWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await runCli(['verify-audit', '--public-key', keyFile], { DATA_DIR: dir })).toBe(0);
      tamper(dir, "UPDATE access_events SET outcome = 'denied' WHERE seq = 7");
      expect(await runCli(['verify-audit', '--public-key', keyFile], { DATA_DIR: dir })).toBe(1);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
  });
});

describe('verify-audit reports every bad event, not only the first', () => {
  it('altered rows, a deleted run and a lookup entry removed: all reported, with ranges', async () => {
    const { dir, db, signer } = await writtenLog(60);
    await catchUpPlanLookup(db);
    expect((await verifyAuditLog(db, signer.publicKeyPem)).ok).toBe(true);
    tamper(
      dir,
      `UPDATE access_events SET purpose = 'INC-9999' WHERE seq IN (12, 40, 41);
       DELETE FROM access_events WHERE seq IN (25, 26, 27);`,
    );
    const raw = new Database(databaseFile(dir));
    raw.exec('DROP TRIGGER access_event_plans_no_delete');
    raw.exec('DELETE FROM access_event_plans WHERE seq = 50');
    raw.close();
    const r = await verifyAuditLog(db, signer.publicKeyPem);
    expect(r.ok).toBe(false);
    const byKind = Object.fromEntries(r.summary.map((s) => [s.kind, s]));
    expect(byKind.altered).toEqual({
      kind: 'altered',
      events: 3,
      ranges: [
        [12, 12],
        [40, 41],
      ],
    });
    expect(byKind.deleted).toEqual({ kind: 'deleted', events: 3, ranges: [[25, 27]] });
    // The deleted events' lookup entries now point at nothing: reported as well as the removed one.
    expect(byKind.lookup).toMatchObject({
      events: 4,
      ranges: [
        [25, 27],
        [50, 50],
      ],
    });
    // Rows between the tamperings are clean: the walk resumed from each bad row's stored hash.
    expect(r.summary.map((s) => s.kind).sort()).toEqual(['altered', 'deleted', 'lookup']);
    expect(r.problems.map((p) => `${p.kind}@${p.seq}`).sort()).toEqual(
      ['altered@12', 'altered@40', 'altered@41', 'deleted@25', 'lookup@25', 'lookup@26', 'lookup@27', 'lookup@50'].sort(),
    );
    expect(r.problem).toMatchObject({ seq: 12, kind: 'altered' });
    expect(r.problemCount).toBe(10);
    const { describeSummary } = await import('../../../src/plans/access-log/verify.js');
    expect(describeSummary(byKind.altered!)).toBe('altered: 3 events (12, 40–41)');
    db.sqlite!.client.close();
  });

  it('reads the log a page at a time, and pages of any size find exactly the same', async () => {
    const { dir, db, signer } = await writtenLog(60);
    await catchUpPlanLookup(db);
    tamper(
      dir,
      `UPDATE access_events SET purpose = 'INC-9999' WHERE seq = 7; DELETE FROM access_events WHERE seq IN (12, 13); ${swapRowsSql(23, 24)}`,
    );
    // From event 35 on the chain is rewritten, hashes and all: the checkpoints at 40, 50 and 60 no longer match.
    const { eventHash } = await import('../../../src/plans/access-log/chain.js');
    const raw = new Database(databaseFile(dir));
    raw.prepare("UPDATE access_events SET purpose = 'INC-0000' WHERE seq = 35").run();
    let prev = raw.prepare('SELECT hash FROM access_events WHERE seq = 34').pluck().get() as string;
    for (const r of raw.prepare(`SELECT ${eventColumns('')} FROM access_events WHERE seq >= 35 ORDER BY seq`).all() as StoredEvent[]) {
      const hash = eventHash(prev, r);
      raw.prepare('UPDATE access_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
      prev = hash;
    }
    raw.close();
    const whole = await verifyAuditLog(db, signer.publicKeyPem);
    expect(whole.summary.map((s) => s.kind).sort()).toEqual(['altered', 'checkpoint', 'deleted', 'lookup', 'reordered']);
    expect(whole.summary.find((s) => s.kind === 'checkpoint')?.ranges).toEqual([
      [40, 40],
      [50, 50],
      [60, 60],
    ]);
    expect(whole).toMatchObject({ events: 58, checkpoints: 6, head: { seq: 60 } });
    for (const pageSize of [1, 2, 3, 11, 12, 57, 58, 59]) {
      expect(await verifyAuditLog(db, signer.publicKeyPem, { pageSize })).toEqual(whole);
    }
    db.sqlite!.client.close();
  });

  it('a reordered pair later in the log is still found after an earlier alteration', async () => {
    const { dir, db, signer } = await writtenLog(30);
    tamper(
      dir,
      `UPDATE access_events SET outcome = 'denied' WHERE seq = 3;
       ${swapRowsSql(23, 24)}`,
    );
    const r = await verifyAuditLog(db, signer.publicKeyPem);
    expect(r.summary.find((s) => s.kind === 'altered')?.ranges).toEqual([[3, 3]]);
    expect(r.summary.find((s) => s.kind === 'reordered')?.ranges[0]![0]).toBe(23);
    db.sqlite!.client.close();
  });

  it('the CLI prints the count, the ranges and each event, and exits 1', async () => {
    const { dir, db } = await writtenLog(30);
    db.sqlite!.client.close();
    tamper(dir, "UPDATE access_events SET purpose = 'x' WHERE seq IN (5, 6, 20); DELETE FROM access_events WHERE seq = 11");
    const err: string[] = [];
    const errWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await runCli(['verify-audit'], { DATA_DIR: dir });
    } finally {
      process.stderr.write = errWrite;
    }
    expect(code).toBe(1);
    const text = err.join('');
    expect(text).toContain('4 bad events');
    expect(text).toContain('altered: 3 events (5–6, 20)');
    expect(text).toContain('deleted: 1 event (11)');
    for (const seq of [5, 6, 11, 20]) expect(text).toMatch(new RegExp(`event ${seq} \\(`));
  });
});

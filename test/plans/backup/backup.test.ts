// Backup and restore (issue 22) on real stores: SQLite files and databases in the run's PostgreSQL cluster.
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { databaseFile, openDatabase, openStore, type Db } from '../../../db/index.js';
import { checkpointPayload } from '../../../src/plans/access-log/chain.js';
import { createAccessLog, type AccessEventInput } from '../../../src/plans/access-log/log.js';
import { keyIdOf, loadAuditSigner, type AuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { restoreBackup, StoreNotEmpty, writeBackup } from '../../../src/plans/backup/backup.js';
import { schemaTableNames } from '../../../src/plans/backup/backup-store.js';
import type { CheckpointKeys } from '../../../src/plans/backup/chain-check.js';
import { BACKED_UP, LEFT_OUT } from '../../../src/plans/backup/format.js';
import { storeCard } from '../../../src/plans/cards/store.js';
import { seedSyntheticPlans } from '../../../src/plans/demo/demo.js';
import { cli } from '../../cli/helpers.js';
import { tempDir, testStore, type Dialect, keysDirIn } from '../../helpers.js';

const now = () => new Date('2026-11-23T10:00:00.000Z');

const keysOf = (...signers: AuditSigner[]): CheckpointKeys => ({
  keys: new Map(signers.map((s) => [s.keyId, createPublicKey(s.publicKeyPem)])),
  explicit: true,
});

/** Text that must come back byte for byte: the chain's hashes cover it. */
const awkward = ["Zoë Ní Bhriain — “quoted” 'single' \\ back", 'Łukasz 🚑 crisis\ttab', 'emoji 👩🏽‍⚕️ and 中文', ''];

function event(i: number, planIds: string[]): AccessEventInput {
  const search = i % 4 === 0;
  return {
    actor: { sub: `medic.${i % 3}`, org: 'metro-ambulance', roles: ['responder'] },
    action: search ? 'search' : 'view',
    channel: i % 5 === 0 ? 'web' : 'api',
    purpose: `${awkward[i % awkward.length]} INC-${i}`,
    planId: search ? null : planIds[i % planIds.length]!,
    versionId: search ? null : i,
    query: search ? { q: awkward[i % awkward.length], dob: '1990' } : undefined,
    resultPlanIds: search ? planIds.slice(0, 3) : undefined,
    outcome: i % 7 === 0 ? 'denied' : 'allowed',
    reason: i % 7 === 0 ? 'no agreement covers the plan' : undefined,
  };
}

/** Records `n` events, `concurrent` at a time (each group one commit or a few, each with its checkpoint). */
async function recordEvents(db: Db, signer: AuditSigner, n: number, from = 1) {
  const planIds = (await db.many<{ id: string }>(sql`SELECT id FROM plans ORDER BY id`)).map((p) => p.id);
  const log = createAccessLog(db, { clock: () => new Date(), signer });
  for (let i = from; i < from + n; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, from + n - i) }, (_, k) => log.record(event(i + k, planIds.length ? planIds : ['plan-x']))),
    );
  }
  await log.planLookup();
  await log.close();
}

/**
 * A SQLite store with a row in every table a backup holds, built with the domain's own functions where
 * they exist (seeding, cards, the access log) and the builder elsewhere.
 */
async function sqliteSource(dir = tempDir()) {
  const db = await testStore('sqlite', dir);
  await seedSyntheticPlans(db, 30, { seed: 7, now });
  const { t, q } = db;
  const plan = (await db.one<{ id: string; versionId: number; version: number }>(
    sql`SELECT p.id AS id, v.id AS "versionId", v.version AS version FROM plans p JOIN plan_versions v ON v.id = p.current_version_id ORDER BY p.id LIMIT 1`,
  ))!;
  await storeCard(
    db,
    { planId: plan.id, tokenHash: 'a'.repeat(64), codeHash: 'b'.repeat(64), issuedBy: 'author.a', issuedAt: now().toISOString() },
    now().toISOString(),
    'author.a',
  );
  await db.exec(
    q.insert(t.personCopies).values({
      planId: plan.id,
      versionId: plan.versionId,
      version: plan.version,
      withoutIdentifiers: true,
      printedBy: 'author.a',
      printedAt: now().toISOString(),
    }),
  );
  await db.exec(
    q.insert(t.organisationOidc).values({
      orgSlug: 'southbank-mh',
      issuer: 'https://idp.example.test',
      clientId: 'rpl',
      clientSecretFile: '/data/oidc/southbank.secret',
      rolesClaim: 'roles',
      roleMap: '{"clinician":"author"}',
      scopes: 'openid profile',
      enabled: 1,
      updatedAt: now().toISOString(),
    }),
  );
  const [proposal] = await db.many<{ id: number }>(
    q
      .insert(t.dsaProposals)
      .values({
        reference: 'DSA-TEST-002',
        kind: 'new',
        parties: '["capital-police","southbank-mh"]',
        validFrom: '2026-01-01',
        validTo: '2027-12-31',
        reason: 'Zoë’s trust joins',
        proposedByOrg: 'southbank-mh',
        proposedBySub: 'admin.a',
        proposedAt: now().toISOString(),
        state: 'pending',
      })
      .returning({ id: t.dsaProposals.id }),
  );
  await db.exec(
    q.insert(t.dsaDecisions).values({
      proposalId: proposal!.id,
      orgSlug: 'southbank-mh',
      decision: 'accepted',
      bySub: 'admin.a',
      via: 'web',
      at: now().toISOString(),
    }),
  );
  const signer = loadAuditSigner(keysDirIn(dir))!;
  await recordEvents(db, signer, 300);
  return { db, dir, signer };
}

type Dump = Record<string, unknown[]>;

/** Every backed-up table's rows, read with plain SQL, in one comparable form (JSON parsed, booleans). */
async function dump(db: Db): Promise<Dump> {
  const out: Dump = {};
  const json = new Set(['subject', 'locations', 'content', 'governance', 'authors']);
  for (const spec of BACKED_UP) {
    const rows = await db.many<Record<string, unknown>>(sql.raw(`SELECT * FROM ${spec.name}`));
    const norm = rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        o[k] =
          spec.name === 'plan_versions' && json.has(k) && typeof v === 'string'
            ? JSON.parse(v)
            : spec.name === 'person_copies' && k === 'without_identifiers'
              ? Boolean(v)
              : v;
      }
      return o;
    });
    const key = (r: Record<string, unknown>) => JSON.stringify(spec.orderBy.map((c) => r[c]));
    out[spec.name] = norm.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return out;
}

const rowCounts = (d: Dump) => Object.fromEntries(Object.entries(d).map(([t, rows]) => [t, rows.length]));

async function chainHeadOf(db: Db) {
  return db.one<{ seq: number; hash: string }>(sql`SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1`);
}

/** An empty store has no rows but the migration's seed (access_index_state at 0). */
async function expectEmpty(db: Db) {
  const d = await dump(db);
  for (const spec of BACKED_UP) {
    if (spec.name === 'access_index_state') expect(d[spec.name]).toEqual([{ id: 1, indexed_seq: 0 }]);
    else expect(d[spec.name], spec.name).toEqual([]);
  }
}

/** The backup file's lines, uncompressed, and a way to write a changed copy. */
function linesOf(file: string): string[] {
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').slice(0, -1);
}
function writeLines(file: string, lines: string[]) {
  fs.writeFileSync(file, zlib.gzipSync(`${lines.join('\n')}\n`));
}

// Several tests run the CLI as child processes, as an operator would: slow on a busy machine.
describe('backup and restore', { timeout: 120_000 }, () => {
  it('holds every table of the schema, or says why one is left out', async () => {
    for (const dialect of ['sqlite', 'pg'] as Dialect[]) {
      const db = await testStore(dialect);
      const covered = [...BACKED_UP.map((s) => s.name), ...Object.keys(LEFT_OUT)].sort();
      expect(schemaTableNames(db)).toEqual(covered);
    }
  });

  it('SQLite → file → PostgreSQL through the CLI: identical rows, the same chain head, the signatures checked', async () => {
    const { db: source, dir, signer } = await sqliteSource();
    const before = await dump(source);
    for (const [t, rows] of Object.entries(before)) expect(rows.length, `${t} has rows to carry`).toBeGreaterThan(0);
    const head = await chainHeadOf(source);
    await source.close();

    const file = path.join(tempDir(), 'register.ndjson.gz');
    const backup = await cli(['backup', file], dir);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain('backup of the SQLite store');
    expect(backup.stdout).toMatch(new RegExp(`access_events\\s+${before.access_events!.length}\\n`));
    expect(backup.stdout).toContain(`access log chain head: event ${head!.seq} ${head!.hash}`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const target = await testStore('pg');
    const keyFile = path.join(tempDir(), 'audit.pem');
    fs.writeFileSync(keyFile, signer.publicKeyPem);
    const restore = await cli(['restore', file, '--public-key', keyFile], tempDir(), { DATABASE_URL: target.pg!.url });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain('into the PostgreSQL store');
    expect(restore.stdout).toContain(`access log chain verified: ${head!.seq} events, head event ${head!.seq} ${head!.hash}`);
    expect(restore.stdout).toMatch(/every signature verified/);
    expect(restore.stdout).toMatch(new RegExp(`plan_versions\\s+${before.plan_versions!.length}\\n`));

    const after = await dump(target);
    for (const spec of BACKED_UP) expect(after[spec.name], spec.name).toEqual(before[spec.name]);
    expect(await chainHeadOf(target)).toEqual(head);

    // The identities go on past the restored ids, and the access log continues the restored chain.
    const plan = before.plans![0] as { id: string };
    const maxCard = Math.max(...before.plan_cards!.map((c) => (c as { id: number }).id));
    const stored = await storeCard(
      target,
      { planId: plan.id, tokenHash: 'c'.repeat(64), codeHash: 'd'.repeat(64), issuedBy: 'author.a', issuedAt: now().toISOString() },
      now().toISOString(),
      'author.a',
    );
    expect(stored.withdrawn ? undefined : stored.cardId).toBe(maxCard + 1);
    await recordEvents(target, signer, 10, 1000);
    const next = await target.one<{ seq: number; prevHash: string }>(
      sql`SELECT seq, prev_hash AS "prevHash" FROM access_events WHERE seq = ${head!.seq + 1}`,
    );
    expect(next).toEqual({ seq: head!.seq + 1, prevHash: head!.hash });
  });

  it('PostgreSQL → file → SQLite: identical rows, the same chain head, and the SQLite verifier agrees', async () => {
    const { db: sqliteDb, signer } = await sqliteSource();
    const first = path.join(tempDir(), 'a.ndjson.gz');
    await writeBackup(sqliteDb, first, { now });
    const source = await testStore('pg');
    await restoreBackup(source, first, { keys: keysOf(signer) });
    // Written on PostgreSQL after the move: the backup must carry PostgreSQL's own rows too.
    await recordEvents(source, signer, 120, 5000);
    const before = await dump(source);
    const head = await chainHeadOf(source);

    const file = path.join(tempDir(), 'b.ndjson.gz');
    const s = await writeBackup(source, file, { now });
    expect(s.dialect).toBe('pg');
    expect(s.chainHead).toEqual(head);
    expect(s.chainProblem).toBeUndefined();
    expect(s.counts).toEqual(rowCounts(before));

    const dir = tempDir();
    const target = await testStore('sqlite', dir);
    const r = await restoreBackup(target, file, { keys: keysOf(signer) });
    expect(r.from.dialect).toBe('pg');
    expect(r.chainHead).toEqual(head);
    expect(r.counts).toEqual(rowCounts(before));
    expect(r.checkpoints.total).toBe(before.audit_checkpoints!.length);
    expect(r.checkpoints.verified).toBe(r.checkpoints.total);
    const after = await dump(target);
    for (const spec of BACKED_UP) expect(after[spec.name], spec.name).toEqual(before[spec.name]);
    const verified = await verifyAuditLog(target, signer.publicKeyPem);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
    expect(verified.head).toEqual(head);
  });

  describe.each(['sqlite', 'pg'] as Dialect[])('on %s', (dialect) => {
    it('a backup taken while writes go on is one moment: every count from the same instant, the chain whole', async () => {
      const { db: seeded, signer } = await sqliteSource();
      const seed = path.join(tempDir(), 'seed.ndjson.gz');
      await writeBackup(seeded, seed, { now });
      const dir = tempDir();
      const source = await testStore(dialect, dir);
      await restoreBackup(source, seed, { keys: keysOf(signer) });
      await recordEvents(source, signer, 1500, 10_000);

      // Writers on connections of their own, as the running service's would be.
      const writer =
        dialect === 'sqlite' ? openDatabase(databaseFile(dir)) : await openStore({ dataDir: dir, databaseUrl: source.pg!.url });
      const planIds = (await writer.many<{ id: string }>(sql`SELECT id FROM plans ORDER BY id`)).map((p) => p.id);
      const log = createAccessLog(writer, { clock: () => new Date(), signer });
      let committed = 0;
      let stop = false;
      const writing = (async () => {
        for (let i = 50_000; !stop; i += 10) {
          await Promise.all(Array.from({ length: 10 }, (_, k) => log.record(event(i + k, planIds))));
          committed += 10;
        }
      })();
      const moreCommitted = async (n: number) => {
        const target = committed + n;
        while (committed < target) await new Promise((r) => setTimeout(r, 5));
      };
      const orgsBefore = (await writer.many(sql`SELECT slug FROM organisations`)).length;

      const file = path.join(tempDir(), 'live.ndjson.gz');
      const s = await writeBackup(source, file, {
        now,
        onProgress: async (table, rows) => {
          if (rows !== 0) return;
          // Changes land between the tables the backup reads: none of them may show in it.
          if (table === 'organisations') {
            await writer.exec(
              writer.q
                .insert(writer.t.organisations)
                .values({ slug: 'late-org', name: 'Late', kind: 'police', createdAt: now().toISOString() }),
            );
          }
          if (table === 'access_events' || table === 'audit_checkpoints' || table === 'access_index_state') await moreCommitted(60);
        },
      });
      stop = true;
      await writing;
      await log.planLookup();
      await log.close();
      await writer.close();

      const final = await chainHeadOf(source);
      expect(final!.seq).toBeGreaterThan(s.chainHead.seq + 150);
      expect(s.counts.organisations).toBe(orgsBefore);

      const target = await testStore(dialect === 'sqlite' ? 'pg' : 'sqlite');
      const r = await restoreBackup(target, file, { keys: keysOf(signer) });
      expect(r.chainHead).toEqual(s.chainHead);
      expect(r.counts.access_events).toBe(s.chainHead.seq);
      // Every commit signs its head in the same transaction: in one moment's view the newest checkpoint
      // covers exactly the newest event, and the lookup never runs ahead of the log.
      expect(r.uncheckpointed).toBe(0);
      expect(r.checkpoints.verified).toBe(r.checkpoints.total);
      const state = await target.one<{ n: number }>(sql`SELECT indexed_seq AS n FROM access_index_state`);
      expect(state!.n).toBeLessThanOrEqual(s.chainHead.seq);
      expect(await target.one(sql`SELECT slug FROM organisations WHERE slug = 'late-org'`)).toBeUndefined();
    });

    it('refuses a store that is not empty, and changes nothing in it', async () => {
      const { db: sqliteDb, signer } = await sqliteSource();
      const file = path.join(tempDir(), 'x.ndjson.gz');
      await writeBackup(sqliteDb, file, { now });

      const dir = tempDir();
      const target = await testStore(dialect, dir);
      await target.exec(
        target.q
          .insert(target.t.organisations)
          .values({ slug: 'already-here', name: 'Here', kind: 'ambulance', createdAt: now().toISOString() }),
      );
      await recordEvents(target, signer, 5);
      const before = await dump(target);
      await expect(restoreBackup(target, file, { keys: keysOf(signer) })).rejects.toThrow(StoreNotEmpty);
      await expect(restoreBackup(target, file, { keys: keysOf(signer) })).rejects.toThrow(
        /not empty \(organisations: 1 row, access_events: 5 rows/,
      );
      expect(await dump(target)).toEqual(before);

      const env: Record<string, string> = dialect === 'pg' ? { DATABASE_URL: target.pg!.url } : {};
      const refused = await cli(['restore', file], dir, env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/restore refused: the store is not empty/);
      expect(await dump(target)).toEqual(before);
    });

    it('refuses a truncated or altered file with the reason, and leaves the store empty', async () => {
      const { db: sqliteDb, signer } = await sqliteSource();
      const file = path.join(tempDir(), 'good.ndjson.gz');
      await writeBackup(sqliteDb, file, { now });
      const target = await testStore(dialect);
      const restore = (f: string) => restoreBackup(target, f, { keys: keysOf(signer) });
      const dir = tempDir();

      // Cut in the middle of the compressed stream.
      const cut = path.join(dir, 'cut.gz');
      fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size * 0.6)));
      await expect(restore(cut)).rejects.toThrow(/file truncated or damaged after line \d+/);
      await expectEmpty(target);

      // Cut at a line: the compressed stream is whole, the file is not.
      const lines = linesOf(file);
      const shortened = path.join(dir, 'short.gz');
      writeLines(shortened, lines.slice(0, Math.floor(lines.length * 0.8)));
      await expect(restore(shortened)).rejects.toThrow(/trailer missing: file truncated after line \d+/);
      await expectEmpty(target);

      // One byte of one access event changed: its hash no longer matches.
      const i = lines.findIndex((l) => l.startsWith('{"t":"access_events"') && l.includes('INC-150"'));
      const altered = [...lines];
      altered[i] = lines[i]!.replace('INC-150"', 'INC-151"');
      const changed = path.join(dir, 'altered.gz');
      writeLines(changed, altered);
      const seq = (JSON.parse(lines[i]!) as { r: { seq: number } }).r.seq;
      await expect(restore(changed)).rejects.toThrow(new RegExp(`^line ${i + 1}: access event ${seq} does not match its hash`));
      await expectEmpty(target);

      // A row outside the chain changed: the trailer's checksum catches it.
      const o = lines.findIndex((l) => l.startsWith('{"t":"organisations"'));
      const renamed = [...lines];
      renamed[o] = lines[o]!.replace('"name":"', '"name":"X');
      const orgChanged = path.join(dir, 'org.gz');
      writeLines(orgChanged, renamed);
      await expect(restore(orgChanged)).rejects.toThrow(/line \d+: the checksum in the trailer does not match the file/);
      await expectEmpty(target);

      // An access event left out, the trailer's counts and checksum redone to match: the chain shows the hole.
      const e = lines.findIndex((l) => l.startsWith('{"t":"access_events"') && l.includes('"seq":42,'));
      const holed = lines.filter((_, k) => k !== e);
      const trailer = JSON.parse(holed.at(-1)!) as { trailer: { counts: Record<string, number> }; sha256: string };
      trailer.trailer.counts.access_events! -= 1;
      const body = `${holed.slice(0, -1).join('\n')}\n`;
      trailer.sha256 = (await import('node:crypto')).createHash('sha256').update(body).digest('hex');
      const hole = path.join(dir, 'hole.gz');
      writeLines(hole, [...holed.slice(0, -1), JSON.stringify(trailer)]);
      await expect(restore(hole)).rejects.toThrow(new RegExp(`^line ${e + 1}: access event 42 is missing \\(deleted\\)`));
      await expectEmpty(target);

      // A value of the wrong kind, an unknown column, a file that is not a backup: each refused by line.
      const p = lines.findIndex((l) => l.startsWith('{"t":"plans"'));
      const wrongKind = [...lines];
      wrongKind[p] = lines[p]!.replace(/"current_version_id":(\d+)/, '"current_version_id":"$1"');
      writeLines(path.join(dir, 'kind.gz'), wrongKind);
      await expect(restore(path.join(dir, 'kind.gz'))).rejects.toThrow(
        `line ${p + 1}: plans.current_version_id: a string where an integer belongs`,
      );
      const extraColumn = [...lines];
      extraColumn[p] = lines[p]!.replace('"r":{', '"r":{"nickname":"x",');
      writeLines(path.join(dir, 'column.gz'), extraColumn);
      await expect(restore(path.join(dir, 'column.gz'))).rejects.toThrow(`line ${p + 1}: plans: unknown column nickname`);
      fs.writeFileSync(path.join(dir, 'plain.ndjson'), `${lines.join('\n')}\n`);
      await expect(restore(path.join(dir, 'plain.ndjson'))).rejects.toThrow(/plain\.ndjson is not gzip-compressed: not a backup file/);
      await expectEmpty(target);

      // The good file still restores.
      const r = await restore(file);
      expect(r.counts.access_events).toBe(300);
    });

    it('refuses a checkpoint whose signature does not verify, one signed by another key, and one over a head the chain lacks; says when signatures went unchecked', async () => {
      const { db: sqliteDb, dir, signer } = await sqliteSource();
      const file = path.join(tempDir(), 'sig.ndjson.gz');
      await writeBackup(sqliteDb, file, { now });
      const target = await testStore(dialect);

      const stranger = generateKeyPairSync('ed25519').publicKey;
      await expect(
        restoreBackup(target, file, { keys: { keys: new Map([[keyIdOf(stranger), stranger]]), explicit: true } }),
      ).rejects.toThrow(/^line \d+: checkpoint #1 is signed by key [0-9a-f]{16}…, not by a key given with --public-key/);
      await expectEmpty(target);

      // Without a key the restore goes ahead, and says the signatures were not checked.
      const env: Record<string, string> = dialect === 'pg' ? { DATABASE_URL: target.pg!.url } : {};
      const unchecked = await cli(['restore', file], tempDir(), env);
      expect(unchecked.code).toBe(0);
      expect(unchecked.stderr).toMatch(/the signatures of \d+ checkpoints could NOT be checked: no public key/);
      expect(unchecked.stdout).toContain('access log chain verified: 300 events');

      // A checkpoint whose signature was forged (rows may be inserted, never changed).
      const forged = await sqliteDb.one<{ at: string; headSeq: number; headHash: string }>(
        sql`SELECT at, head_seq AS "headSeq", head_hash AS "headHash" FROM audit_checkpoints ORDER BY id DESC LIMIT 1`,
      );
      await sqliteDb.exec(
        sqliteDb.q
          .insert(sqliteDb.t.auditCheckpoints)
          .values({ ...forged!, keyId: signer.keyId, signature: Buffer.alloc(64, 7).toString('base64') }),
      );
      const bad = path.join(tempDir(), 'forged.ndjson.gz');
      await writeBackup(sqliteDb, bad, { now });
      const fresh = await testStore(dialect);
      await expect(restoreBackup(fresh, bad, { keys: keysOf(signer) })).rejects.toThrow(/checkpoint #\d+: its signature does not verify/);
      await expectEmpty(fresh);
      // The deployment's own key (DATA_DIR/keys) is used when none is given.
      const ownDir = tempDir();
      fs.mkdirSync(path.join(ownDir, 'keys'), { mode: 0o700 });
      fs.copyFileSync(path.join(dir, 'keys', 'audit-signing-key.pem'), path.join(ownDir, 'keys', 'audit-signing-key.pem'));
      const own = await cli(['restore', bad], ownDir, dialect === 'pg' ? { DATABASE_URL: fresh.pg!.url } : {});
      expect(own.stderr).toMatch(/restore refused: line \d+: checkpoint #\d+: its signature does not verify/);
      expect(own.code).toBe(1);
      await expectEmpty(dialect === 'pg' ? fresh : openDatabase(databaseFile(ownDir)));

      // A checkpoint signed with the real key over a head the chain does not have (the log rewritten
      // under it): the signature verifies, the head does not.
      const { db: other, signer: otherSigner } = await sqliteSource();
      const earlier = await other.one<{ at: string; hash: string }>(sql`SELECT at, hash FROM access_events WHERE seq = 299`);
      const body = { at: earlier!.at, headSeq: 300, headHash: earlier!.hash, keyId: otherSigner.keyId };
      const signature = sign(null, Buffer.from(checkpointPayload(body)), otherSigner.privateKey).toString('base64');
      await other.exec(other.q.insert(other.t.auditCheckpoints).values({ ...body, signature }));
      const rewritten = path.join(tempDir(), 'rewritten.ndjson.gz');
      await writeBackup(other, rewritten, { now });
      const third = await testStore(dialect);
      await expect(restoreBackup(third, rewritten, { keys: keysOf(otherSigner) })).rejects.toThrow(
        /^checkpoint #\d+ signed a chain head at event 300 that this log does not have/,
      );
      await expectEmpty(third);
    });
  });
});

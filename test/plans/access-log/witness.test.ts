import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { readWitness, type WitnessEntry } from '../../../src/plans/access-log/checkpoints.js';
import { createAccessLog } from '../../../src/plans/access-log/log.js';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { hashAt } from '../../../src/plans/access-log/verify-store.js';
import { createAuditWitness } from '../../../src/plans/access-log/witness.js';
import { seedSyntheticPlans } from '../../../src/plans/demo/demo.js';
import { loadDevIssuer } from '../../../src/server/auth/dev-issuer.js';
import { cliHere, startService } from '../../cli/helpers.js';
import {
  copyDataDir,
  importRecordFrom,
  keysDirIn,
  planBody,
  planIdOf,
  publishPlans,
  storeAt,
  storeEnv,
  tempDir,
  testApp,
  testClock,
  who,
  withStoreAt,
} from '../../helpers.js';

/** The witness's newest checkpoint (the greatest head). */
function newestWitnessed(where: string): WitnessEntry {
  let newest: WitnessEntry | undefined;
  for (const w of readWitness(where)) if (!newest || w.checkpoint.headSeq > newest.checkpoint.headSeq) newest = w;
  return newest!;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A copy of the store as an attacker with the file (or the database) would take it, in a directory of its own. */
const copyOf = (dir: string) => copyDataDir({ dir }, { storeOnly: true });

/**
 * Cuts the tail at `keep`, as whoever owns the tables can: the events after it, the checkpoints covering
 * them and their lookup entries, with the triggers that refuse it out of the way.
 */
function cutTail(dir: string, keep: number) {
  return withStoreAt(dir, async (db) => {
    const tables = ['access_events', 'audit_checkpoints', 'access_event_plans', 'access_index_state'];
    if (db.kind === 'sqlite') {
      for (const t of [
        'access_events_no_delete',
        'audit_checkpoints_no_delete',
        'access_event_plans_no_delete',
        'access_index_state_forward_only',
      ])
        await db.exec(sql.raw(`DROP TRIGGER ${t}`));
    } else {
      for (const t of tables) await db.exec(sql.raw(`ALTER TABLE ${t} DISABLE TRIGGER USER`));
    }
    await db.exec(sql`DELETE FROM access_events WHERE seq > ${keep}`);
    await db.exec(sql`DELETE FROM audit_checkpoints WHERE head_seq > ${keep}`);
    await db.exec(sql`DELETE FROM access_event_plans WHERE seq > ${keep}`);
    await db.exec(sql`UPDATE access_index_state SET indexed_seq = ${keep} WHERE indexed_seq > ${keep}`);
  });
}

describe('a checkpoint in every commit', () => {
  it('a burst of concurrent reads through the service leaves one signed checkpoint per commit, the newest at the head', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'W-1' }))]);
    const planId = await planIdOf(t.db, 'W-1');
    const before = t.accessLog.stats();
    for (let wave = 0; wave < 3; wave++) {
      const res = await Promise.all(Array.from({ length: 20 }, () => t.call(who.approver, 'GET', `/api/v1/plans/${planId}`)));
      expect(res.map((r) => r.status)).toEqual(Array(20).fill(200));
    }
    const stats = t.accessLog.stats();
    expect(stats.events - before.events).toBe(60);
    // Group commit still groups (far fewer commits than reads), and each commit signed its head.
    expect(stats.batches - before.batches).toBeLessThan(60);
    expect(stats.checkpoints - before.checkpoints).toBe(stats.batches - before.batches);
    const heads = (await t.db.many<{ seq: number }>(sql`SELECT head_seq AS seq FROM audit_checkpoints ORDER BY id`)).map((r) => r.seq);
    expect(heads.length).toBe(stats.checkpoints);
    expect(heads.at(-1)).toBe(t.accessLog.head().seq);
    const key = loadAuditSigner(t.keysDir, { create: false })!.publicKeyPem;
    expect(await verifyAuditLog(t.db, key)).toMatchObject({ ok: true, uncheckpointed: 0, checkpoints: heads.length });
  });
});

describe('the witness (AUDIT_WITNESS_DIR)', () => {
  it('keeps the newest checkpoint, one new file each, never rewriting one; checkpoints arriving during a write are coalesced', async () => {
    const dir = tempDir();
    const witnessDir = tempDir('rpl-witness-');
    const db = await storeAt(dir);
    const witness = createAuditWitness(witnessDir, { minIntervalMs: 60_000 });
    const log = createAccessLog(db, { clock: testClock(), signer: loadAuditSigner(keysDirIn(dir))!, witness });
    const ev = (i: number) => log.record({ actor: null, action: 'view', channel: 'api', purpose: `INC-${i}`, outcome: 'denied' });
    await ev(1); // written at once
    for (let i = 2; i <= 5; i++) await ev(i); // four commits within the minimum interval: only the newest waits
    await until('the first write', () => (witness.state().witnessedSeq === 1 ? true : undefined));
    expect(witness.state()).toMatchObject({ ok: true, witnessedSeq: 1, offeredSeq: 5 });
    await log.close(); // flushes it
    expect(witness.state()).toMatchObject({ ok: true, witnessedSeq: 5, offeredSeq: 5 });
    const files = fs.readdirSync(witnessDir, { recursive: true }).map(String).sort();
    expect(files).toEqual(['2026-11-23', path.join('2026-11-23', '000000000000001.json'), path.join('2026-11-23', '000000000000005.json')]);
    const { checkpoint } = newestWitnessed(witnessDir);
    expect(checkpoint).toMatchObject({ kind: 'access-log-checkpoint', headSeq: 5, at: '2026-11-23T10:00:00.000Z' });
    expect(checkpoint.headHash).toBe(await hashAt(db, 5));
    await db.close();
  });

  it('verify-audit --witness: a rewritten witnessed head, or a witness signed by another key, fails', async () => {
    const dir = tempDir();
    const witnessDir = tempDir('rpl-witness-');
    const db = await storeAt(dir);
    const signer = loadAuditSigner(keysDirIn(dir))!;
    const log = createAccessLog(db, { clock: testClock(), signer, witness: createAuditWitness(witnessDir) });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        log.record({ actor: null, action: 'view', channel: 'api', purpose: `INC-${i}`, outcome: 'denied' }),
      ),
    );
    await log.close();
    const { checkpoint } = newestWitnessed(witnessDir);
    expect(await verifyAuditLog(db, signer.publicKeyPem, { witness: [checkpoint] })).toMatchObject({
      ok: true,
      witness: { headSeq: 5, contained: true, checked: 1, notInLog: 0 },
    });
    const rewritten = await verifyAuditLog(db, signer.publicKeyPem, { witness: [{ ...checkpoint, headHash: 'f'.repeat(64) }] });
    expect(rewritten).toMatchObject({ ok: false, witness: { contained: false } });
    expect(rewritten.problems.map((p) => p.kind)).toContain('witness');
    const otherKey = loadAuditSigner(keysDirIn(tempDir()))!;
    const forged = await verifyAuditLog(db, otherKey.publicKeyPem, { witness: [checkpoint] });
    expect(forged.problems.find((p) => p.kind === 'witness')?.detail).toMatch(/which is not one of the public keys given/);
    await db.close();
  });

  it('verify-audit --witness refuses what is not a checkpoint, naming the field; audit-checkpoint with none says so', async () => {
    const dir = tempDir();
    await (await storeAt(dir)).close();
    const empty = tempDir('rpl-witness-');
    expect(await cliHere(['audit-checkpoint'], dir)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no signed checkpoint yet'),
    });
    expect(await cliHere(['verify-audit', '--witness', empty], dir)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('holds no checkpoint'),
    });
    const bad = path.join(empty, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        kind: 'access-log-checkpoint',
        at: '2026-12-01T10:00:00.000Z',
        headSeq: -3,
        headHash: 'x',
        keyId: 'ab'.repeat(32),
        signature: 'AA==',
      }),
    );
    const r = await cliHere(['verify-audit', '--witness', bad], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('headSeq:');
    expect(r.stderr).toContain('headHash: must be 64 lowercase hex digits');
  });

  it('through the real service: checkpoints reach the witness, a failing witness shows on /healthz and in metrics until it works again, and verify-audit --witness catches a tail cut with its checkpoints', async () => {
    const dir = tempDir('rpl-witness-svc-');
    const witnessDir = tempDir('rpl-witness-');
    const db = await storeAt(dir);
    await seedSyntheticPlans(db, 10, { now: () => new Date() });
    const planIds = (await db.many<{ id: string }>(sql`SELECT id FROM plans WHERE current_version_id IS NOT NULL ORDER BY id`)).map(
      (r) => r.id,
    );
    const token = await (await loadDevIssuer(keysDirIn(dir))).sign({ sub: 'pc.witness', org: 'capital-police', roles: ['responder'] }, 600);
    const svc = await startService(
      { DATA_DIR: dir, ...(await storeEnv(dir)), AUDIT_WITNESS_DIR: witnessDir, METRICS_PORT: '0' },
      ['--no-demo'],
      90_000,
    );
    try {
      const metricsUrl = await until('the metrics URL', () => /Metrics: (http:\/\/\S+)/.exec(svc.output().stdout)?.[1]);
      const metric = async (name: string) => {
        const text = await (await fetch(metricsUrl)).text();
        return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      };
      const healthz = async () => ((await (await fetch(`${svc.url}/healthz`)).json()) as { auditWitness?: string }).auditWitness;
      let n = 0;
      const reads = (count: number) =>
        Promise.all(
          Array.from({ length: count }, async () => {
            const purpose = `WIT-${++n}`;
            const res = await fetch(`${svc.url}/api/v1/plans/${planIds[n % planIds.length]}`, {
              headers: { authorization: `Bearer ${token}`, 'x-access-purpose': purpose },
            });
            await res.arrayBuffer();
            return res.status;
          }),
        );
      const head = async () => (await db.one<{ seq: number }>(sql`SELECT max(seq) AS seq FROM access_events`))!.seq;

      expect(await reads(30)).toEqual(Array(30).fill(200));
      // The witness follows the log within its interval (one file a second at most).
      await until('the witness to hold the head', async () => {
        try {
          return newestWitnessed(witnessDir).checkpoint.headSeq === (await head()) ? true : undefined;
        } catch {
          return undefined;
        }
      });
      expect(await healthz()).toBe('ok');
      expect(await metric('audit_witness_failing')).toBe(0);

      // The witness goes away (an unmounted share): reads are still served, the failure is reported.
      fs.rmSync(witnessDir, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 1100)); // past the interval, so the next checkpoint is written at once
      expect(await reads(5)).toEqual(Array(5).fill(200));
      await until('/healthz to report the witness failing', async () => ((await healthz()) === 'failing' ? true : undefined));
      expect(await metric('audit_witness_failing')).toBe(1);
      expect(await metric('audit_witness_failures_total')).toBeGreaterThanOrEqual(1);
      expect(await metric('audit_witness_behind_events')).toBeGreaterThanOrEqual(5);

      // Back again: the newest checkpoint is retried and written, nothing skipped.
      fs.mkdirSync(witnessDir);
      await until('/healthz to report the witness ok', async () => ((await healthz()) === 'ok' ? true : undefined));
      expect(newestWitnessed(witnessDir).checkpoint.headSeq).toBe(await head());
      expect(await metric('audit_witness_failing')).toBe(0);

      expect(await reads(20)).toEqual(Array(20).fill(200));
    } finally {
      expect(await svc.stop()).toBe(0);
    }
    // Shutdown hands the last checkpoint to the witness.
    const finalHead = (await db.one<{ seq: number; hash: string }>(sql`SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1`))!;
    expect(newestWitnessed(witnessDir).checkpoint).toMatchObject({ headSeq: finalHead.seq, headHash: finalHead.hash });
    await db.close();

    const keyFile = path.join(tempDir(), 'audit-key.pem');
    fs.writeFileSync(keyFile, (await cliHere(['audit-key'], dir)).stdout);
    const printed = await cliHere(['audit-checkpoint'], dir);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({ kind: 'access-log-checkpoint', headSeq: finalHead.seq, headHash: finalHead.hash });
    const keptByHand = path.join(tempDir(), 'checkpoint.json');
    fs.writeFileSync(keptByHand, printed.stdout);

    // The untouched copy passes, against the witness directory and against the checkpoint a person kept.
    const untouched = await copyOf(dir);
    for (const witness of [witnessDir, keptByHand]) {
      const ok = await cliHere(['verify-audit', '--public-key', keyFile, '--witness', witness], untouched);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`head event ${finalHead.seq} ${finalHead.hash} — in this log`);
    }

    // The newest 15 events deleted from a copy, with every checkpoint that covered them: the database
    // alone still looks whole, since it ends at an earlier, properly signed checkpoint.
    const cut = await copyOf(dir);
    const keep = finalHead.seq - 15;
    await cutTail(cut, keep);
    const alone = await cliHere(['verify-audit', '--public-key', keyFile], cut);
    expect(alone.code).toBe(0);
    for (const witness of [witnessDir, keptByHand]) {
      const r = await cliHere(['verify-audit', '--public-key', keyFile, '--witness', witness], cut);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`head event ${finalHead.seq} (hash ${finalHead.hash}), which is missing: the log ends at event ${keep}`);
      expect(r.stderr).toContain(`witness: 15 events (${keep + 1}–${finalHead.seq})`);
      expect(r.stderr).toContain('— NOT in this log');
    }

    // Cut, and then written on (the service carries on from the cut head with its own key and the same
    // witness): the newest witnessed checkpoint is now one of the new chain's, and matches it. The
    // witness's older checkpoints still name heads this log no longer has.
    const witnessCopy = tempDir('rpl-witness-');
    fs.cpSync(witnessDir, witnessCopy, { recursive: true });
    const forked = await storeAt(cut);
    const carryOn = createAccessLog(forked, {
      clock: () => new Date(),
      signer: loadAuditSigner(keysDirIn(dir), { create: false })!,
      witness: createAuditWitness(witnessCopy),
    });
    for (let wave = 0; wave < 4; wave++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          carryOn.record({ actor: null, action: 'view', channel: 'api', purpose: `AFTER-CUT-${wave}-${i}`, outcome: 'denied' }),
        ),
      );
    }
    await carryOn.close();
    await forked.close();
    expect(newestWitnessed(witnessCopy).checkpoint.headSeq).toBe(keep + 40);
    const r = await cliHere(['verify-audit', '--public-key', keyFile, '--witness', witnessCopy], cut);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `signs head event ${finalHead.seq} (hash ${finalHead.hash}), but this log's event ${finalHead.seq} has hash`,
    );
    expect(r.stderr).toMatch(/naming a head NOT in this log; the newest of \S+, head event \d+ [0-9a-f]{64} — in this log/);
  }, 180_000);
});

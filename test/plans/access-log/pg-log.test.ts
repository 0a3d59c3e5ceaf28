// The access log on PostgreSQL keeps the SQLite log's promises: one chain whatever the number of writers
// (nodes), nothing acknowledged lost to a SIGKILL, a signed checkpoint per commit, the per-plan lookup
// complete at commit, and the database refusing to rewrite history.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createPublicKey } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../db/index.js';
import { checkpointPayload, eventHash, GENESIS_HASH } from '../../../src/plans/access-log/chain.js';
import { EVENT_FIELD_NAMES, type StoredEvent } from '../../../src/plans/access-log/columns.mjs';
import { createAccessLog } from '../../../src/plans/access-log/log.js';
import { loadAuditSigner, verifySignature } from '../../../src/plans/access-log/signer.js';
import { createTestDatabase } from '../../support/postgres.js';
import { tempDir, testStore, keysDirIn } from '../../helpers.js';

const actor = { sub: 'pc.pg', org: 'capital-police', roles: ['responder'] };

async function storedEvents(db: Db): Promise<StoredEvent[]> {
  const cols = EVENT_FIELD_NAMES.map((f) => `${f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)} AS "${f}"`).join(', ');
  return db.many<StoredEvent>(sql.raw(`SELECT seq, ${cols}, prev_hash AS "prevHash", hash FROM access_events ORDER BY seq`));
}

/** Every link and every hash, recomputed from the stored text. */
function expectOneChain(events: StoredEvent[]) {
  let prev = GENESIS_HASH;
  events.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    expect(e.prevHash).toBe(prev);
    const body = Object.fromEntries(EVENT_FIELD_NAMES.map((f) => [f, e[f]])) as unknown as StoredEvent;
    expect(eventHash(prev, body)).toBe(e.hash);
    prev = e.hash;
  });
}

describe('access log on PostgreSQL', () => {
  it('two writers (two nodes) appending at once make one gap-free chain, each commit signed', async () => {
    const dir = tempDir();
    const a = await testStore('pg', dir);
    const b = await openStore({ dataDir: dir, databaseUrl: a.pg!.url });
    const signer = loadAuditSigner(keysDirIn(dir))!;
    const logA = createAccessLog(a, { clock: () => new Date(), signer });
    const logB = createAccessLog(b, { clock: () => new Date(), signer });
    const record = (log: typeof logA, i: number) =>
      log.record({
        actor,
        action: i % 3 ? 'view' : 'search',
        channel: 'api',
        purpose: `P-${i}`,
        planId: i % 3 ? `plan-${i % 5}` : null,
        resultPlanIds: i % 3 ? undefined : ['plan-1', 'plan-2'],
        outcome: 'allowed',
      });
    await Promise.all(Array.from({ length: 400 }, (_, i) => record(i % 2 ? logA : logB, i)));
    await Promise.all([logA.close(), logB.close()]);
    await b.close();

    const events = await storedEvents(a);
    expect(events).toHaveLength(400);
    expectOneChain(events);
    expect(new Set(events.map((e) => e.purpose)).size).toBe(400);
    // Group commit: far fewer commits than events, and every commit's checkpoint verifies.
    const checkpoints = await a.many<{ at: string; headSeq: number; headHash: string; keyId: string; signature: string }>(
      sql`SELECT at, head_seq AS "headSeq", head_hash AS "headHash", key_id AS "keyId", signature FROM audit_checkpoints ORDER BY id`,
    );
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.length).toBeLessThan(400);
    const key = createPublicKey(signer.publicKeyPem);
    for (const c of checkpoints) {
      expect(verifySignature(key, checkpointPayload(c), c.signature)).toBe(true);
      expect(events[c.headSeq - 1]!.hash).toBe(c.headHash);
    }
    expect(checkpoints.at(-1)!.headSeq).toBe(400);
    // The per-plan lookup holds every plan an event opened or a search returned, already at commit.
    const lookup = await a.one<{ n: number }>(sql`SELECT count(*) AS n FROM access_event_plans WHERE plan_id = 'plan-1'`);
    const expected = events.filter((e) => e.planId === 'plan-1' || (e.resultPlanIds ?? '').includes('"plan-1"')).length;
    expect(lookup!.n).toBe(expected);
  });

  it('SIGKILL mid-stream: every event acknowledged to the writer is stored, the chain verifies, and writing continues', async () => {
    const database = await createTestDatabase();
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/plans/access-log/pg-log-child.ts', database.url, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buffered = '';
    child.stdout!.on('data', (d) => {
      buffered += String(d);
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      acked.push(...lines);
    });
    const deadline = Date.now() + 60_000;
    while (acked.length < 500) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the writer acknowledged only ${acked.length} events`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');

    const db = await openStore({ dataDir: dir, databaseUrl: database.url });
    try {
      const events = await storedEvents(db);
      const stored = new Set(events.map((e) => e.purpose));
      expect(acked.filter((p) => !stored.has(p))).toEqual([]);
      expectOneChain(events);
      // A new writer continues the chain from the committed head.
      const log = createAccessLog(db, { clock: () => new Date() });
      await log.record({ actor, action: 'view', channel: 'api', purpose: 'AFTER', outcome: 'allowed' });
      await log.close();
      const after = await storedEvents(db);
      expectOneChain(after);
      expect(after.at(-1)!.purpose).toBe('AFTER');
    } finally {
      await db.close();
      await database.drop();
    }
  });

  it('refuses every request of a commit that fails, and writes none of it', async () => {
    const db = await testStore('pg');
    const log = createAccessLog(db, { clock: () => new Date() });
    await log.record({ actor, action: 'view', channel: 'api', purpose: 'FIRST', outcome: 'allowed' });
    // A table the commit writes taken away: the commit fails after its events were inserted.
    await db.exec(sql`ALTER TABLE access_index_state RENAME TO access_index_state_gone`);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => log.record({ actor, action: 'view', channel: 'api', purpose: `LOST-${i}`, outcome: 'allowed' })),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const events = await storedEvents(db);
    expect(events.map((e) => e.purpose)).toEqual(['FIRST']);
    await db.exec(sql`ALTER TABLE access_index_state_gone RENAME TO access_index_state`);
    await log.record({ actor, action: 'view', channel: 'api', purpose: 'AGAIN', outcome: 'allowed' });
    await log.close();
    expectOneChain(await storedEvents(db));
  });
});

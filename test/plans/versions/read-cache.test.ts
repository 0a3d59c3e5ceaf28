import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../db/index.js';
import { withdraw } from '../../../src/plans/versions/workflow.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, storeAt, testApp, who } from '../../helpers.js';

const approver = { sub: 'approver.a', org: 'southbank-mh', orgKind: 'mental-health', roles: ['approver'] } as const;

/**
 * The read path caches plan pointers, organisations and agreement checks (src/plans/versions/read-cache.ts). A
 * change made through another connection to the same file (the CLI, a second service) must show on the
 * very next read, as it did when every read queried SQLite.
 */
describe('read cache', () => {
  const others: Db[] = [];
  afterEach(async () => {
    for (const db of others.splice(0)) await db.close();
  });
  async function setUp() {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const other = await storeAt(t.dir);
    others.push(other);
    const read = async (w = who.officer) => (await t.call(w, 'GET', `/api/v1/plans/${planId}`)).status;
    expect(await read()).toBe(200);
    expect(await read()).toBe(200); // now answered from the cache
    return { t, planId, other, read };
  }

  it('an agreement ended by another process stops the next read', async () => {
    const { other, read } = await setUp();
    await other.exec(sql`UPDATE data_sharing_agreements SET valid_to = '2026-11-22' WHERE reference = 'DSA-DEMO-001'`);
    expect(await read()).toBe(403);
    await other.exec(sql`UPDATE data_sharing_agreements SET valid_to = '2030-12-31' WHERE reference = 'DSA-DEMO-001'`);
    expect(await read()).toBe(200);
  });

  it('a withdrawal by another process is gone on the next read', async () => {
    const { t, planId, other, read } = await setUp();
    expect((await withdraw(other, approver, { planId, version: 1 }, 'duplicate record', t.clock())).ok).toBe(true);
    expect(await read()).toBe(410);
  });

  it('a new version published by another process is served on the next read', async () => {
    const { t, planId, other } = await setUp();
    await publishPlans(other, [importRecordFrom(planBody({ summary: 'Revised: ask for Eff by name first.' }))]);
    const res = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`);
    expect(res.status).toBe(200);
    expect(res.json.version).toBe(2);
    expect(res.json.content.summary).toBe('Revised: ask for Eff by name first.');
  });

  it('an unknown plan published later by another process is found (misses are not remembered past a change)', async () => {
    const { t, other } = await setUp();
    const byRef = async () => (await t.call(who.officer, 'GET', '/api/v1/plans?externalRef=SB-000002&org=southbank-mh')).status;
    expect(await byRef()).toBe(404);
    await publishPlans(other, [importRecordFrom(planBody({ externalRef: 'SB-000002' }))]);
    expect(await byRef()).toBe(200);
  });

  it("caches on one store share the turn's read of the epoch, and each sees this process's own write in that turn", async () => {
    const { createReadCache } = await import('../../../src/plans/versions/read-cache.js');
    const t = await testApp();
    const [a, b] = [createReadCache(t.db), createReadCache(t.db)];
    const [ma, mb] = [a.map<string, number>(10), b.map<string, number>(10)];
    await Promise.all([a.validate(), b.validate()]);
    ma.set('k', 1);
    mb.set('k', 2);
    // No new turn between the write and the checks: only the connection's own change counter can tell.
    await t.db.exec(sql`UPDATE data_sharing_agreements SET valid_to = '2026-11-22' WHERE reference = 'DSA-DEMO-001'`);
    await a.validate();
    expect(ma.has('k')).toBe(false);
    await b.validate();
    expect(mb.has('k')).toBe(false);
    // Nothing written since: the same turn's read stands and what is held again is kept.
    ma.set('k', 3);
    await Promise.all([a.validate(), b.validate()]);
    expect(ma.get('k')).toBe(3);
  });
});

describe('BoundedMap', () => {
  it('forgets only its oldest entry when full, and not when a held key is overwritten', async () => {
    const { BoundedMap } = await import('../../../src/plans/core/bounded-map.js');
    const m = new BoundedMap<string, number>(3);
    m.set('a', 1).set('b', 2).set('c', 3);
    m.set('b', 20); // already held: nothing evicted
    expect([...m.entries()]).toEqual([
      ['a', 1],
      ['b', 20],
      ['c', 3],
    ]);
    m.set('d', 4);
    expect([...m.keys()]).toEqual(['b', 'c', 'd']);
    expect(m.size).toBe(3);
  });
});

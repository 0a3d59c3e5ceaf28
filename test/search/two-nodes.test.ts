import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../db/index.js';
import { run } from '../../db/runtime.js';
import { silentLogger } from '../../src/logger.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { appendSearchLogIn } from '../../src/plans/versions/store.js';
import { withdraw } from '../../src/plans/versions/workflow.js';
import { startSearch, type SearchRuntime } from '../../src/search/index.js';
import { startManagedMeili } from '../../src/search/meili-process.js';
import { onCleanup } from '../cleanup.js';
import { planIdOf, publishPlans, tempDir, testClock, testStore } from '../helpers.js';
import { cast, person } from './helpers.js';

/**
 * Two nodes as far as search goes: each its own store handle and its own managed Meilisearch (own data
 * directory and port), on ONE PostgreSQL database. Each index applies the change log from its own cursor.
 */
const approver = { sub: 'approver.a', org: 'southbank-mh', orgKind: 'mental-health', roles: ['approver'] } as const;

const until = async (what: () => Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
};

/** Every document in a node's Meilisearch: plan id → external reference. */
async function docsIn(rt: SearchRuntime): Promise<Map<string, string>> {
  const res = await rt
    .meili!.client.index('plans')
    .getDocuments<{ id: string; externalRef: string }>({ limit: 10_000, fields: ['id', 'externalRef'] });
  return new Map(res.results.map((d) => [d.id, d.externalRef]));
}

async function publishedIds(db: Db): Promise<string[]> {
  const rows = await db.many<{ id: string }>(
    sql`SELECT p.id FROM plans p JOIN plan_versions v ON v.id = p.current_version_id WHERE v.status = 'published' AND p.withdrawn_at IS NULL ORDER BY p.id`,
  );
  return rows.map((r) => r.id);
}

describe('two nodes, two Meilisearch indexes, one PostgreSQL: each index has its own cursor over the change log', () => {
  let dbA: Db;
  let dbB: Db;
  let a: SearchRuntime;
  let b: SearchRuntime;
  let dirB: string;
  const clock = testClock();
  const start = (db: Db, dir: string) => startSearch({ db, logger: silentLogger(), dataDir: dir, budgetMs: 1000 });
  /** Both indexes hold exactly the published plans (each once: Meilisearch keys documents by plan id). */
  const inStep = async (...nodes: SearchRuntime[]) => {
    const want = (await publishedIds(dbA)).join();
    for (const n of nodes) if ([...(await docsIn(n)).keys()].sort().join() !== want || (await n.sync.pending()) !== 0) return false;
    return true;
  };

  beforeAll(async () => {
    dbA = await testStore('pg');
    dbB = await openStore({ dataDir: tempDir(), databaseUrl: dbA.pg!.url });
    await ensureDemoOrganisations(dbA, clock());
    await publishPlans(dbA, cast.slice(0, 10));
    dirB = tempDir();
    [a, b] = await Promise.all([start(dbA, tempDir()), start(dbB, dirB)]);
  }, 90_000);
  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await dbB?.close();
  });

  it('both indexes are built, each with its own cursor, and both nodes are ready', async () => {
    const cursors = await dbA.many<{ consumer: string; position: number }>(
      sql`SELECT consumer, position FROM search_cursors ORDER BY consumer`,
    );
    expect(cursors.map((c) => c.consumer.replace(/:[0-9a-f-]{36}#.*/, ''))).toEqual(['fallback', 'meili:managed', 'meili:managed']);
    expect(new Set(cursors.map((c) => c.consumer)).size).toBe(3);
    expect(a.searchReady() && b.searchReady()).toBe(true);
    expect(await inStep(a, b)).toBe(true);
    expect((await docsIn(a)).size).toBe(10);
  });

  it("a publish on A's node reaches both indexes, once; a withdrawal on A leaves neither with it", async () => {
    await publishPlans(dbA, [person({ ref: 'N-ONE', given: 'Morwenna', family: 'Trevithick', dob: '1986-06-06' })]);
    await a.service.indexSoon();
    const id = await planIdOf(dbA, 'N-ONE');
    expect(await until(async () => (await docsIn(a)).has(id) && (await docsIn(b)).has(id), 10_000)).toBe(true);
    expect(await until(() => inStep(a, b), 10_000)).toBe(true);
    for (const n of [a, b]) expect([...(await docsIn(n)).values()].filter((r) => r === 'N-ONE')).toHaveLength(1);

    expect((await withdraw(dbA, approver, { planId: id, version: 1 }, 'duplicate record', clock())).ok).toBe(true);
    expect(await until(async () => !(await docsIn(a)).has(id) && !(await docsIn(b)).has(id), 10_000)).toBe(true);
    expect(await until(() => inStep(a, b), 10_000)).toBe(true);
  }, 30_000);

  it('B down while A publishes and withdraws: B restarted catches up from its cursor, without a rebuild', async () => {
    await b.stop();
    await publishPlans(dbA, [
      person({ ref: 'N-TWO', given: 'Peredur', family: 'Annwyl', dob: '1971-07-07' }),
      person({ ref: 'N-THR', given: 'Tangwystl', family: 'Owain', dob: '1972-07-07' }),
      person({ ref: 'N-FOU', given: 'Elffin', family: 'Gwyddno', dob: '1973-07-07' }),
    ]);
    const two = await planIdOf(dbA, 'N-TWO');
    expect((await withdraw(dbA, approver, { planId: two, version: 1 }, 'moved away', clock())).ok).toBe(true);
    // And one plan of the original ten changes.
    await publishPlans(dbA, [person({ ref: 'S-ROB', given: 'Robert', family: 'Penhaligon', dob: '1980-05-01' })]);
    expect(await until(() => inStep(a), 10_000)).toBe(true);

    b = await start(dbB, dirB);
    expect(b.searchReady()).toBe(true);
    expect(await inStep(a, b)).toBe(true);
    // Four plans changed: each sent once (three documents and one removal), nothing rebuilt.
    expect(b.sync.counters()).toMatchObject({ rebuilds: 0, documentsSent: 4, entriesApplied: 5 });
    expect((await docsIn(b)).get(await planIdOf(dbA, 'S-ROB'))).toBe('S-ROB');
    const bob = await b.meili!.client.index('plans').search('penhaligon');
    expect(bob.hits.map((h) => h.externalRef)).toEqual(['S-ROB']);
  }, 60_000);

  it('B unseen for longer than the log keeps cursors: A prunes past it, and B restarted rebuilds', async () => {
    await b.stop();
    await publishPlans(dbA, [person({ ref: 'N-FIV', given: 'Heledd', family: 'Cynddylan', dob: '1974-04-04' })]);
    expect(await until(() => inStep(a), 10_000)).toBe(true);
    // B's cursor, as if nobody had worked it for a fortnight.
    const bCursor = (await dbA.one<{ position: number }>(sql`SELECT position FROM search_cursors WHERE consumer = ${b.sync.indexKey!}`))!;
    await dbA.exec(sql`UPDATE search_cursors SET seen_at = '2000-01-01T00:00:00.000Z' WHERE consumer = ${b.sync.indexKey!}`);
    expect(await a.sync.prune()).toBeGreaterThan(0);
    const left = await dbA.one<{ lowest: number | null }>(sql`SELECT min(id) AS lowest FROM search_outbox`);
    expect(left?.lowest ?? Infinity).toBeGreaterThan(bCursor.position + 1);
    expect(await dbA.many(sql`SELECT 1 FROM search_cursors WHERE consumer = ${b.sync.indexKey!}`)).toEqual([]);

    b = await start(dbB, dirB);
    expect(b.sync.counters().rebuilds).toBe(1);
    expect(await inStep(a, b)).toBe(true);
  }, 60_000);

  it('a cursor found behind the pruned log (below its floor) rebuilds rather than skip what was pruned', async () => {
    await b.stop();
    await publishPlans(dbA, [person({ ref: 'N-SIX', given: 'Rhydderch', family: 'Hael', dob: '1975-05-05' })]);
    expect(await until(() => inStep(a), 10_000)).toBe(true);
    // B's cursor below the floor, as a prune racing a returning node could leave it.
    const head = (await dbA.one<{ head: number }>(sql`SELECT max(id)::int AS head FROM search_outbox`))!.head;
    await dbA.exec(sql`UPDATE search_cursors SET position = ${head - 1} WHERE consumer = ${b.sync.indexKey!}`);
    await dbA.exec(sql`INSERT INTO search_log_state (id, pruned_through, pruned_at) VALUES (1, ${head - 1} + 1, '2026-11-23T10:00:00.000Z')
      ON CONFLICT (id) DO UPDATE SET pruned_through = EXCLUDED.pruned_through`);
    await dbA.exec(sql`DELETE FROM search_outbox WHERE id <= ${head}`);
    b = await start(dbB, dirB);
    expect(b.sync.counters().rebuilds).toBe(1);
    expect(await inStep(a, b)).toBe(true);
  }, 60_000);

  it('concurrent publishers on both nodes: no index skips an entry, even one whose transaction commits last', async () => {
    // The classic trap: a position taken in a transaction that commits after one with a higher number
    // (a reader sees 11, moves its cursor past 10, and 10 commits after). Appends are ordered under one
    // lock, so the later one waits and its position is the higher. Only the log is written here (plan
    // writes serialise among themselves anyway), and every entry each index applies is recorded.
    const applied = new Map<SearchRuntime, Set<number>>([a, b].map((n) => [n, new Set<number>()]));
    for (const n of [a, b]) n.sync.onApplied((entries) => entries.forEach((e) => applied.get(n)!.add(e.id)));
    const ids = [await planIdOf(dbA, 'S-SIO'), await planIdOf(dbA, 'S-MOH')];
    const order: string[] = [];
    const at = clock().toISOString();
    const append = (db: Db, planId: string, hold: number) =>
      db.tx(function* (q) {
        yield* appendSearchLogIn({ q, t: db.t }, [planId], at);
        if (hold) yield* run(sql`SELECT pg_sleep(${hold})`);
      });
    const slow = append(dbA, ids[0]!, 0.8).then(() => order.push('slow'));
    await new Promise((r) => setTimeout(r, 150));
    const fast = append(dbB, ids[1]!, 0).then(() => order.push('fast'));
    // Meanwhile both workers poll every 100 ms.
    await Promise.all([slow, fast]);
    expect(order).toEqual(['slow', 'fast']);
    const positions = await dbA.many<{ planId: string; id: number }>(
      sql`SELECT plan_id AS "planId", max(id)::int AS id FROM search_outbox WHERE plan_id IN (${ids[0]}, ${ids[1]}) GROUP BY plan_id`,
    );
    const pos = positions.sort((x, y) => ids.indexOf(x.planId) - ids.indexOf(y.planId)).map((p) => p.id);
    expect(pos[0]!).toBeLessThan(pos[1]!);
    expect(await until(async () => (await a.sync.pending()) === 0 && (await b.sync.pending()) === 0, 10_000)).toBe(true);
    for (const n of [a, b]) expect([...applied.get(n)!].filter((id) => pos.includes(id)).sort()).toEqual(pos);

    // And a stream of publishes and withdrawals from both nodes at once.
    const records = Array.from({ length: 24 }, (_, i) =>
      person({
        ref: `C-${String(i).padStart(3, '0')}`,
        given: `Concurrent${String.fromCharCode(97 + i)}`,
        family: 'Publisher',
        dob: `1990-01-${String(i + 1).padStart(2, '0')}`,
      }),
    );
    await Promise.all(records.map((r, i) => publishPlans(i % 2 ? dbB : dbA, [r])));
    const planIds = await Promise.all(records.slice(0, 8).map((r) => planIdOf(dbA, r.externalRef)));
    await Promise.all(
      planIds.map((id, i) => withdraw(i % 2 ? dbB : dbA, approver, { planId: id, version: 1 }, 'test withdrawal', clock())),
    );
    expect(await until(() => inStep(a, b), 20_000)).toBe(true);
    for (const n of [a, b]) {
      const docs = await docsIn(n);
      expect([...docs.values()].filter((r) => r.startsWith('C-')).sort()).toEqual(records.slice(8).map((r) => r.externalRef));
    }
  }, 90_000);
});

describe('two nodes sharing one external Meilisearch (MEILI_URL) on one PostgreSQL: one cursor, one writer at a time', () => {
  it('both find the same cursor; a publish on either is applied once; when the writer stops, the other takes over', async () => {
    const dbA = await testStore('pg');
    const dbB = await openStore({ dataDir: tempDir(), databaseUrl: dbA.pg!.url });
    onCleanupClose(dbB);
    const clock = testClock();
    await ensureDemoOrganisations(dbA, clock());
    await publishPlans(dbA, cast.slice(0, 6));
    const engine = await startManagedMeili({ dataDir: tempDir() });
    const start = (db: Db) =>
      startSearch({ db, logger: silentLogger(), dataDir: tempDir(), budgetMs: 1000, meiliUrl: engine.url, meiliKey: engine.key });
    const a = await start(dbA);
    const b = await start(dbB);
    try {
      expect(a.sync.indexKey).toBe(b.sync.indexKey);
      expect(a.sync.indexKey).toMatch(/^meili:external:http:\/\/127\.0\.0\.1:\d+#plans@/);
      const rows = await dbA.many<{ consumer: string; holder: string | null }>(
        sql`SELECT consumer, holder FROM search_cursors ORDER BY consumer`,
      );
      expect(rows.map((r) => r.consumer)).toEqual(['fallback', a.sync.indexKey]);
      expect(rows[1]!.holder).not.toBeNull();
      expect(a.searchReady() && b.searchReady()).toBe(true);
      // Built once, by whichever node started first.
      expect(a.sync.counters().rebuilds + b.sync.counters().rebuilds).toBe(1);
      expect(await a.meili!.count()).toBe(6);

      await publishPlans(dbB, [person({ ref: 'X-ONE', given: 'Gwenhwyfar', family: 'Penllyn', dob: '1983-03-13' })]);
      expect(await until(async () => (await a.meili!.count()) === 7 && (await a.sync.pending()) === 0, 10_000)).toBe(true);
      const sent = a.sync.counters().documentsSent + b.sync.counters().documentsSent;
      // One node wrote the shared index (one document), not both.
      expect(sent - (a.sync.counters().rebuilds ? 6 : 0) - (b.sync.counters().rebuilds ? 6 : 0)).toBe(1);

      const writer = (await dbA.one<{ holder: string }>(sql`SELECT holder FROM search_cursors WHERE consumer = ${a.sync.indexKey!}`))!
        .holder;
      const [gone, stays] = a.sync.counters().documentsSent > b.sync.counters().documentsSent ? [a, b] : [b, a];
      await gone.stop();
      expect(
        (await dbA.one<{ holder: string | null }>(sql`SELECT holder FROM search_cursors WHERE consumer = ${a.sync.indexKey!}`))!.holder,
      ).not.toBe(writer);
      await publishPlans(dbA, [person({ ref: 'X-TWO', given: 'Cadwaladr', family: 'Brochwel', dob: '1984-04-14' })]);
      expect(await until(async () => (await stays.meili!.count()) === 8 && (await stays.sync.pending()) === 0, 10_000)).toBe(true);
    } finally {
      await Promise.allSettled([a.stop(), b.stop()]);
      await engine.stop();
    }
  }, 90_000);
});

function onCleanupClose(db: Db) {
  onCleanup(() => db.close());
}

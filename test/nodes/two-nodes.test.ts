// Two service nodes as real processes on one PostgreSQL database (issue 23): losing one loses no reader's
// plan and no access event; a backup of the running deployment restores into a fresh database that a new
// node serves from.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/index.js';
import { demoUsers, seedSyntheticPlans } from '../../src/plans/demo/demo.js';
import { planBody, tempDir } from '../helpers.js';
import { onCleanup } from '../cleanup.js';
import { startNodes, type ServiceNode } from '../support/nodes.js';
import { createTestDatabase } from '../support/postgres.js';
import { listPublishedPlanIds } from './seed.js';
import { callNode, eventsByPurpose, expectEveryServedPlanLogged, readPlan, readStream, statusCounts, waitFor } from './traffic.js';

const officer = demoUsers.find((u) => u.sub === 'demo.officer')!;
const author = demoUsers.find((u) => u.sub === 'demo.author')!;
const approver = demoUsers.find((u) => u.sub === 'demo.approver')!;

/** A migrated database with `plans` synthetic published plans, dropped after the test. */
async function seededDatabase(plans: number) {
  const database = await createTestDatabase();
  onCleanup(() => database.drop());
  const db = await openStore({ dataDir: tempDir(), databaseUrl: database.url });
  await seedSyntheticPlans(db, plans, { now: () => new Date() });
  const planIds = await listPublishedPlanIds(db);
  await db.close();
  return { url: database.url, planIds };
}

describe('two nodes on one PostgreSQL', () => {
  it('SIGKILL of A during reads and approvals on both: B keeps answering, every plan served has its event, nothing half-written, the chain verifies, A comes back', {
    timeout: 240_000,
  }, async () => {
    const db = await seededDatabase(20);
    const { nodes, token, cli } = await startNodes({ databaseUrl: db.url });
    const [a, b] = nodes as [ServiceNode, ServiceNode];
    const bearer = await token(officer);
    const [authorToken, approverToken] = [await token(author), await token(approver)];

    // Versions waiting for approval, written on either node.
    const inReview: string[] = [];
    for (let i = 0; i < 12; i++) {
      const on = i % 2 ? a : b;
      const made = await callNode(on, authorToken, 'POST', '/api/v1/plans', `DRAFT-${i}`, planBody({ externalRef: `KILL-${i}` }));
      expect(made.status, JSON.stringify(made.json)).toBe(201);
      expect((await callNode(on, authorToken, 'POST', `/api/v1/plans/${made.json.planId}/versions/1/submit`, `SUBMIT-${i}`)).status).toBe(
        200,
      );
      inReview.push(made.json.planId as string);
    }

    let up = [a, b];
    let stop = false;
    const served = { A: 0, B: 0 };
    const reads = readStream({
      targets: () => up,
      token: bearer,
      planIds: db.planIds,
      prefix: 'KILL',
      concurrency: 8,
      until: () => stop,
      onRead: (r) => void (r.servedPlan && (served[r.node as 'A' | 'B'] += 1)),
    });
    // An approver works through the queue on whichever nodes are up: reads the version, approves it.
    type Approval = { planId: string; read: Awaited<ReturnType<typeof callNode>>; approve?: Awaited<ReturnType<typeof callNode>> };
    const approvals: Approval[] = [];
    const approving = (async () => {
      for (const [k, planId] of inReview.entries()) {
        const on = up[k % up.length]!;
        const read = await callNode(on, approverToken, 'GET', `/api/v1/plans/${planId}/versions/1`, `APPROVE-${k}`);
        const approve =
          read.status === 200
            ? await callNode(on, approverToken, 'POST', `/api/v1/plans/${planId}/versions/1/approve`, `APPROVE-${k}`, {
                contentHash: read.json.contentHash,
              })
            : undefined;
        approvals.push({ planId, read, approve });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // Counts, not times: the machine may be busy, and what matters is reads in flight on A as it dies.
    await waitFor(() => served.A >= 10 && served.B >= 10 && approvals.length >= 4, 'reads and approvals on both nodes');
    const killedAt = performance.now();
    await a.kill();
    // A load balancer takes A out at its next failed check; until then its connections are refused.
    await new Promise((r) => setTimeout(r, 300));
    up = [b];
    const onBBefore = served.B;
    await waitFor(() => served.B >= onBBefore + 30, 'reads served by B after the kill');
    stop = true;
    const all = await reads;
    await approving;

    const onA = all.filter((r) => r.node === 'A');
    const onB = all.filter((r) => r.node === 'B');
    const onBAfter = onB.filter((r) => r.at > killedAt);
    // eslint-disable-next-line no-console
    console.log(
      `SIGKILL: A ${JSON.stringify(statusCounts(onA))}; B ${JSON.stringify(statusCounts(onB))} (${onBAfter.length} after the kill)`,
    );
    // B served every read, before and after A died.
    expect(statusCounts(onB)).toEqual({ 200: onB.length });
    expect(onB.every((r) => r.servedPlan)).toBe(true);
    expect(onBAfter.length).toBeGreaterThanOrEqual(30);
    // On A: plans before, then only failures of the connection (none answered with an error status).
    expect(onA.filter((r) => r.status !== 200 && !r.error)).toEqual([]);

    const outcome = (x: Approval) =>
      `${x.read.node}:${x.read.status || x.read.error}/${x.approve ? x.approve.status || x.approve.error : '-'}`;
    // eslint-disable-next-line no-console
    console.log(`approvals: ${approvals.map(outcome).join(' ')}`);
    // Approvals: every one on B went through; on A each either went through or lost its connection.
    expect(approvals.filter((x) => x.read.node === 'B' && x.approve?.status !== 200).map(outcome)).toEqual([]);
    expect(
      approvals.filter((x) => x.read.node === 'A' && x.approve?.status !== 200 && !(x.read.error || x.approve?.error)).map(outcome),
    ).toEqual([]);
    // Every version read that reached the approver is logged.
    const approvalReads = await eventsByPurpose(db.url, 'APPROVE');
    for (const [k, x] of approvals.entries()) {
      if (x.read.status === 200)
        expect(approvalReads.get(`APPROVE-${k}`)?.some((e) => e.outcome === 'allowed' && e.plan_id === x.planId)).toBe(true);
    }
    // Nothing half-written: each version is published, or still in review and approvable on B now.
    for (const x of approvals.filter((y) => y.approve?.status !== 200)) {
      const read = await callNode(b, approverToken, 'GET', `/api/v1/plans/${x.planId}/versions/1`, 'APPROVE-again');
      if (read.json?.status === 'published') continue;
      expect(read.json?.status).toBe('in-review');
      const again = await callNode(b, approverToken, 'POST', `/api/v1/plans/${x.planId}/versions/1/approve`, 'APPROVE-again', {
        contentHash: read.json.contentHash,
      });
      expect(again.status, JSON.stringify(again.json)).toBe(200);
    }
    for (const planId of inReview) {
      const published = await readPlan(b, bearer, planId, `PUBLISHED-${planId}`, -1);
      expect(published).toMatchObject({ status: 200, servedPlan: true });
    }

    const logged = expectEveryServedPlanLogged(all, await eventsByPurpose(db.url, 'KILL'), officer.sub);
    expect(logged).toBe(all.filter((r) => r.status === 200).length);
    const verify = await cli(['verify-audit']);
    expect(verify.stdout + verify.stderr).toMatch(/access log OK/);
    expect(verify.code).toBe(0);

    // A, started again on its own data directory, becomes ready and serves (and logs) again.
    await a.start();
    await a.ready();
    const again = await readPlan(a, bearer, db.planIds[0]!, 'KILLAGAIN-0', -1);
    expect(again).toMatchObject({ status: 200, servedPlan: true });
    expectEveryServedPlanLogged([again], await eventsByPurpose(db.url, 'KILLAGAIN'), officer.sub);
    expect((await cli(['verify-audit'])).code).toBe(0);
  });

  it('a plan published on A is found and read on B within a second; the search limit counts both; A, stopped while B publishes, catches its index up from its cursor', {
    timeout: 240_000,
  }, async () => {
    const db = await seededDatabase(10);
    // A small burst so the limit is reached in a few searches (a person's searches, on whichever node).
    const { nodes, token } = await startNodes({ databaseUrl: db.url, env: { SEARCH_BURST: '6' } });
    const [a, b] = nodes as [ServiceNode, ServiceNode];
    const [authorToken, approverToken] = [await token(author), await token(approver)];

    /** Writes, submits and approves a plan on `on`; resolves when the approval has answered. */
    async function publish(on: ServiceNode, ref: string, familyName: string) {
      const made = await callNode(on, authorToken, 'POST', '/api/v1/plans', `WRITE-${ref}`, planBody({ externalRef: ref, familyName }));
      expect(made.status, JSON.stringify(made.json)).toBe(201);
      const planId = made.json.planId as string;
      expect((await callNode(on, authorToken, 'POST', `/api/v1/plans/${planId}/versions/1/submit`, `WRITE-${ref}`)).status).toBe(200);
      const read = await callNode(on, approverToken, 'GET', `/api/v1/plans/${planId}/versions/1`, `APPROVE-${ref}`);
      const approved = await callNode(on, approverToken, 'POST', `/api/v1/plans/${planId}/versions/1/approve`, `APPROVE-${ref}`, {
        contentHash: read.json.contentHash,
      });
      expect(approved.status, JSON.stringify(approved.json)).toBe(200);
      return planId;
    }
    /** Searches on `on` (as `who`) until the plan is among the results; the time from `since`, in ms. */
    async function foundOn(on: ServiceNode, who: string, familyName: string, planId: string, since: number, limitMs: number) {
      for (;;) {
        const r = await callNode(on, who, 'GET', `/api/v1/search?${new URLSearchParams({ q: `Aoife ${familyName}` })}`, 'SEARCH-find');
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        if (r.json.results.some((x: { planId: string }) => x.planId === planId))
          return { ms: performance.now() - since, degraded: r.json.degraded };
        if (performance.now() - since > limitMs) throw new Error(`${planId} not found on ${on.name} within ${limitMs} ms`);
        await new Promise((res) => setTimeout(res, 25));
      }
    }

    // Each search below is by another person (the limit is per person); the last part is the limit itself.
    const searcher = async (n: number) => token({ ...officer, sub: `pc.search.${n}` });
    const published = performance.now();
    const planId = await publish(a, 'NODES-1', 'Quennell-Marchetti');
    const onB = await foundOn(b, await searcher(1), 'Quennell-Marchetti', planId, published, 1000);
    // eslint-disable-next-line no-console
    console.log(`publish on A → found by a search on B: ${Math.round(onB.ms)} ms from the author's first request`);
    expect(onB.ms).toBeLessThan(1000);
    expect(await readPlan(b, await token(officer), planId, 'NODES-read', -1)).toMatchObject({ status: 200, servedPlan: true });

    // One person's searches alternate between the nodes: the sixth is the last allowed, on either.
    const limited = await searcher(2);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await callNode(i % 2 ? b : a, limited, 'GET', '/api/v1/search?q=smith', 'SEARCH-limit')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);

    // A stops; B publishes two plans; A, started again, is ready only once its index has them, and has
    // them from its cursor: no rebuild.
    expect(await a.stop()).toBe(0);
    const whileDown = [await publish(b, 'NODES-2', 'Ostrowska-Lindqvist'), await publish(b, 'NODES-3', 'Abernethy-Okonkwo')];
    await a.start();
    await a.ready();
    const found = [
      await foundOn(a, await searcher(3), 'Ostrowska-Lindqvist', whileDown[0]!, performance.now(), 0),
      await foundOn(a, await searcher(4), 'Abernethy-Okonkwo', whileDown[1]!, performance.now(), 0),
    ];
    expect(found.map((f) => f.degraded)).toEqual([false, false]);
    expect(a.output().stdout).not.toMatch(/rebuilding/);
  });

  it('restore drill: backup from the running deployment, restore into a fresh database, a node serves from it, verify-audit passes', {
    timeout: 240_000,
  }, async () => {
    const db = await seededDatabase(10);
    const { nodes, token, keysDir, cli } = await startNodes({ databaseUrl: db.url });
    const bearer = await token(officer);

    // The backup is taken while both nodes serve (and log) reads.
    let stop = false;
    let done = 0;
    const reads = readStream({
      targets: () => nodes,
      token: bearer,
      planIds: db.planIds,
      prefix: 'DRILL',
      concurrency: 4,
      until: () => stop,
      onRead: () => void done++,
    });
    await waitFor(() => done >= 10, 'reads before the backup');
    const file = path.join(tempDir(), 'drill.rplbackup.gz');
    const backupBegan = performance.now();
    const backup = await cli(['backup', file]);
    stop = true;
    const served = await reads;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(served.filter((r) => r.status !== 200)).toEqual([]);

    const fresh = await createTestDatabase();
    onCleanup(() => fresh.drop());
    const restore = await cli(['restore', file], { DATABASE_URL: fresh.url });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/access log chain verified/);
    expect(restore.stdout).toMatch(/every signature verified/);

    const restored = await startNodes({ databaseUrl: fresh.url, count: 1, keysDir });
    const node = restored.nodes[0]!;
    const read = await readPlan(node, await restored.token(officer), db.planIds[3]!, 'RESTORED-0', -1);
    expect(read).toMatchObject({ status: 200, servedPlan: true });
    expectEveryServedPlanLogged([read], await eventsByPurpose(fresh.url, 'RESTORED'), officer.sub);
    // Every read served before the backup began is in the restored log too (the backup is consistent: a
    // read served while it ran may or may not be).
    const before = served.filter((r) => r.doneAt < backupBegan);
    expect(before.length).toBeGreaterThanOrEqual(10);
    expectEveryServedPlanLogged(before, await eventsByPurpose(fresh.url, 'DRILL'), officer.sub);
    const verify = await restored.cli(['verify-audit']);
    expect(verify.stdout + verify.stderr).toMatch(/access log OK/);
    expect(verify.code).toBe(0);
  });
});

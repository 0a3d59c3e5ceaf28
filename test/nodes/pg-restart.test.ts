// PostgreSQL restarting under load (issue 23): a running node keeps its promise (no plan without its access
// event), refuses clearly meanwhile (503 problem+json with Retry-After), and serves again by itself.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/index.js';
import { demoUsers, seedSyntheticPlans } from '../../src/plans/demo/demo.js';
import { listPublishedPlanIds } from './seed.js';
import { tempDir } from '../helpers.js';
import { startNodes } from '../support/nodes.js';
import { startRestartablePostgres } from '../support/restartable-postgres.js';
import { eventsByPurpose, expectEveryServedPlanLogged, readPlan, readStream, statusCounts, waitFor } from './traffic.js';

const tally = (xs: number[]) => xs.reduce<Record<number, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
const officer = demoUsers.find((u) => u.sub === 'demo.officer')!;

describe('PostgreSQL restarting under load', () => {
  it('reads wait or fail with 503 + Retry-After, never a plan without its event; the node serves again by itself', {
    timeout: 180_000,
  }, async () => {
    const postgres = await startRestartablePostgres();
    const seeded = await openStore({ dataDir: tempDir(), databaseUrl: postgres.url });
    await seedSyntheticPlans(seeded, 20, { now: () => new Date() });
    const planIds = await listPublishedPlanIds(seeded);
    await seeded.close();

    const { nodes, token, cli } = await startNodes({ databaseUrl: postgres.url, count: 1 });
    const [a] = nodes as [(typeof nodes)[0]];
    const pid = a.pid();
    const bearer = await token(officer);

    let stop = false;
    const readyz: number[] = [];
    const probing = (async () => {
      while (!stop) {
        readyz.push(
          await fetch(`${a.url}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    let served = 0;
    const reads = readStream({
      targets: () => [a],
      token: bearer,
      planIds,
      prefix: 'PGRESTART',
      concurrency: 6,
      until: () => stop,
      onRead: (r) => void (r.servedPlan && served++),
    });
    await waitFor(() => served >= 10, 'reads before the restart');
    const restarting = performance.now();
    await postgres.restart();
    const restarted = performance.now();
    // Served again, without the node being restarted: the first plan after the server is back.
    let again: number | undefined;
    for (let i = 0; again === undefined && performance.now() - restarted < 10_000; i++) {
      const r = await readPlan(a, bearer, planIds[0]!, `PGAGAIN-${i}`, -1);
      if (r.servedPlan) again = performance.now() - restarted;
      else await new Promise((res) => setTimeout(res, 100));
    }
    const servedBefore = served;
    await waitFor(() => served >= servedBefore + 10, 'reads after the restart');
    stop = true;
    const all = await reads;
    await probing;

    const during = all.filter((r) => r.at >= restarting && r.at <= restarted);
    const counts = statusCounts(all);
    // eslint-disable-next-line no-console
    console.log(
      `pg restart: ${Math.round(restarted - restarting)} ms; reads ${JSON.stringify(counts)}, ${during.length} begun during it; served again ${Math.round(again ?? -1)} ms after; /readyz answers ${JSON.stringify(tally(readyz))}`,
    );

    expect(a.running(), `the node died:\n${a.output().stderr.slice(-3000)}`).toBe(true);
    expect(a.pid()).toBe(pid);
    expect(again, 'a plan served again within 5 s of the restart').toBeLessThan(5000);
    // Nothing but plans and clear refusals: no 500, no dropped connection.
    expect(
      Object.keys(counts).filter((k) => k !== '200' && k !== '503'),
      JSON.stringify(counts),
    ).toEqual([]);
    for (const r of all.filter((x) => x.status === 503)) {
      expect([r.retryAfter, r.contentType]).toEqual(['2', 'application/problem+json']);
    }
    expect(all.filter((r) => r.status === 200).every((r) => r.servedPlan)).toBe(true);
    const logged = expectEveryServedPlanLogged(all, await eventsByPurpose(postgres.url, 'PGRESTART'), officer.sub);
    expect(logged).toBeGreaterThanOrEqual(20);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);

    const verify = await cli(['verify-audit']);
    expect(verify.stdout + verify.stderr).toMatch(/access log OK/);
    expect(verify.code).toBe(0);
  });
});

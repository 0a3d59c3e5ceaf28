import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedSyntheticPlans } from '../../src/plans/demo/demo.js';
import { loadDevIssuer } from '../../src/server/auth/dev-issuer.js';
import { databaseFile, openDatabase, tempDir } from '../helpers.js';
import { serviceNode } from '../support/nodes.js';

describe('a node started on plans its search index does not hold yet (src/main.ts as a process)', () => {
  it('serves at once, answers searches from the fallback (degraded), and stays out of rotation until its index has caught up', async () => {
    const dir = tempDir('rpl-start-');
    const db = openDatabase(databaseFile(dir));
    await seedSyntheticPlans(db, 2000, { seed: 3, now: () => new Date() });
    await db.close();
    const node = serviceNode('A', dir, {});
    await node.start();

    // Listening, its managed Meilisearch not yet built from the 2,000 plans: up, but no load balancer's pick.
    const first = await fetch(`${node.url}/readyz`);
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ status: 'not-ready', failed: ['searchIndex'], searchIndex: 'catching-up' });
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${node.url}/livez`)).status).toBe(200);

    const issuer = await loadDevIssuer(path.join(dir, 'keys'));
    const token = await issuer.sign({ sub: 'start.officer', org: 'capital-police', roles: ['responder'] }, 600);
    const search = async () => {
      const res = await fetch(`${node.url}/api/v1/search?q=smith`, {
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-2026-0001 welfare check' },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { degraded: boolean };
    };
    // Answered, from the database's copy, while the index was still being built (2,000 plans take seconds).
    expect((await search()).degraded).toBe(true);
    expect((await fetch(`${node.url}/readyz`)).status).toBe(503);

    await node.ready(120_000);
    expect(await (await fetch(`${node.url}/readyz`)).json()).toMatchObject({ status: 'ready', searchIndex: 'current' });
    expect((await search()).degraded).toBe(false);
    expect(await node.stop()).toBe(0);
  }, 240_000);
});

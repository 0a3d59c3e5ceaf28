import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../db/index.js';
import { isStoreUnavailable } from '../../../db/unavailable.js';
import { createAccessLog } from '../../../src/plans/access-log/log.js';
import { ensureDemoOrganisations } from '../../../src/plans/demo/demo.js';
import { accessLogHealth } from '../../../src/server/access-trail/log-health.js';
import { createApp } from '../../../src/server/app.js';
import { silentLogger } from '../../../src/logger.js';
import { loadDevIssuer } from '../../../src/server/auth/dev-issuer.js';
import { onCleanup } from '../../cleanup.js';
import { breakAccessLog, importRecordFrom, planBody, planIdOf, publishPlans, tempDir, testApp, testClock, who } from '../../helpers.js';
import { startRestartablePostgres } from '../../support/restartable-postgres.js';

describe('/readyz and /livez', () => {
  it('ready with search degraded; not ready while the index catches up or the access log cannot commit; /livez always', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const health = accessLogHealth(t.dir);
    const accessLog = createAccessLog(t.db, { clock: t.clock, onError: (e) => health.failed(e) });
    onCleanup(() => accessLog.close());
    health.watch(() => accessLog.stats().batches);
    let caughtUp = true;
    const app = t.appWith({
      accessLog,
      accessLogHealth: health,
      publicBaseUrl: 'http://x',
      searchReady: () => caughtUp,
    });
    const readyz = async () => {
      const res = await app.request('/readyz');
      return { status: res.status, body: await res.json() };
    };
    // No Meilisearch in this app: search answers from the database (degraded), and that is still ready.
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', failed: [], database: 'ok', accessLog: 'ok', search: 'degraded', searchIndex: 'current' },
    });

    caughtUp = false;
    expect(await readyz()).toMatchObject({
      status: 503,
      body: { status: 'not-ready', failed: ['searchIndex'], searchIndex: 'catching-up' },
    });
    caughtUp = true;

    const mend = await breakAccessLog(t.db);
    const read = async () =>
      app.request(`/api/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${await t.tokenFor(who.officer)}`, 'x-access-purpose': 'INC-2026-0001 welfare' },
      });
    const refused = await read();
    expect([refused.status, refused.headers.get('retry-after'), refused.headers.get('content-type')]).toEqual([
      503,
      '2',
      'application/problem+json',
    ]);
    expect(await readyz()).toMatchObject({ status: 503, body: { failed: ['accessLog'], database: 'ok', accessLog: 'commit-failing' } });
    // A failure that is not the database being away is cleared only by a batch that commits.
    expect((await readyz()).status).toBe(503);
    expect((await app.request('/livez')).status).toBe(200);

    await mend();
    expect((await read()).status).toBe(200);
    expect((await readyz()).status).toBe(200);
  });

  it('on PostgreSQL: a stopped server is 503 + Retry-After and not ready; started again, ready by itself with no request served in between', {
    timeout: 120_000,
  }, async () => {
    const postgres = await startRestartablePostgres();
    const dir = tempDir();
    const db = await openStore({ dataDir: dir, databaseUrl: postgres.url });
    onCleanup(() => db.close());
    const clock = testClock();
    await ensureDemoOrganisations(db, clock());
    await publishPlans(db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(db, 'SB-000001');
    const devIssuer = await loadDevIssuer(dir);
    // As main.ts wires it: no data directory to statfs, the log's errors to the health.
    const health = accessLogHealth();
    const accessLog = createAccessLog(db, { clock, onError: (e) => health.failed(e) });
    onCleanup(() => accessLog.close());
    health.watch(() => accessLog.stats().batches);
    const app = createApp({ db, clock, logger: silentLogger(), devIssuer, accessLog, accessLogHealth: health, publicBaseUrl: 'http://x' });
    const token = await devIssuer.sign(who.officer, 3600, clock());
    const read = () =>
      app.request(`/api/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-2026-0001 welfare' },
      });
    const status = async (path: string) => (await app.request(path)).status;
    expect((await read()).status).toBe(200);
    expect(await status('/readyz')).toBe(200);

    await postgres.stop();
    const refused = await read();
    expect([refused.status, refused.headers.get('retry-after'), refused.headers.get('content-type')]).toEqual([
      503,
      '2',
      'application/problem+json',
    ]);
    expect(await refused.json()).toMatchObject({ code: 'unavailable' });
    await new Promise((r) => setTimeout(r, 1100)); // past the reuse of the last probe's answer
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not-ready', database: 'unreachable' });
    expect(await status('/healthz')).toBe(503);
    expect(await status('/livez')).toBe(200);

    await postgres.start();
    // Out of rotation a node gets no reads to prove its log commits again: the probe's commit does.
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await status('/readyz');
    }
    expect(ready).toBe(200);
    expect(await status('/healthz')).toBe(200);
    expect((await read()).status).toBe(200);
  });

  it('tells a database that is away from other errors', async () => {
    const refused = await new pg.Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2000 }).connect().catch((e: unknown) => e);
    expect(isStoreUnavailable(refused)).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isStoreUnavailable(new Error('wrapped', { cause: refused }))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }))).toBe(false);
    expect(isStoreUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});

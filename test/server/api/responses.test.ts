import { describe, expect, it } from 'vitest';
import { createAccessLog } from '../../../src/plans/access-log/log.js';
import { accessLogHealth } from '../../../src/server/access-trail/log-health.js';
import { breakAccessLog, importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';

describe('response headers', () => {
  it("every API answer with personal data, and the access report in each format, is no-store; the HTML report has the pages' CSP", async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const calls = [
      [who.officer, `/api/v1/plans/${planId}`],
      [who.officer, `/api/v1/plans?externalRef=SB-000001&org=southbank-mh`],
      [who.officer, `/api/v1/search?q=Aoife`],
      [who.author, `/api/v1/plans/${planId}/versions`],
      [who.author, `/api/v1/plans/${planId}/versions/1`],
      [who.auditor, `/api/v1/audit/events`],
      [who.auditor, `/api/v1/audit/flags`],
      [who.auditor, `/api/v1/plans/${planId}/access-report`],
      [who.auditor, `/api/v1/plans/${planId}/access-report?format=text`],
      [who.auditor, `/api/v1/plans/${planId}/access-report?format=html`],
      [who.outsider, `/api/v1/plans/${planId}`],
    ] as const;
    for (const [w, url] of calls) {
      const res = await t.call(w, 'GET', url);
      expect([url, res.status < 500, res.headers.get('cache-control')]).toEqual([url, true, 'no-store']);
    }
    const html = await t.call(who.auditor, 'GET', `/api/v1/plans/${planId}/access-report?format=html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe('/healthz', () => {
  it('answers 503 naming the access log while it cannot commit, and 200 once it commits again', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const health = accessLogHealth(t.dir);
    const accessLog = createAccessLog(t.db, { clock: t.clock, onError: () => health.failed() });
    health.watch(() => accessLog.stats().batches);
    const app = t.appWith({
      accessLog,
      accessLogHealth: health,
      publicBaseUrl: 'http://x',
    });
    const read = async () =>
      app.request(`/api/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${await t.tokenFor(who.officer)}`, 'x-access-purpose': 'INC-2026-0001 welfare' },
      });
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await read()).status).toBe(200);

    // Every access-event insert fails, as a broken disk would.
    const repair = await breakAccessLog(t.db);
    expect((await read()).status).toBe(503);
    const down = await app.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', failed: ['accessLog'], accessLog: 'commit-failing' });
    expect((await app.request('/healthz')).status).toBe(503);

    await repair();
    expect((await read()).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
    await accessLog.close();
  });
});

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { newPage } from '../../browser/chromium.js';
import { testApp } from '../../helpers.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function served() {
  const t = await testApp();
  const server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  stops.push(
    () =>
      new Promise<void>((r) => {
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('/docs', () => {
  it('is served with a CSP allowing scripts from this service only; the other pages keep theirs', async () => {
    const t = await testApp();
    const docs = await t.app.request('/docs');
    expect(docs.status).toBe(200);
    const csp = docs.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(await docs.text()).not.toMatch(/<script>|<script [^>]*src="(?!\/docs\/)/);
    expect((await t.app.request('/docs/swagger-ui-bundle.js')).headers.get('content-type')).toContain('javascript');
    expect((await t.app.request('/docs/docs-init.js')).status).toBe(200);
    expect((await t.app.request('/docs/../package.json')).status).toBe(404);
    expect((await t.app.request('/sign-in')).headers.get('content-security-policy')).toContain(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
  });

  it('renders in Chromium with every request to this service and no CSP violation', { timeout: 60_000 }, async () => {
    const base = await served();
    const page = await newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`${base}/docs`);
    // Rendered from /openapi.json: the title and the plan-view operation are on the page.
    await page.waitForSelector('text=Response-plan lookup API', { timeout: 30_000 });
    const planView = page.locator('#operations-plans-getApiV1PlansByPlanId');
    await planView.locator('.opblock-summary').click();
    await planView.locator('.parameter__name', { hasText: 'X-Access-Purpose' }).waitFor();
    expect(requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:'))).toEqual([]);
    expect(requests).toContain(`${base}/openapi.json`);
    expect(problems).toEqual([]);
  });
});

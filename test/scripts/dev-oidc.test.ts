import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createApp } from '../../src/server/app.js';
import { repoRoot } from '../cli/helpers.js';
import { testApp, testClock } from '../helpers.js';
import { httpClient, signInOverHttp } from '../server/auth/oidc-helpers.js';

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length) stops.pop()!();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('npm run dev:oidc (one provider for every demo organisation)', () => {
  it('signs a demo person in to their own organisation only: the provider names it in org_code', async () => {
    const t = await testApp({ clock: testClock(new Date().toISOString()) });
    let appUrl = '';
    const app = createApp({
      db: t.db,
      clock: t.clock,
      logger: silentLogger(),
      accessLog: t.accessLog,
      secrets: t.secrets,
      get publicBaseUrl() {
        return appUrl;
      },
    });
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stops.push(() => {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      server.close();
    });

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/dev-oidc.ts')], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATA_DIR: t.dir,
        OIDC_PORT: String(await freePort()),
        PUBLIC_BASE_URL: appUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stops.push(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Local OpenID provider:')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`dev-oidc exited ${code}: ${err}`)));
    });

    const own = await signInOverHttp(appUrl, 'capital-police', 'demo.officer');
    expect(new URL(own.landed.url).pathname).toBe('/purpose');
    // The demo auditor picking the police force: the provider says southbank-mh, so nobody is signed in.
    const other = await signInOverHttp(appUrl, 'capital-police', 'demo.auditor', { client: httpClient() });
    expect(other.landed.status).toBe(403);
    expect(other.landed.text).toContain('belongs to a different organisation');
    const rows = await t.db.many(sql`SELECT actor_sub, actor_org FROM web_sessions`);
    expect(rows).toEqual([{ actor_sub: 'demo.officer', actor_org: 'capital-police' }]);
  }, 60_000);
});

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../db/index.js';
import { createAccessLog } from '../../../src/plans/access-log/log.js';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { ensureDemoOrganisations } from '../../../src/plans/demo/demo.js';
import { configureOidcGoverned } from '../../../src/plans/governance/oidc.js';
import { loadSecretBox } from '../../../src/plans/keys/keys.js';
import { oidcConfigInputSchema, sealClientSecret } from '../../../src/plans/oidc-config.js';
import type { Operator } from '../../../src/plans/policy.js';
import { silentLogger } from '../../../src/logger.js';
import { createApp } from '../../../src/server/app.js';
import { onCleanup } from '../../cleanup.js';
import { tempDir, testClock, testStore } from '../../helpers.js';
import { signInOverHttp, startTestProvider } from '../../server/auth/oidc-helpers.js';

const operator: Operator = { via: 'cli', user: 'test-operator' };
const clientSecret = 'synthetic-client-secret-two-nodes';

/** One node: its own database handle on the shared PostgreSQL database, the shared KEYS_DIR, its own HTTP port. */
async function node(db: Db, keysDir: string, clock: ReturnType<typeof testClock>) {
  const accessLog = createAccessLog(db, { clock, signer: loadAuditSigner(keysDir, { create: false }) });
  onCleanup(() => accessLog.close());
  let url = '';
  const app = createApp({
    db,
    clock,
    logger: silentLogger(),
    accessLog,
    secrets: loadSecretBox(keysDir, { create: false }),
    get publicBaseUrl() {
      return url;
    },
  });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onCleanup(
    () =>
      new Promise<void>((r) => {
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
        server.close(() => r());
      }),
  );
  return { db, accessLog, url, deps: { db, log: accessLog, clock } };
}

describe('an OpenID provider configured on one node (issue 23: one database, one KEYS_DIR)', () => {
  it('is known to every node: sign-in through it on the other node works; a tampered or moved secret makes it unusable, not the service', async () => {
    const clock = testClock(new Date().toISOString());
    const keysDir = tempDir();
    loadAuditSigner(keysDir);
    loadSecretBox(keysDir);
    const dbA = await testStore('pg');
    await ensureDemoOrganisations(dbA, clock());
    const dbB = await openStore({ dataDir: tempDir(), databaseUrl: dbA.pg!.url });
    onCleanup(() => dbB.close());
    const a = await node(dbA, keysDir, clock);
    const b = await node(dbB, keysDir, clock);

    const provider = await startTestProvider({
      users: [{ sub: 'pc.two', name: 'PC Synthetic', groups: ['ops-responders'] }],
      claims: ['groups'],
      clients: [{ clientId: 'rpl-capital', clientSecret, redirectUri: `${b.url}/auth/callback` }],
    });
    onCleanup(provider.stop);

    // Configured on A: the secret sealed with KEYS_DIR's key, into the shared database.
    const settings = oidcConfigInputSchema.parse({
      org: 'capital-police',
      issuer: provider.issuer,
      clientId: 'rpl-capital',
      rolesClaim: 'groups',
      roleMap: 'ops-responders=responder',
    });
    const configured = await configureOidcGoverned(
      a.deps,
      operator,
      settings,
      sealClientSecret(loadSecretBox(keysDir)!, 'capital-police', clientSecret),
    );
    expect(configured.ok).toBe(true);
    const rows = await dbB.many<Record<string, unknown>>(sql`SELECT * FROM organisation_oidc`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(clientSecret);
    expect(rows[0]).toMatchObject({ client_secret_file: null, client_secret_key_id: loadSecretBox(keysDir)!.keyId });

    // B lists it on its sign-in page and signs a person in through it (the provider checks the secret).
    const page = await fetch(`${b.url}/sign-in`);
    expect(await page.text()).toContain('/sign-in/capital-police');
    const signedIn = await signInOverHttp(b.url, 'capital-police', 'pc.two');
    expect(new URL(signedIn.landed.url).pathname).toBe('/purpose');
    expect(await dbA.many(sql`SELECT actor_sub, actor_org FROM web_sessions`)).toEqual([
      { actor_sub: 'pc.two', actor_org: 'capital-police' },
    ]);

    // The ciphertext altered in the database: that provider is unusable, said so plainly; nothing else breaks.
    const stored = rows[0]!.client_secret_ciphertext as string;
    const altered = Buffer.from(stored, 'base64url');
    altered[20]! ^= 1;
    await dbA.exec(sql`UPDATE organisation_oidc SET client_secret_ciphertext = ${altered.toString('base64url')}`);
    const refused = await fetch(`${b.url}/sign-in/capital-police`, { redirect: 'manual' });
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain('not set up correctly in this service');
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${a.url}/sign-in`)).status).toBe(200);

    // The right ciphertext, copied onto another organisation's row, does not open there either.
    await dbA.exec(sql`UPDATE organisation_oidc SET client_secret_ciphertext = ${stored}`);
    await dbA.exec(sql`INSERT INTO organisation_oidc (org_slug, issuer, client_id, client_secret_ciphertext, client_secret_key_id, roles_claim, role_map, scopes, enabled, updated_at)
      SELECT 'southbank-mh', issuer, 'rpl-southbank', client_secret_ciphertext, client_secret_key_id, roles_claim, role_map, scopes, enabled, updated_at FROM organisation_oidc WHERE org_slug = 'capital-police'`);
    expect((await fetch(`${a.url}/sign-in/southbank-mh`, { redirect: 'manual' })).status).toBe(503);
    // … while capital-police's own works again.
    expect((await fetch(`${a.url}/sign-in/capital-police`, { redirect: 'manual' })).status).toBe(303);

    expect(JSON.stringify(await dbA.many(sql`SELECT * FROM access_events`))).not.toContain(clientSecret);
  }, 60_000);
});

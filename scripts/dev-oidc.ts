/**
 * `npm run dev:oidc`: a local OpenID provider (oidc-provider) with the demo people, and the demo
 * organisations configured to sign in through it, so the real flow can be tried on one machine.
 * Env: DATA_DIR (./data), KEYS_DIR (DATA_DIR/keys), OIDC_PORT (9400), PUBLIC_BASE_URL (http://127.0.0.1:8080 —
 * where `npm start` serves). Each run gives every demo client a new secret, sealed in the database.
 */
import path from 'node:path';
import { databaseFile, openDatabase } from '../db/index.js';
import { loadSecretBox } from '../src/plans/keys/keys.js';
import { DEMO_ORG_CLAIM, demoOrganisations, demoOrgCodes, demoUsers, ensureDemoOrganisations } from '../src/plans/demo/demo.js';
import { configureOidc, oidcConfigInputSchema, removeOidcConfig, sealClientSecret } from '../src/plans/oidc-config.js';
import { startTestProvider } from '../test/server/auth/oidc-helpers.js';

const dataDir = path.resolve(process.env.DATA_DIR ?? './data');
const secrets = loadSecretBox(path.resolve(process.env.KEYS_DIR ?? path.join(dataDir, 'keys')))!;
const port = Number(process.env.OIDC_PORT ?? 9400);
const appUrl = (process.env.PUBLIC_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

const db = openDatabase(databaseFile(dataDir));
await ensureDemoOrganisations(db, new Date());
const clients = demoOrganisations.map((o) => ({ org: o.slug, clientId: `rpl-${o.slug}`, clientSecret: crypto.randomUUID() }));
// Each demo person's provider account carries the service's role names in `roles`, and their
// organisation's code in `org_code`: one provider serves every demo organisation, so the organisation a
// person signs in to is the one that claim names, not whichever they pick at /sign-in.
const provider = await startTestProvider({
  port,
  users: demoUsers.map((u) => ({ sub: u.sub, name: u.label, roles: u.roles, [DEMO_ORG_CLAIM]: demoOrgCodes[u.org] })),
  claims: ['roles', DEMO_ORG_CLAIM],
  clients: clients.map((c) => ({
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    redirectUri: `${appUrl}/auth/callback`,
    postLogoutRedirectUri: `${appUrl}/signed-out`,
  })),
});
// Configured afresh: a set from an earlier run without the organisation claim would block the shared issuer.
for (const c of clients) await removeOidcConfig(db, c.org);
for (const c of clients) {
  const input = oidcConfigInputSchema.parse({
    org: c.org,
    issuer: provider.issuer,
    clientId: c.clientId,
    rolesClaim: 'roles',
    orgClaim: DEMO_ORG_CLAIM,
    orgCode: demoOrgCodes[c.org],
  });
  const r = await configureOidc(db, input, sealClientSecret(secrets, c.org, c.clientSecret), new Date());
  if (!r.ok) throw new Error(r.detail);
}
db.sqlite!.client.close();
process.stdout.write(`\nLocal OpenID provider: ${provider.issuer} (demo organisations in ${dataDir} now sign in through it)\n`);
process.stdout.write(
  `In another terminal (after one plain npm start has loaded the demo plans): AUTH_DEV=off npm start, then open ${appUrl}/sign-in, choose an organisation, and type one of:\n`,
);
for (const u of demoUsers) process.stdout.write(`  ${u.sub.padEnd(16)} ${u.label} (${u.org})\n`);
process.on('SIGINT', () => provider.stop().then(() => process.exit(0)));

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { configureOidc, oidcConfigInputSchema, sealClientSecret } from '../../../src/plans/oidc-config.js';
import { createApp } from '../../../src/server/app.js';
import { createRefusalSummary } from '../../../src/server/access-trail/refusal-summary.js';
import type { TrustProxy } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { onCleanup } from '../../cleanup.js';
import { testApp, testClock } from '../../helpers.js';
import { startTestProvider, type TestUser } from './oidc-helpers.js';
import { createSearchService } from '../../../src/search/service.js';
import { createIndexSync } from '../../../src/search/sync.js';

/** The claim naming each person's organisation (as CIS2 names an ODS code), and each organisation's value. */
export const ORG_CLAIM = 'org_code';
export const orgCodes = { 'capital-police': 'XCP01', 'southbank-mh': 'XSB01' } as const;
const cap = { [ORG_CLAIM]: orgCodes['capital-police'] };
const users = [
  { sub: 'pc.oidc', name: 'PC Synthetic', groups: ['ops-responders'], ...cap },
  { sub: 'pc.norole', name: 'Canteen Synthetic', groups: ['canteen'], ...cap },
  // A provider misconfigured to say its people belong to a trust.
  { sub: 'pc.rogue', name: 'Rogue Synthetic', groups: ['ops-responders'], org: 'southbank-mh', ...cap },
];

/** southbank-mh's staff at the same provider (opt in with `southbank: true`): its groups → this service's roles. */
const sb = { [ORG_CLAIM]: orgCodes['southbank-mh'] };
export const southbankUsers = [
  { sub: 'sb.author', name: 'Author Synthetic', groups: ['sb-authors'], ...sb },
  { sub: 'sb.approver', name: 'Approver Synthetic', groups: ['sb-approvers'], ...sb },
  { sub: 'sb.auditor', name: 'Auditor Synthetic', groups: ['sb-ig'], ...sb },
  { sub: 'sb.admin', name: 'Admin Synthetic', groups: ['sb-admins'], ...sb },
];
const southbankRoleMap = 'sb-authors=author,sb-approvers=approver,sb-ig=auditor,sb-admins=admin';

/** The real app over HTTP (no development issuer) and a real OpenID provider for capital-police (and southbank-mh if asked). */
export async function setUp(
  opts: {
    sessionMaxHours?: number;
    sessionIdleMinutes?: number;
    southbank?: boolean;
    trustProxy?: TrustProxy;
    extraUsers?: TestUser[];
  } = {},
) {
  const { southbank, extraUsers = [], ...appOpts } = opts;
  const t = await testApp({ clock: testClock(new Date().toISOString()) });
  // The SQLite search fallback, kept in step with published plans: enough for a browser to search.
  const search = createSearchService({ db: t.db, logger: silentLogger() });
  const sync = createIndexSync({ db: t.db, fallback: search.fallback, logger: silentLogger() });
  sync.start();
  onCleanup(async () => {
    await sync.stop();
    search.stop();
  });
  // Its own refusal summariser, so a test can flush the summaries of anonymous refusals.
  const refusals = createRefusalSummary({ clock: t.clock, record: (e) => t.accessLog.record(e) });
  onCleanup(() => refusals.close());
  let appUrl = '';
  const app = createApp({
    db: t.db,
    clock: t.clock,
    logger: silentLogger(),
    accessLog: t.accessLog,
    secrets: t.secrets,
    search,
    refusals,
    localCards: true,
    ...appOpts,
    get publicBaseUrl() {
      return appUrl;
    },
  });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onCleanup(
    () =>
      new Promise<void>((r) => {
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
        server.close(() => r());
      }),
  );
  const clientSecret = 'synthetic-test-secret-0123456789';
  const provider = await startTestProvider({
    users: [...users, ...(southbank ? southbankUsers : []), ...extraUsers],
    claims: ['groups', 'org', ORG_CLAIM],
    clients: [
      { clientId: 'rpl-capital', clientSecret, redirectUri: `${appUrl}/auth/callback`, postLogoutRedirectUri: `${appUrl}/signed-out` },
      ...(southbank
        ? [
            {
              clientId: 'rpl-southbank',
              clientSecret,
              redirectUri: `${appUrl}/auth/callback`,
              postLogoutRedirectUri: `${appUrl}/signed-out`,
            },
          ]
        : []),
    ],
  });
  onCleanup(provider.stop);
  const input = oidcConfigInputSchema.parse({
    org: 'capital-police',
    issuer: provider.issuer,
    clientId: 'rpl-capital',
    rolesClaim: 'groups',
    roleMap: 'ops-responders=responder',
    // Only needed once the provider serves southbank-mh too (issuerSharing), but harmless alone.
    orgClaim: ORG_CLAIM,
    orgCode: orgCodes['capital-police'],
  });
  expect((await configureOidc(t.db, input, sealClientSecret(t.secrets, 'capital-police', clientSecret), t.clock())).ok).toBe(true);
  if (southbank) {
    const sb = oidcConfigInputSchema.parse({
      org: 'southbank-mh',
      issuer: provider.issuer,
      clientId: 'rpl-southbank',
      rolesClaim: 'groups',
      roleMap: southbankRoleMap,
      orgClaim: ORG_CLAIM,
      orgCode: orgCodes['southbank-mh'],
    });
    expect((await configureOidc(t.db, sb, sealClientSecret(t.secrets, 'southbank-mh', clientSecret), t.clock())).ok).toBe(true);
  }
  const signIns = async () => {
    await t.accessLog.planLookup();
    return (await t.events()).filter((e) => e.action === 'sign-in' || e.action === 'sign-out');
  };
  const sessionRows = () => t.db.many(sql`SELECT actor_sub, actor_org, actor_roles FROM web_sessions ORDER BY created_at, actor_sub`);
  return { t, app, appUrl, provider, signIns, sessionRows, clientSecret, sync, refusals };
}

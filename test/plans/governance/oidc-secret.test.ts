import { describe, expect, it } from 'vitest';
import { configureOidcGoverned } from '../../../src/plans/governance/oidc.js';
import { getOidcConfig, openClientSecret, sealClientSecret } from '../../../src/plans/oidc-config.js';
import type { Operator } from '../../../src/plans/policy.js';
import { testApp } from '../../helpers.js';

/** Issue 21: changing only the role map must not need the client secret typed again. */
describe("an organisation's OpenID settings and its client secret", () => {
  it('keeps the stored secret when none is given, and asks for one on first setup or a new issuer or client', async () => {
    const t = await testApp();
    const deps = { db: t.db, log: t.accessLog, clock: t.clock };
    const admin: Operator = { via: 'web', actor: { sub: 'admin.sb', org: 'southbank-mh', orgKind: 'mental-health', roles: ['admin'] } };
    const settings = {
      org: 'southbank-mh',
      issuer: 'https://idp.southbank.example/realms/staff',
      clientId: 'rpl',
      rolesClaim: 'groups',
      roleMap: { ig: 'auditor' as const },
      scopes: 'openid profile',
      enabled: true,
    };

    const first = await configureOidcGoverned(deps, admin, settings, undefined);
    expect(first).toMatchObject({ ok: false, code: 'invalid', extra: { reason: 'client-secret-required' } });
    expect(await getOidcConfig(t.db, 'southbank-mh')).toBeUndefined();

    expect((await configureOidcGoverned(deps, admin, settings, sealClientSecret(t.secrets, 'southbank-mh', 'synthetic-secret-1'))).ok).toBe(
      true,
    );
    const stored = (await getOidcConfig(t.db, 'southbank-mh'))!.clientSecret;
    const kept = await configureOidcGoverned(deps, admin, { ...settings, roleMap: { ig: 'auditor', crisis: 'responder' } }, undefined);
    expect(kept.ok).toBe(true);
    const after = (await getOidcConfig(t.db, 'southbank-mh'))!;
    expect(after).toMatchObject({ clientSecret: stored, roleMap: { ig: 'auditor', crisis: 'responder' } });
    expect(openClientSecret(after, t.secrets)).toEqual({ ok: true, value: 'synthetic-secret-1' });
    const change = (await t.events()).filter((e) => e.action === 'governance').at(-1)!;
    expect(change.query).toMatchObject({ op: 'organisation.oidc', changes: { clientSecret: 'kept' } });

    for (const other of [{ clientId: 'rpl-2' }, { issuer: 'https://idp.other.example' }]) {
      const r = await configureOidcGoverned(deps, admin, { ...settings, ...other }, undefined);
      expect(r, JSON.stringify(other)).toMatchObject({ ok: false, extra: { reason: 'client-secret-required' } });
    }
    expect(await getOidcConfig(t.db, 'southbank-mh')).toMatchObject({ clientId: 'rpl', issuer: settings.issuer });
  });
});

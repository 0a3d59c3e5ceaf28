import { beforeAll, describe, expect, it } from 'vitest';
import { authoriseRead } from '../../src/plans/policy.js';
import type { Actor } from '../../src/plans/core/actor.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { addOrganisation, agreementQueries, type AgreementQueries } from '../../src/plans/organisations.js';
import { testStore } from '../helpers.js';

async function agreements(): Promise<AgreementQueries> {
  const db = await testStore();
  const now = new Date('2026-11-23T10:00:00Z');
  await ensureDemoOrganisations(db, now);
  for (const [slug, kind] of [
    ['valley-ambulance', 'ambulance'],
    ['valley-ed', 'emergency-department'],
    ['valley-mh', 'mental-health'],
    ['valley-police', 'police'],
  ] as const) {
    await addOrganisation(db, { slug, name: slug, kind }, now);
  }
  return agreementQueries(db);
}

const responder = (org: string, orgKind: Actor['orgKind']): Actor => ({ sub: `${org}.r`, org, orgKind, roles: ['responder'] });
const day = '2026-11-23';

describe('authoriseRead: break-glass rule lives in the domain', () => {
  let q: AgreementQueries;
  beforeAll(async () => {
    q = await agreements();
  });
  it.each([
    ['valley-ambulance', 'ambulance'],
    ['valley-ed', 'emergency-department'],
    ['valley-mh', 'mental-health'],
  ] as const)('%s (health, no agreement) may open with a reason, and only with one', async (org, kind) => {
    expect(await authoriseRead(responder(org, kind), 'southbank-mh', day, q)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await authoriseRead(responder(org, kind), 'southbank-mh', day, q, { emergencyReason: 'collapsed, unresponsive' })).toEqual({
      ok: true,
      value: { basis: 'emergency', reason: 'collapsed, unresponsive' },
    });
  });

  it('police outside an agreement are refused even with a reason', async () => {
    const r = await authoriseRead(responder('valley-police', 'police'), 'southbank-mh', day, q, { emergencyReason: 'concern for life' });
    expect(r).toMatchObject({ ok: false, code: 'forbidden', extra: { reason: 'no-agreement' } });
  });

  it('inside an agreement the reason changes nothing; staff roles get no break-glass', async () => {
    expect(
      await authoriseRead(responder('metro-ambulance', 'ambulance'), 'southbank-mh', day, q, { emergencyReason: 'x-ray' }),
    ).toMatchObject({
      ok: true,
      value: { basis: 'agreement' },
    });
    const author: Actor = { sub: 'a', org: 'valley-mh', orgKind: 'mental-health', roles: ['author'] };
    expect(await authoriseRead(author, 'southbank-mh', day, q, { emergencyReason: 'please' })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
  });
});

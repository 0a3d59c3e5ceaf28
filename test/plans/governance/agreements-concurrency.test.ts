import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/plans/core/actor.js';
import { acceptProposal, getProposalView, proposeAgreement } from '../../../src/plans/governance/agreements.js';
import { getAgreement } from '../../../src/plans/governance/governance.js';
import type { GovernanceDeps } from '../../../src/plans/governance/log.js';
import { agreementQueries } from '../../../src/plans/organisations.js';
import type { Operator } from '../../../src/plans/policy.js';
import { testApp, type TestApp } from '../../helpers.js';

/**
 * Answers that arrive together. SQLite runs each change in BEGIN IMMEDIATE, one after the other; on
 * PostgreSQL they would overlap in READ COMMITTED, so every change to an agreement takes its lock first
 * (agreement-store.ts lockAgreement). Either way: the last acceptance puts the terms in force exactly
 * once, and a party that lost the race is told so and changes nothing.
 */
const admin = (org: string): Operator => ({
  via: 'api',
  actor: { sub: `admin.${org}`, org, orgKind: 'police', roles: ['admin'] } as Actor,
});
const terms = {
  reference: 'RACE-1',
  parties: ['capital-police', 'northgate-mh', 'shire-police'],
  validFrom: '2026-01-01',
  validTo: '2027-12-31',
};

async function proposed(t: TestApp) {
  const deps: GovernanceDeps = { db: t.db, log: t.accessLog, clock: t.clock };
  const p = await proposeAgreement(deps, admin('capital-police'), terms);
  if (!p.ok) throw new Error(p.detail);
  return { deps, id: p.value.id, together: together(deps) };
}

/**
 * Deps whose governance events are let through only once two have been recorded: both answers are then
 * worked out (read, checked, logged) before either is applied, so their transactions really overlap,
 * whatever the timing of the store's connections.
 */
function together(deps: GovernanceDeps): GovernanceDeps {
  const waiting: (() => void)[] = [];
  return {
    ...deps,
    log: {
      async record(e) {
        const r = await deps.log.record(e);
        if (e.outcome === 'allowed') {
          await new Promise<void>((go) => {
            waiting.push(go);
            if (waiting.length === 2) for (const w of waiting.splice(0)) w();
          });
        }
        return r;
      },
    },
  };
}

const day = '2026-11-23';
const inForce = (t: TestApp) => agreementQueries(t.db).agreementInForce('shire-police', 'northgate-mh', day);

describe('two parties answering a proposal at once', () => {
  it('the two last acceptances: one is recorded, the other refused as changed meanwhile; accepting again puts it in force once', async () => {
    const t = await testApp();
    const { deps, id, together } = await proposed(t);
    const answers = await Promise.all([
      acceptProposal(together, admin('northgate-mh'), id),
      acceptProposal(together, admin('shire-police'), id),
    ]);

    // Each was worked out while both were awaited, so each announced "not yet in force".
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    const refused = answers.find((a) => !a.ok);
    expect(refused).toMatchObject({ ok: false, code: 'conflict', extra: { reason: 'changed-meanwhile' } });
    const half = (await getProposalView(t.db, id, day))!;
    expect(half.state).toBe('pending');
    expect(half.decisions).toHaveLength(2);
    expect(await inForce(t)).toBeUndefined();
    expect(await getAgreement(t.db, 'RACE-1', day)).toBeUndefined();

    const loser = half.awaiting[0]!;
    const last = await acceptProposal(deps, admin(loser), id);
    expect(last).toMatchObject({ ok: true, value: { state: 'accepted', awaiting: [] } });
    expect((await getAgreement(t.db, 'RACE-1', day))!.parties).toEqual(terms.parties);
    expect(await inForce(t)).toBe('RACE-1');

    await t.accessLog.planLookup();
    const accepts = (await t.events()).filter((e) => e.action === 'governance' && e.query?.op === 'agreement.accept');
    expect(accepts.map((e) => e.outcome).sort()).toEqual(['allowed', 'allowed', 'allowed', 'denied']);
  });

  it('the same last party answering twice at once: in force once, the second told it was answered meanwhile', async () => {
    const t = await testApp();
    const { deps, id, together } = await proposed(t);
    expect((await acceptProposal(deps, admin('northgate-mh'), id)).ok).toBe(true);
    const answers = await Promise.all([
      acceptProposal(together, admin('shire-police'), id),
      acceptProposal(together, admin('shire-police'), id),
    ]);
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.find((a) => !a.ok)).toMatchObject({ ok: false, code: 'conflict', extra: { reason: 'not-pending' } });
    const done = (await getProposalView(t.db, id, day))!;
    expect(done.state).toBe('accepted');
    expect(done.decisions.map((d) => d.org)).toEqual(expect.arrayContaining(terms.parties));
    expect(done.decisions).toHaveLength(3);
    expect((await getAgreement(t.db, 'RACE-1', day))!.parties).toEqual(terms.parties);
  });
});

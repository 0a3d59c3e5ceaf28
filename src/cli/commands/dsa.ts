import { z } from 'zod';
import { isoDay } from '../../plans/core/clock.js';
import { slugSchema } from '../../plans/core/content.js';
import { acceptProposal, endAgreement, listProposals, proposeAgreement, type ProposalView } from '../../plans/governance/agreements.js';
import { listAgreements, reasonSchema } from '../../plans/governance/governance.js';
import { newDsaSchema } from '../../plans/organisations.js';
import { parseCommandArgs, usageError, validOptions, type Command } from '../command.js';
import { withGovernance } from '../governance.js';

const slugList = (v: string | undefined) =>
  v
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
const outcome = (p: ProposalView) =>
  p.state === 'accepted'
    ? `in force: every party's acceptance recorded`
    : `proposal ${p.id}, waiting for ${p.awaiting.join(', ')} to accept`;

/**
 * The operator at the machine is no party to any agreement, so `dsa add` proposes: each party's
 * administrator accepts on the admin pages or the API. `--accepted-by` records, for the parties named,
 * that the operator holds their signed agreement; naming every party puts it in force at once.
 */
export const dsaAdd: Command = {
  name: 'dsa add',
  summary: 'propose a data-sharing agreement between organisations (in force once every party accepts)',
  usage: 'dsa add REF --parties a,b,c --from YYYY-MM-DD --to YYYY-MM-DD [--accepted-by a,b,c]',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, {
      parties: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'accepted-by': { type: 'string' },
    });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one agreement REF');
    const dsa = validOptions(this, newDsaSchema, {
      reference: positionals[0],
      parties: slugList(values.parties),
      validFrom: values.from,
      validTo: values.to,
    });
    const acceptedBy = validOptions(this, z.strictObject({ 'accepted-by': z.array(slugSchema).optional() }), {
      'accepted-by': slugList(values['accepted-by']),
    })['accepted-by'];
    const p = await withGovernance(ctx, (deps, op) => proposeAgreement(deps, op, dsa, { acceptedBy }));
    ctx.out(`agreement ${p.reference}: ${p.parties.join(', ')} from ${p.validFrom} to ${p.validTo}; ${outcome(p)}`);
    return 0;
  },
};

export const dsaAccept: Command = {
  name: 'dsa accept',
  summary: "record a party's acceptance of a proposal whose signed agreement the operator holds",
  usage: 'dsa accept PROPOSAL-ID --for ORG',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, { for: { type: 'string' } });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one PROPOSAL-ID (dsa list shows them)');
    const { 'proposal-id': id, for: party } = validOptions(
      this,
      z.strictObject({ 'proposal-id': z.coerce.number().int().min(1), for: slugSchema }),
      { 'proposal-id': positionals[0], for: values.for },
    );
    const p = await withGovernance(ctx, (deps, op) => acceptProposal(deps, op, id, { onBehalfOf: party }));
    ctx.out(`agreement ${p.reference}: ${party}'s acceptance recorded; ${outcome(p)}`);
    return 0;
  },
};

export const dsaList: Command = {
  name: 'dsa list',
  summary: 'the data-sharing agreements (reference, state today, dates, parties), then proposals waiting for acceptance',
  usage: 'dsa list',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    const today = isoDay(ctx.now());
    for (const a of await listAgreements(await ctx.db(), today)) {
      const ended = a.endedAt ? ` (ended ${a.endedAt.slice(0, 10)}: ${a.endReason})` : '';
      ctx.out([a.reference, a.state, `${a.validFrom}..${a.validTo}`, a.parties.join(',')].join('\t') + ended);
    }
    for (const p of await listProposals(await ctx.db(), today, { state: 'pending' })) {
      ctx.out(
        [
          `proposal ${p.id}`,
          p.reference,
          p.kind,
          `${p.validFrom}..${p.validTo}`,
          p.parties.join(','),
          `waiting for ${p.awaiting.join(',')}`,
        ].join('\t'),
      );
    }
    return 0;
  },
};

export const dsaEnd: Command = {
  name: 'dsa end',
  summary: 'end an agreement early, now: reads that relied on it stop at once',
  usage: 'dsa end REF --reason TEXT',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, { reason: { type: 'string' } });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one agreement REF');
    const body = validOptions(this, reasonSchema, { reason: values.reason });
    const ended = await withGovernance(ctx, (deps, op) => endAgreement(deps, op, positionals[0]!, body));
    ctx.out(`ended agreement ${ended.reference} at ${ended.endedAt}: ${ended.parties.join(', ')}`);
    return 0;
  },
};

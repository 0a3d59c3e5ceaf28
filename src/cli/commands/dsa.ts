import { isoDay } from '../../plans/core/clock.js';
import { addAgreement, endAgreement, listAgreements, reasonSchema } from '../../plans/governance/governance.js';
import { newDsaSchema } from '../../plans/organisations.js';
import { parseCommandArgs, usageError, validOptions, type Command } from '../command.js';
import { withGovernance } from '../governance.js';

export const dsaAdd: Command = {
  name: 'dsa add',
  summary: 'record a data-sharing agreement between organisations',
  usage: 'dsa add REF --parties a,b,c --from YYYY-MM-DD --to YYYY-MM-DD',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, {
      parties: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one agreement REF');
    const dsa = validOptions(this, newDsaSchema, {
      reference: positionals[0],
      parties: values.parties?.split(',').map((p) => p.trim()).filter(Boolean),
      validFrom: values.from,
      validTo: values.to,
    });
    await withGovernance(ctx, (deps, op) => addAgreement(deps, op, dsa));
    ctx.out(`recorded agreement ${dsa.reference}: ${dsa.parties.join(', ')} from ${dsa.validFrom} to ${dsa.validTo}`);
    return 0;
  },
};

export const dsaList: Command = {
  name: 'dsa list',
  summary: 'the data-sharing agreements: reference, state today, dates, parties',
  usage: 'dsa list',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    for (const a of listAgreements(ctx.db(), isoDay(ctx.now()))) {
      const ended = a.endedAt ? ` (ended ${a.endedAt.slice(0, 10)}: ${a.endReason})` : '';
      ctx.out([a.reference, a.state, `${a.validFrom}..${a.validTo}`, a.parties.join(',')].join('\t') + ended);
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

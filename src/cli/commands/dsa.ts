import { addDataSharingAgreement, newDsaSchema } from '../../plans/organisations.js';
import { CliError, parseCommandArgs, usageError, validOptions, type Command } from '../command.js';

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
    const result = addDataSharingAgreement(ctx.db(), dsa, ctx.now());
    if (!result.ok) throw new CliError(result.detail);
    ctx.out(`recorded agreement ${dsa.reference}: ${dsa.parties.join(', ')} from ${dsa.validFrom} to ${dsa.validTo}`);
    return 0;
  },
};

import { addOrganisation, newOrganisationSchema } from '../../plans/organisations.js';
import { CliError, parseCommandArgs, usageError, validOptions, type Command } from '../command.js';

export const orgAdd: Command = {
  name: 'org add',
  summary: 'add an organisation (a trust, police force, ambulance service or emergency department)',
  usage:
    'org add SLUG --name NAME --kind police|ambulance|emergency-department|mental-health [--issuer URL --jwks URL|FILE] [--contact TEXT]',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, {
      name: { type: 'string' },
      kind: { type: 'string' },
      issuer: { type: 'string' },
      jwks: { type: 'string' },
      contact: { type: 'string' },
    });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one SLUG');
    const org = validOptions(this, newOrganisationSchema, { slug: positionals[0], ...values });
    const result = addOrganisation(ctx.db(), org, ctx.now());
    if (!result.ok) throw new CliError(result.detail);
    ctx.out(`added organisation ${org.slug} (${org.kind}): ${org.name}`);
    return 0;
  },
};

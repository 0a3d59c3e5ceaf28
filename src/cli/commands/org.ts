import { addOrganisationGoverned, listOrganisationsView } from '../../plans/governance.js';
import { newOrganisationSchema } from '../../plans/organisations.js';
import { parseCommandArgs, usageError, validOptions, type Command } from '../command.js';
import { withGovernance } from '../governance.js';

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
    await withGovernance(ctx, (deps, op) => addOrganisationGoverned(deps, op, org));
    ctx.out(`added organisation ${org.slug} (${org.kind}): ${org.name}`);
    return 0;
  },
};

export const orgList: Command = {
  name: 'org list',
  summary: 'the organisations: slug, kind, state, name, identity provider',
  usage: 'org list',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    for (const o of listOrganisationsView(ctx.db())) {
      ctx.out([o.slug, o.kind, o.state, o.name, o.issuer ?? '-'].join('\t'));
    }
    return 0;
  },
};

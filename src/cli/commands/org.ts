import fs from 'node:fs';
import {
  addOrganisationGoverned,
  changeOrganisationKind,
  enableOrganisation,
  kindChangeSchema,
  listOrganisationsView,
  reasonSchema,
} from '../../plans/governance/governance.js';
import { configureOidcGoverned, setOidcEnabledGoverned } from '../../plans/governance/oidc.js';
import { loadSecretBox } from '../../plans/keys/keys.js';
import { oidcConfigInputSchema, sealClientSecret } from '../../plans/oidc-config.js';
import { newOrganisationSchema } from '../../plans/organisations.js';
import { jwksFileProblemText, readJwksFile } from '../../plans/governance/jwks-files.js';
import { CliError, parseCommandArgs, usageError, validOptions, type Command } from '../command.js';
import { withGovernance } from '../governance.js';

export const orgAdd: Command = {
  name: 'org add',
  summary: 'add an organisation (a trust, police force, ambulance service or emergency department)',
  usage:
    'org add SLUG --name NAME --kind police|ambulance|emergency-department|mental-health [--issuer URL --jwks URL|FILE [--org-claim NAME --org-code VALUE]] [--contact TEXT] [--dp-contact TEXT]  (a FILE is read once and its key set stored)',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, {
      name: { type: 'string' },
      kind: { type: 'string' },
      issuer: { type: 'string' },
      jwks: { type: 'string' },
      contact: { type: 'string' },
      'org-claim': { type: 'string' },
      'org-code': { type: 'string' },
      'dp-contact': { type: 'string' },
    });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one SLUG');
    const { 'org-claim': orgClaim, 'org-code': orgCode, 'dp-contact': dataProtectionContact, ...rest } = values;
    const org = validOptions(this, newOrganisationSchema, {
      slug: positionals[0],
      ...rest,
      jwks: jwksOption(values.jwks),
      orgClaim,
      orgCode,
      dataProtectionContact,
    });
    await withGovernance(ctx, (deps, op) => addOrganisationGoverned(deps, op, org));
    ctx.out(`added organisation ${org.slug} (${org.kind}): ${org.name}`);
    return 0;
  },
};

/**
 * `--jwks`: a URL or inline key set as given; anything else is a file the operator names here, read once
 * (jwks-files.ts) and stored as its key set. The service never reads a key set file itself.
 */
function jwksOption(value: string | undefined): string | undefined {
  if (value === undefined || /^(https?:|\{)/i.test(value.trim())) return value;
  const read = readJwksFile(value);
  if (!read.ok) throw new CliError(`--jwks: ${value} ${jwksFileProblemText(read.problem!)}`);
  return read.value;
}

/**
 * The organisation's own OpenID provider for web sign-in. The client secret is copied to a 0600 file
 * under DATA_DIR (the database holds only its path) and never printed.
 */
export const orgOidc: Command = {
  name: 'org oidc',
  summary: "sign in to the web pages through the organisation's own OpenID provider",
  usage:
    "org oidc SLUG --issuer URL --client-id ID --client-secret-file FILE [--roles-claim NAME] [--role-map 'idp-value=role,…'] [--scopes 'openid profile …'] [--org-claim NAME --org-code VALUE] | org oidc SLUG --disable|--enable",
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-file': { type: 'string' },
      'roles-claim': { type: 'string' },
      'role-map': { type: 'string' },
      scopes: { type: 'string' },
      'org-claim': { type: 'string' },
      'org-code': { type: 'string' },
      disable: { type: 'boolean' },
      enable: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one SLUG');
    const slug = positionals[0]!;
    if (values.disable || values.enable) {
      await withGovernance(ctx, (deps, op) => setOidcEnabledGoverned(deps, op, slug, !values.disable));
      ctx.out(`sign-in through ${slug}'s OpenID provider is now ${values.disable ? 'off' : 'on'}`);
      return 0;
    }
    const input = validOptions(this, oidcConfigInputSchema, {
      org: slug,
      issuer: values.issuer,
      clientId: values['client-id'],
      rolesClaim: values['roles-claim'],
      roleMap: values['role-map'],
      scopes: values.scopes,
      orgClaim: values['org-claim'],
      orgCode: values['org-code'],
    });
    const secretFile = values['client-secret-file'];
    if (!secretFile)
      throw usageError(
        this,
        '--client-secret-file: the file holding the secret the provider gave (read once; the secret is kept sealed in the database)',
      );
    let secret: string;
    try {
      secret = fs.readFileSync(secretFile, 'utf8').trim();
    } catch (e) {
      throw new CliError(`cannot read --client-secret-file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (!secret) throw new CliError('--client-secret-file is empty');
    const sealed = sealClientSecret(loadSecretBox(ctx.config.keysDir)!, slug, secret);
    await withGovernance(ctx, (deps, op) => configureOidcGoverned(deps, op, input, sealed));
    const base = ctx.config.publicBaseUrl ?? `http://${ctx.config.host}:${ctx.config.port}`;
    ctx.out(`${slug} signs in through ${input.issuer} (client ${input.clientId}, roles from "${input.rolesClaim}")`);
    ctx.out(`register this redirect URI with the provider: ${base}/auth/callback`);
    ctx.out(`and this post-logout redirect URI: ${base}/signed-out`);
    return 0;
  },
};

/**
 * What kind of organisation this is decides what its people see and whether they have emergency access,
 * so only the operator changes it (no administrator can): a governance event with the reason, in force
 * for tokens and sessions already issued.
 */
export const orgKind: Command = {
  name: 'org kind',
  summary: "change an organisation's kind (operator only; its people's access changes at once)",
  usage: 'org kind SLUG --kind police|ambulance|emergency-department|mental-health --reason TEXT',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, { kind: { type: 'string' }, reason: { type: 'string' } });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one SLUG');
    const slug = positionals[0]!;
    const body = validOptions(this, kindChangeSchema, values);
    const org = await withGovernance(ctx, (deps, op) => changeOrganisationKind(deps, op, slug, body));
    ctx.out(`${org.slug} is now ${org.kind}`);
    return 0;
  },
};

/** A disabled organisation's own administrators cannot sign in, so re-admitting it is the operator's act. */
export const orgEnable: Command = {
  name: 'org enable',
  summary: 'enable a disabled organisation again (operator only)',
  usage: 'org enable SLUG --reason TEXT',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, { reason: { type: 'string' } });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one SLUG');
    const slug = positionals[0]!;
    const body = validOptions(this, reasonSchema, values);
    await withGovernance(ctx, (deps, op) => enableOrganisation(deps, op, slug, body));
    ctx.out(`${slug} is enabled again: its people's sign-ins and tokens work`);
    return 0;
  },
};

export const orgList: Command = {
  name: 'org list',
  summary: 'the organisations: slug, kind, state, name, identity provider',
  usage: 'org list',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    for (const o of await listOrganisationsView(await ctx.db())) {
      ctx.out([o.slug, o.kind, o.state, o.name, o.issuer ?? '-'].join('\t'));
    }
    return 0;
  },
};

import { z } from 'zod';
import { resolveAuthDev } from '../../config.js';
import { roles } from '../../plans/core/actor.js';
import { getOrganisation, listOrganisations } from '../../plans/organisations.js';
import { loadDevIssuer, parseTtl } from '../../server/auth/dev-issuer.js';
import { CliError, parseCommandArgs, usageError, validOptions, type Command } from '../command.js';

const tokenOptions = z.strictObject({
  sub: z.string().trim().min(1).max(200),
  org: z.string().min(1),
  role: z.array(z.enum(roles)).min(1, 'give at least one --role'),
  ttl: z.string().default('8h'),
});

export const tokenCommand: Command = {
  name: 'token',
  summary: 'a bearer token from the development issuer (refuses when it is off)',
  usage: 'token --sub ID --org SLUG --role responder|author|approver|auditor|admin [--role …] [--ttl 8h]',
  async run(args, ctx) {
    const { values } = parseCommandArgs(this, args, {
      sub: { type: 'string' },
      org: { type: 'string' },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string' },
    });
    const opts = validOptions(this, tokenOptions, values);
    const ttlSeconds = parseTtl(opts.ttl);
    if (!ttlSeconds) throw usageError(this, '--ttl must be like 30m, 8h or 1d (at most 7d)');
    // The service would refuse it: say so now rather than hand out a token that never works.
    if (ttlSeconds > ctx.config.tokenMaxHours * 3600)
      throw usageError(this, `--ttl is over TOKEN_MAX_HOURS (${ctx.config.tokenMaxHours} h)`);
    const db = await ctx.db();
    const dev = resolveAuthDev(
      ctx.config,
      (await listOrganisations(db)).some((o) => o.issuer !== null),
    );
    if (!dev.ok || !dev.authDev) {
      throw new CliError(
        'the development issuer is off here (an identity provider is configured, AUTH_DEV=off, or HOST is not loopback): sign in through your organisation instead',
      );
    }
    const org = await getOrganisation(db, opts.org);
    if (!org) throw new CliError(`unknown organisation "${opts.org}" (add it with: org add)`);
    if (org.disabledAt) throw new CliError(`organisation "${opts.org}" is disabled: no tokens for it`);
    const issuer = await loadDevIssuer(ctx.config.keysDir);
    ctx.out(await issuer.sign({ sub: opts.sub, org: opts.org, roles: opts.role }, ttlSeconds));
    return 0;
  },
};

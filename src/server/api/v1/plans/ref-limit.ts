import type { Context, MiddlewareHandler } from 'hono';
import type { AccessEventInput } from '../../../../plans/access-log/log.js';
import type { AppEnv, AppServices } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { headerText, validPurpose } from '../../../purpose.js';

/** The reference asked for, as given (validated later, by the route): whose, and which. */
export type AskedReference = { org: string; externalRef: string };

/**
 * The per-person limit on look-ups by reference, one count for every route that opens a plan by its
 * owning organisation's reference (JSON API and FHIR). Before the trail, as search's is, so a script
 * cannot flood the log: the first refusal of a window is logged, the rest summarised (refusal-summary.ts),
 * and both are flagged `reference-rate-limited`. Crossing the flag threshold is logged for operations
 * the moment it happens; the auditors' `many-references` flag comes from the access events themselves.
 */
export const refLookupLimit =
  (s: AppServices, channel: 'api' | 'fhir', asked: (c: Context<AppEnv>) => AskedReference): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const actor = c.var.actor;
    const client = `actor:${actor.org}/${actor.sub}`;
    const ref = asked(c);
    const org = ref.org.slice(0, 100);
    const externalRef = ref.externalRef.trim().slice(0, 100);
    const attempt = await s.refLookupGuard.attempt(client, `${org}|${externalRef}`);
    if (attempt.wait === undefined) {
      if (attempt.crossed) {
        // No person or reference here (the application log holds no personal data): the flag has them.
        s.logger.warn(
          { org: actor.org, channel, ...attempt.crossed },
          'look-ups by reference crossed the flag threshold: flagged many-references for auditors',
        );
      }
      return next();
    }
    const event: AccessEventInput = {
      actor: { sub: actor.sub, org: actor.org, roles: actor.roles },
      action: 'view',
      channel,
      purpose: validPurpose(headerText(c.req.header('x-access-purpose'))) ?? null,
      query: { externalRef, org },
      outcome: 'denied',
      reason: 'rate-limited',
    };
    await s.refusals.refuse({ client, reason: 'rate-limited', event });
    c.header('Retry-After', String(attempt.wait));
    throw new AppError('rate_limited', `too many different plans looked up by reference in a short time; try again in ${attempt.wait} s`, {
      retryAfter: attempt.wait,
    });
  };

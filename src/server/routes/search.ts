import { Hono, type MiddlewareHandler } from 'hono';
import { isoDay } from '../../plans/core/clock.js';
import { searchQuerySchema } from '../../search/query.js';
import { auditTrail } from '../access-trail/api.js';
import type { AppEnv, AppServices } from '../context.js';
import { AppError, unwrap } from '../errors.js';
import { requireActor, requirePurpose, validPurpose } from '../middleware.js';
import type { AccessEventInput } from '../../plans/access-log/log.js';
import { validate } from '../validate.js';

/**
 * GET /api/v1/search (CONTRACTS §5): who the responder may be looking for, best first. Every search is
 * an access event listing every plan it returned, so each person's report can count the searches that
 * surfaced them; refusals (no purpose, bad query, wrong role) are logged too.
 */
export function searchRoutes(services: AppServices) {
  /** Per person, shared with the web page; before the trail, so a harvesting script cannot flood the log. */
  const searchLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
    const actor = c.var.actor;
    const client = `actor:${actor.org}/${actor.sub}`;
    const wait = services.searchGuard.attempt(client);
    if (wait === undefined) return next();
    const query = Object.fromEntries(Object.entries(c.req.query()).map(([k, v]) => [k.slice(0, 20), v.slice(0, 200)]));
    const event: AccessEventInput = {
      actor: { sub: actor.sub, org: actor.org, roles: actor.roles },
      action: 'search',
      channel: 'api',
      purpose: validPurpose(c.req.header('x-access-purpose')) ?? null,
      query,
      outcome: 'denied',
      reason: 'rate-limited',
    };
    await services.refusals.refuse({ client, reason: 'rate-limited', event });
    c.header('Retry-After', String(wait));
    throw new AppError('rate_limited', `too many searches in a short time; try again in ${wait} s`, { retryAfter: wait });
  };
  return new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/', searchLimit, auditTrail(services, 'search'), requirePurpose, validate('query', searchQuerySchema), async (c) => {
      const query = c.req.valid('query');
      c.set('audit', { planId: null, query });
      const outcome = unwrap(await services.search.search(c.var.actor, query, isoDay(services.clock())));
      c.set('audit', { planId: null, query, resultPlanIds: outcome.planIds });
      const { results, degraded, tookMs } = outcome;
      return c.json({ results, degraded, tookMs });
    });
}

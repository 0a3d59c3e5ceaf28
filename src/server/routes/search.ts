import { Hono } from 'hono';
import { isoDay } from '../../plans/clock.js';
import { searchQuerySchema } from '../../search/query.js';
import { auditTrail } from '../audit-trail.js';
import type { AppEnv, AppServices } from '../context.js';
import { unwrap } from '../errors.js';
import { requireActor, requirePurpose } from '../middleware.js';
import { validate } from '../validate.js';

/**
 * GET /api/v1/search (CONTRACTS §5): who the responder may be looking for, best first. Every search is
 * an access event listing every plan it returned, so each person's report can count the searches that
 * surfaced them; refusals (no purpose, bad query, wrong role) are logged too.
 */
export function searchRoutes(services: AppServices) {
  return new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/', auditTrail(services, 'search'), requirePurpose, validate('query', searchQuerySchema), async (c) => {
      const query = c.req.valid('query');
      c.set('audit', { planId: null, query });
      const outcome = unwrap(await services.search.search(c.var.actor, query, isoDay(services.clock())));
      c.set('audit', { planId: null, query, resultPlanIds: outcome.planIds });
      const { results, degraded, tookMs } = outcome;
      return c.json({ results, degraded, tookMs });
    });
}

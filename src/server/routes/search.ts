import { Hono } from 'hono';
import { isoDay } from '../../plans/clock.js';
import { searchQuerySchema } from '../../search/query.js';
import type { AppEnv, AppServices } from '../context.js';
import { unwrap } from '../errors.js';
import { requireActor, requirePurpose } from '../middleware.js';
import { validate } from '../validate.js';

/** GET /api/v1/search (CONTRACTS §5): who the responder may be looking for, best first. */
export function searchRoutes(services: AppServices) {
  return new Hono<AppEnv>()
    .use(requireActor(services), requirePurpose)
    .get('/', validate('query', searchQuerySchema), async (c) => {
      const outcome = unwrap(await services.search.search(c.var.actor, c.req.valid('query'), isoDay(services.clock())));
      // Access log (issue 5): record this search with outcome.planIds before responding.
      const { results, degraded, tookMs } = outcome;
      return c.json({ results, degraded, tookMs });
    });
}

import { Hono } from 'hono';
import { reviewQueue } from '../../../../plans/versions/queues.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppEnv, AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { requireActor, requirePurpose } from '../../../middleware.js';

/**
 * GET /api/v1/reviews: the approver's queue for systems (a ward dashboard, a reminder job). It names the
 * people whose plans wait, so it takes a purpose and is one access event listing every plan in it.
 */
export function listReviews(services: AppServices) {
  return new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/', apiTrail(services, 'search'), requirePurpose, (c) => {
      const items = unwrap(reviewQueue(services.db, c.var.actor, services.clock()));
      c.set('access', { planId: null, query: { reviews: 'in-review' }, resultPlanIds: items.map((i) => i.planId) });
      return c.json({ items });
    });
}

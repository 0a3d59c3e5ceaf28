import { Hono } from 'hono';
import { flagIdParam, flagReviewSchema, reviewFlag } from '../../plans/access-log/flag-reviews.js';
import type { AppEnv, AppServices } from '../context.js';
import { unwrap } from '../errors.js';
import { requireActor } from '../middleware.js';
import { validate } from '../validate.js';

/** POST /api/v1/audit/flags/:id/review: the auditor closes a flag; the review is itself an access-log event. */
export function flagReviewRoutes(services: AppServices) {
  const deps = { db: services.db, log: services.accessLog, clock: services.clock };
  return new Hono<AppEnv>()
    .use(requireActor(services))
    .post('/flags/:id/review', validate('param', flagIdParam), validate('json', flagReviewSchema), async (c) =>
      c.json({ flag: unwrap(await reviewFlag(deps, c.var.actor, c.req.valid('param').id, c.req.valid('json'))) }, 201),
    );
}

import { Hono } from 'hono';
import { z } from 'zod';
import { externalRefSchema, slugSchema } from '../../plans/content.js';
import { isoDay } from '../../plans/clock.js';
import type { AppEnv, AppServices } from '../context.js';
import { unwrap } from '../errors.js';
import { requireActor, requirePurpose } from '../middleware.js';
import { planIdParam, validate } from '../validate.js';

const byRefQuery = z.strictObject({
  externalRef: externalRefSchema,
  /** Whose reference it is; defaults to the caller's own organisation (systems linking their own plans). */
  org: slugSchema.optional(),
});

/** The responder's read: the current published plan, as their organisation kind may see it. */
export function planReadRoutes(services: AppServices) {
  return new Hono<AppEnv>()
    .use(requireActor(services), requirePurpose)
    .get('/', validate('query', byRefQuery), (c) => {
      const { externalRef, org } = c.req.valid('query');
      const actor = c.var.actor;
      const outcome = unwrap(services.reader.byExternalRef(actor, org ?? actor.org, externalRef, isoDay(services.clock())));
      return c.json(outcome.view);
    })
    .get('/:planId', validate('param', planIdParam), (c) => {
      const outcome = unwrap(services.reader.byId(c.var.actor, c.req.valid('param').planId, isoDay(services.clock())));
      return c.json(outcome.view);
    });
}

import { listCards as list } from '../../../../plans/cards/cards.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';

/** GET /api/v1/plans/:planId/cards — the plan's card history (no secrets). */
export const listCards = (s: AppServices) =>
  api.createHandlers(apiTrail(s, 'history'), validate('param', planIdParam), (c) =>
    c.json({ cards: unwrap(list(s.db, c.var.actor, c.req.valid('param').planId, s.clock())) }),
  );

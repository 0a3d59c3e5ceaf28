import { isoDay } from '../../../../plans/core/clock.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { requirePurpose } from '../../../purpose.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { readOptions, served } from './read-shared.js';

/** GET /api/v1/plans/:planId — the responder's read: the current published plan, as their organisation kind may see it. */
export const getPlan = (s: AppServices) =>
  api.createHandlers(apiTrail(s, 'view'), requirePurpose, validate('param', planIdParam), (c) =>
    served(c, s.reader.byId(c.var.actor, c.req.valid('param').planId, isoDay(s.clock()), readOptions(c))),
  );

import { planHistory } from '../../../../plans/versions/history.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { requirePurpose } from '../../../purpose.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';

// Reading drafts and history returns plan data too: a purpose, and one access event per request.

/** GET /api/v1/plans/:planId/versions — every version and workflow event (no content). */
export const listVersions = (s: AppServices) =>
  api.createHandlers(apiTrail(s, 'history'), requirePurpose, validate('param', planIdParam), (c) =>
    c.json(unwrap(planHistory(s.db, c.var.actor, c.req.valid('param').planId))),
  );

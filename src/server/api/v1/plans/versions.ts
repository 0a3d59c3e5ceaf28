import { planHistory } from '../../../../plans/versions/history.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { requirePurpose } from '../../../purpose.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { planHistorySchema } from '../../../../plans/versions/history.js';

// Reading drafts and history returns plan data too: a purpose, and one access event per request.

const doc: OperationDoc = {
  summary: 'History: every version and workflow event (no content)',
  tag: 'authoring',
  purpose: 'required',
  ok: { description: 'The history', schema: planHistorySchema },
  errors: [400, 403, 404, 503],
};

/** GET /api/v1/plans/:planId/versions — every version and workflow event (no content). */
export const listVersions = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'history'), requirePurpose, validate('param', planIdParam), async (c) =>
      c.json(unwrap(await planHistory(s.db, c.var.actor, c.req.valid('param').planId))),
    ),
  );

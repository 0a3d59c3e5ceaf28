import { isoDay } from '../../../../plans/core/clock.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { requirePurpose } from '../../../purpose.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { readOptions, served } from './read-shared.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { planViewSchema } from '../../../../plans/versions/read.js';

const doc: OperationDoc = {
  summary: 'Read the current published plan',
  description:
    "As the reader's organisation kind may see it: `withheldSections` lists what was left out; `stale` when past its review date. One access event (view).",
  tag: 'plans',
  purpose: 'required',
  emergency: true,
  ok: { description: 'The plan as this reader may see it', schema: planViewSchema },
  errors: [400, 403, 404, 410, 503],
};

/** GET /api/v1/plans/:planId — the responder's read: the current published plan, as their organisation kind may see it. */
export const getPlan = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'view'), requirePurpose, validate('param', planIdParam), async (c) =>
      served(c, await s.reader.byId(c.var.actor, c.req.valid('param').planId, isoDay(s.clock()), readOptions(c))),
    ),
  );

import { reviewQueue } from '../../../../plans/versions/queues.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { requirePurpose } from '../../../purpose.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: "The approver's queue: versions in review in the approver's trust, oldest first",
  tag: 'authoring',
  purpose: 'required',
  ok: {
    description: 'Versions waiting, oldest first, with authors, age and size of change',
    schema: z.object({ items: z.array(z.object({ planId: z.string() }).passthrough()) }),
  },
  errors: [400, 403, 503],
};

/**
 * GET /api/v1/reviews: the approver's queue for systems (a ward dashboard, a reminder job). It names the
 * people whose plans wait, so it takes a purpose and is one access event listing every plan in it.
 */
export const listReviews = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'search'), requirePurpose, async (c) => {
      const items = unwrap(await reviewQueue(s.db, c.var.actor, s.clock()));
      c.set('access', { planId: null, query: { reviews: 'in-review' }, resultPlanIds: items.map((i) => i.planId) });
      return c.json({ items });
    }),
  );

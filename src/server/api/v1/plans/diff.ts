import { z } from 'zod';
import { diffVersions } from '../../../../plans/versions/diff.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { requirePurpose } from '../../../purpose.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';

// Reading drafts and history returns plan data too: a purpose, and one access event per request.

const diffSchema = z.strictObject({
  planId: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(
    z.strictObject({
      section: z.string(),
      change: z.enum(['added', 'removed', 'changed']),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
  unchanged: z.array(z.string()),
});

const diffQuery = z.strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) });

const doc: OperationDoc = {
  summary: 'Section-by-section changes between two versions',
  tag: 'authoring',
  purpose: 'required',
  ok: { description: 'The changes', schema: diffSchema },
  errors: [400, 403, 404, 503],
};

/** GET /api/v1/plans/:planId/diff?from=&to= — section-by-section changes between two versions. */
export const diffPlanVersions = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'history'), requirePurpose, validate('param', planIdParam), validate('query', diffQuery), async (c) => {
      const { from, to } = c.req.valid('query');
      return c.json(unwrap(await diffVersions(s.db, c.var.actor, c.req.valid('param').planId, from, to)));
    }),
  );

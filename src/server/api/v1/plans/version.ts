import { readVersion } from '../../../../plans/versions/history.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { requirePurpose } from '../../../purpose.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionDetailSchema } from '../../../../plans/versions/history.js';

// Reading drafts and history returns plan data too: a purpose, and one access event per request.

const doc: OperationDoc = {
  summary: 'One version in full (authors and approvers of the owning trust; auditors 403)',
  tag: 'authoring',
  purpose: 'required',
  ok: { description: 'The version', schema: versionDetailSchema },
  errors: [400, 403, 404, 503],
};

/** GET /api/v1/plans/:planId/versions/:version — one version in full, any status (authors, approvers). */
export const getVersion = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'view'), requirePurpose, validate('param', versionParam), async (c) => {
      const { planId, version } = c.req.valid('param');
      c.set('access', { query: { version } });
      const v = unwrap(await readVersion(s.db, c.var.actor, planId, version));
      c.set('access', { query: { version }, versionId: v.versionId });
      return c.json(v);
    }),
  );

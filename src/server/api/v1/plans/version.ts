import { readVersion } from '../../../../plans/versions/history.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { requirePurpose } from '../../../purpose.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';

// Reading drafts and history returns plan data too: a purpose, and one access event per request.

/** GET /api/v1/plans/:planId/versions/:version — one version in full, any status (authors, approvers). */
export const getVersion = (s: AppServices) =>
  api.createHandlers(apiTrail(s, 'view'), requirePurpose, validate('param', versionParam), (c) => {
    const { planId, version } = c.req.valid('param');
    c.set('access', { query: { version } });
    const v = unwrap(readVersion(s.db, c.var.actor, planId, version));
    c.set('access', { query: { version }, versionId: v.versionId });
    return c.json(v);
  });

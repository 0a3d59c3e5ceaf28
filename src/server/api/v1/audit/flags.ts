import { flagListSchema, listFlags } from '../../../../plans/access-log/flag-reviews.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { optionalPurpose } from '../../../purpose.js';
import { validate } from '../../../validate.js';
import { api } from '../../factory.js';

/** GET /api/v1/audit/flags — unusual access to review, open first (emergency access first), with reviews. */
export const listAuditFlags = (s: AppServices) =>
  api.createHandlers(apiTrail(s, 'audit-read'), optionalPurpose, validate('query', flagListSchema), (c) => {
    const q = c.req.valid('query');
    c.set('access', { planId: null, query: { endpoint: 'flags', ...q } });
    return c.json({ flags: unwrap(listFlags(s.db, c.var.actor, q, s.clock())) });
  });

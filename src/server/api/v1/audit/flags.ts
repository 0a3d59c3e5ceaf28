import { flagListSchema, listFlags } from '../../../../plans/access-log/flag-reviews.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { optionalPurpose } from '../../../purpose.js';
import { validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: 'Unusual access to review, open first (emergency access first)',
  tag: 'audit',
  purpose: 'optional',
  ok: { description: 'The flags', schema: z.strictObject({ flags: z.array(z.looseObject({ id: z.string() })) }) },
  errors: [400, 403, 503],
};

/** GET /api/v1/audit/flags — unusual access to review, open first (emergency access first), with reviews. */
export const listAuditFlags = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'audit-read'), optionalPurpose, validate('query', flagListSchema), async (c) => {
      const q = c.req.valid('query');
      c.set('access', { planId: null, query: { endpoint: 'flags', ...q } });
      return c.json({ flags: unwrap(await listFlags(s.db, c.var.actor, q, s.clock())) });
    }),
  );

import { exportEvents } from '../../../../plans/access-log/csv.js';
import { eventFilterSchema, listEvents } from '../../../../plans/access-log/queries.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { optionalPurpose } from '../../../purpose.js';
import { validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { auditScope, planLookupReady } from './shared.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: "Access events in the auditor's scope, newest first",
  description: '`format=csv` downloads up to 10,000 rows (`X-Next-Cursor` when there are more).',
  tag: 'audit',
  purpose: 'optional',
  ok: {
    description: 'A page of events (or CSV)',
    schema: z.looseObject({ events: z.array(z.looseObject({})) }),
    other: { 'text/csv': { schema: { type: 'string' } } },
  },
  errors: [400, 403, 503],
};

/** GET /api/v1/audit/events — the access log in the auditor's scope, newest first; `format=csv` exports it. */
export const listAuditEvents = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'audit-read'), optionalPurpose, validate('query', eventFilterSchema), async (c) => {
      const filter = c.req.valid('query');
      c.set('access', { planId: filter.planId ?? null, query: { endpoint: 'events', ...filter } });
      const scope = auditScope(c);
      if (filter.planId !== undefined || filter.person !== undefined) await planLookupReady(s);
      if (filter.format !== 'csv') return c.json(await listEvents(s.db, scope, filter));
      const { csv, nextCursor } = await exportEvents(s.db, scope, filter);
      c.header('Content-Disposition', `attachment; filename="access-events-${s.clock().toISOString().slice(0, 10)}.csv"`);
      if (nextCursor !== undefined) c.header('X-Next-Cursor', nextCursor);
      return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8' });
    }),
  );

import { z } from 'zod';
import { accessReport, accessReportText } from '../../../../plans/access-log/report.js';
import { AccessReportPage } from '../../../../ui/pages/access-report.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { optionalPurpose } from '../../../purpose.js';
import { planIdParam, validate } from '../../../validate.js';
import { pageHeaders } from '../../../web/shared.js';
import { api } from '../../factory.js';
import { auditScope, planLookupReady } from '../audit/shared.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';

const reportQuery = z.strictObject({ format: z.enum(['json', 'text', 'html']).default('json') });

const doc: OperationDoc = {
  summary: '"Who looked at your plan", printable for the person',
  tag: 'audit',
  purpose: 'optional',
  ok: {
    description: 'The report (JSON, or `format=text`/`html`)',
    schema: z.looseObject({ planId: z.string() }),
    other: { 'text/plain': { schema: { type: 'string' } }, 'text/html': { schema: { type: 'string' } } },
  },
  errors: [400, 403, 404, 503],
};

/** GET /api/v1/plans/:planId/access-report — "who looked at your plan", for the owning trust's auditors. */
export const getAccessReport = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(
      apiTrail(s, 'audit-read'),
      optionalPurpose,
      validate('param', planIdParam),
      validate('query', reportQuery),
      async (c) => {
        const { planId } = c.req.valid('param');
        const { format } = c.req.valid('query');
        c.set('access', { planId, query: { endpoint: 'access-report', format } });
        auditScope(c); // an auditor at all, before any work is done for them (the report checks the plan's owner)
        await planLookupReady(s);
        const r = unwrap(await accessReport(s.db, c.var.actor, planId, s.accessReportNames ?? 'role-only', s.clock()));
        if (format === 'text') return c.text(accessReportText(r));
        const wantsHtml = format === 'html' || (c.req.query('format') === undefined && c.req.header('accept')?.startsWith('text/html'));
        if (wantsHtml) return c.html(`<!doctype html>${await (<AccessReportPage report={r} />)}`, 200, pageHeaders);
        return c.json(r);
      },
    ),
  );

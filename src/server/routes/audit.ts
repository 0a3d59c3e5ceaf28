import { Hono, type Context } from 'hono';
import { CSV_MAX_ROWS, eventsCsv } from '../../plans/access-log/csv.js';
import { html, raw } from 'hono/html';
import { z } from 'zod';
import { accessReport, accessReportText, type AccessReport } from '../../plans/access-log/report.js';
import { flagListSchema, listFlags } from '../../plans/access-log/flag-reviews.js';
import { eventFilterSchema, listEvents, type EventFilter, type PresentedEvent } from '../../plans/access-log/queries.js';
import { authoriseAudit } from '../../plans/policy.js';
import { auditTrail } from '../access-trail/api.js';
import type { AppEnv, AppServices } from '../context.js';
import { unwrap } from '../errors.js';
import { pageHeaders } from '../web/shared.js';
import { optionalPurpose, requireActor } from '../middleware.js';
import { planIdParam, validate } from '../validate.js';

const reportQuery = z.strictObject({ format: z.enum(['json', 'text', 'html']).default('json') });

/** Printable page for the person: escaped throughout (purposes are free text typed by responders). */
const reportPage = (r: AccessReport) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Who looked at your plan</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}li{margin:.5rem 0}.em{font-weight:bold}@media print{body{margin:0}}</style>
</head><body>
<h1>Who looked at your response plan</h1>
<p>Plan reference ${r.externalRef}. Report produced ${r.generatedAt.slice(0, 10)}.</p>
${raw(r.summary.map((s) => html`<p>${s}</p>`).join(''))}
<ol>${raw(r.accesses.map((a) => html`<li class="${a.emergency ? 'em' : ''}">${a.sentence}</li>`).join(''))}</ol>
</body></html>`;

/**
 * The auditor's API. Every read of the log is itself an access event (action `audit-read`).
 * `events` and `flags` mount at /api/v1/audit; `report` at /api/v1/plans (…/:planId/access-report).
 */
export function auditRoutes(services: AppServices) {
  const { db } = services;
  const scopeOf = (c: { var: AppEnv['Variables'] }) => unwrap(authoriseAudit(c.var.actor)).scope;
  // Queries by plan read the per-plan lookup: have the writer thread bring it up to date first, so this
  // event loop stays free for responders. The query still catches up itself (a few events, or all of
  // them should the writer be unable), so nothing is ever missed.
  const planLookupReady = () => services.accessLog.planLookup().catch(() => undefined);

  // The whole search, newest first, a page at a time up to CSV_MAX_ROWS (the cursor says where it stopped).
  const csvExport = (c: Context<AppEnv>, scope: string, filter: EventFilter) => {
    const events: PresentedEvent[] = [];
    let cursor = filter.cursor;
    do {
      const page = listEvents(db, scope, { ...filter, cursor, limit: 500 });
      events.push(...page.events);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && events.length < CSV_MAX_ROWS);
    c.header('Content-Disposition', `attachment; filename="access-events-${services.clock().toISOString().slice(0, 10)}.csv"`);
    if (cursor !== undefined) c.header('X-Next-Cursor', cursor);
    return c.body(eventsCsv(events.slice(0, CSV_MAX_ROWS)), 200, { 'content-type': 'text/csv; charset=utf-8' });
  };

  const log = new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/events', auditTrail(services, 'audit-read'), optionalPurpose, validate('query', eventFilterSchema), async (c) => {
      const filter = c.req.valid('query');
      c.set('audit', { planId: filter.planId ?? null, query: { endpoint: 'events', ...filter } });
      const scope = scopeOf(c);
      if (filter.planId !== undefined || filter.person !== undefined) await planLookupReady();
      if (filter.format === 'csv') return csvExport(c, scope, filter);
      return c.json(listEvents(db, scope, filter));
    })
    .get('/flags', auditTrail(services, 'audit-read'), optionalPurpose, validate('query', flagListSchema), (c) => {
      const q = c.req.valid('query');
      c.set('audit', { planId: null, query: { endpoint: 'flags', ...q } });
      return c.json({ flags: unwrap(listFlags(db, c.var.actor, q, services.clock())) });
    });

  const report = new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/:planId/access-report', auditTrail(services, 'audit-read'), optionalPurpose, validate('param', planIdParam), validate('query', reportQuery), async (c) => {
      const { planId } = c.req.valid('param');
      const { format } = c.req.valid('query');
      c.set('audit', { planId, query: { endpoint: 'access-report', format } });
      scopeOf(c); // an auditor at all, before any work is done for them (the report checks the plan's owner)
      await planLookupReady();
      const r = unwrap(accessReport(db, c.var.actor, planId, services.accessReportNames ?? 'role-only', services.clock()));
      if (format === 'text') return c.text(accessReportText(r));
      if (format === 'html' || (c.req.query('format') === undefined && c.req.header('accept')?.startsWith('text/html'))) return c.html(reportPage(r), 200, pageHeaders);
      return c.json(r);
    });

  return { log, report };
}

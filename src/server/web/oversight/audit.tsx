import { Hono, type Context } from 'hono';
import { collectEvents, peopleOf, versionNumbers } from '../../../plans/access-log/console.js';
import { CSV_MAX_ROWS, eventsCsv } from '../../../plans/access-log/csv.js';
import { eventFilterSchema, listEvents } from '../../../plans/access-log/queries.js';
import { listOrganisationsView } from '../../../plans/governance/governance.js';
import { authoriseAudit } from '../../../plans/policy.js';
// The page shows London time, so its days are London days (the API's stay UTC).
import { localDayEnd, localDayStart } from '../../../plans/core/local-time.js';
import type { FieldError } from '../../../ui/components/forms.js';
import { AuditPage, type AuditForm } from '../../../ui/pages/oversight/audit.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page, requireSignedIn, whoOf } from '../shared.js';
import { dateValue, isoFromDate, issuesToErrors, text } from './form-input.js';
import { auditorsOnly, webAuditTrail } from './guards.js';

/**
 * `/audit`: the auditor console, the same query as GET /api/v1/audit/events. Auditors see which
 * individual did what (they follow it up with that person's organisation); the person's own report
 * names only organisation and role unless ACCESS_REPORT_NAMES says otherwise.
 */
const PAGE_SIZE = 25;
const textFields = ['planId', 'person', 'actor', 'org', 'purpose', 'outcome', 'channel', 'action'] as const;
const labels: Record<string, string> = {
  planId: 'Plan ID',
  person: "Person's name or plan reference",
  actor: 'Who',
  org: 'Their organisation',
  purpose: 'Reason given',
  outcome: 'Outcome',
  channel: 'How',
  action: 'What they did',
  'from-day': 'From',
  'to-day': 'To',
  cursor: 'Page',
};

function readForm(c: Context): AuditForm {
  const get = (n: string) => text(c.req.query(n)).slice(0, 200);
  return {
    ...(Object.fromEntries(textFields.map((f) => [f, get(f)])) as Record<(typeof textFields)[number], string>),
    from: dateValue(get, 'from'),
    to: dateValue(get, 'to'),
  };
}

/** The form → the API's filter, or the errors to show against its fields. */
function filterOf(c: Context, form: AuditForm) {
  const errors: FieldError[] = [];
  const from = isoFromDate(form.from, 'from', 'From');
  const to = isoFromDate(form.to, 'to', 'To');
  for (const e of [from.error, to.error]) if (e) errors.push(e);
  if (from.day && to.day && from.day > to.day) errors.push({ field: 'to-day', message: 'To must be the same as or after From' });
  const raw = Object.fromEntries(textFields.filter((f) => form[f] !== '').map((f) => [f, form[f]]));
  const cursor = c.req.query('cursor');
  const parsed = eventFilterSchema.safeParse({
    ...raw,
    ...(from.day ? { from: localDayStart(from.day) } : {}),
    ...(to.day ? { to: localDayEnd(to.day) } : {}),
    ...(cursor ? { cursor } : {}),
    limit: PAGE_SIZE,
  });
  if (!parsed.success)
    errors.push(
      ...issuesToErrors(
        parsed.error.issues,
        (p) => (p === 'from' || p === 'to' ? `${p}-day` : p),
        (f) => labels[f] ?? f,
      ),
    );
  return errors.length || !parsed.success ? { errors } : { errors, filter: parsed.data };
}

const submitted = (c: Context) => Object.keys(c.req.query()).length > 0;

export function auditConsoleRoutes(services: AppServices) {
  const { db } = services;
  const orgs = async () => (await listOrganisationsView(db)).map((o) => ({ slug: o.slug, name: o.name }));
  const scopeOf = (c: Context<WebEnv>) => (authoriseAudit(c.var.actor!) as { ok: true; value: { scope: string } }).value.scope;
  const queryString = (c: Context) => new URL(c.req.url).search.slice(1);

  return new Hono<WebEnv>()
    .use('/audit', requireSignedIn, webAuditTrail(services), auditorsOnly('events'))
    .use('/audit/events.csv', requireSignedIn, webAuditTrail(services), auditorsOnly('events-csv'))
    .get('/audit', async (c) => {
      const form = readForm(c);
      const base = { form, orgs: await orgs(), query: queryString(c), who: whoOf(c) };
      // The bare form shows no events, so it is no access; a search of the log is.
      if (!submitted(c)) return page(c, <AuditPage {...base} errors={[]} nextCursor={null} paged={false} />);
      const { errors, filter } = filterOf(c, form);
      c.set('access', { planId: filter?.planId ?? null, query: { page: 'events', ...(filter ?? { invalid: true }) } });
      if (!filter) return page(c, <AuditPage {...base} errors={errors} nextCursor={null} paged={false} />, 400);
      if (filter.planId !== undefined || filter.person !== undefined) await services.accessLog.planLookup().catch(() => undefined);
      const scope = scopeOf(c);
      const result = await listEvents(db, scope, filter);
      const people = await peopleOf(
        db,
        scope,
        result.events.flatMap((e) => [...(e.planId ? [e.planId] : []), ...(e.resultPlanIds ?? [])]),
      );
      const versions = await versionNumbers(
        db,
        result.events.map((e) => e.versionId),
      );
      const rows = result.events.map((event) => ({ event, people, versions }));
      return page(c, <AuditPage {...base} errors={[]} rows={rows} nextCursor={result.nextCursor} paged={filter.cursor !== undefined} />);
    })
    .get('/audit/events.csv', async (c) => {
      const { errors, filter } = filterOf(c, readForm(c));
      c.set('access', { planId: filter?.planId ?? null, query: { page: 'events', format: 'csv', ...(filter ?? { invalid: true }) } });
      if (!filter) return c.text(errors.map((e) => e.message).join('\n'), 400, { 'Cache-Control': 'no-store' });
      if (filter.planId !== undefined || filter.person !== undefined) await services.accessLog.planLookup().catch(() => undefined);
      const { events, nextCursor } = await collectEvents(db, scopeOf(c), { ...filter, cursor: undefined }, CSV_MAX_ROWS);
      const headers: Record<string, string> = {
        'content-type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="access-events-${services.clock().toISOString().slice(0, 10)}.csv"`,
        'Cache-Control': 'no-store',
      };
      if (nextCursor) headers['X-Next-Cursor'] = nextCursor;
      return c.body(
        eventsCsv(
          events,
          await versionNumbers(
            db,
            events.map((e) => e.versionId),
          ),
        ),
        200,
        headers,
      );
    });
}

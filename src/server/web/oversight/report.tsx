import { Hono, type Context } from 'hono';
import { accessReportPdf } from '../../../plans/access-log/report-pdf.js';
import { accessReport, reportKinds, type ReportKind } from '../../../plans/access-log/report.js';
import { getOrganisation } from '../../../plans/organisations.js';
import type { FieldError } from '../../../ui/components/forms.js';
import { OversightRefusedPage } from '../../../ui/pages/oversight/common.js';
import { ReportPage } from '../../../ui/pages/oversight/report.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page, requireSignedIn, whoOf } from '../shared.js';
import { dateValue, isoFromDate, pageWith, text } from './form-input.js';
import { auditorsOnly, webAuditTrail } from './guards.js';

/** `/audit/plans/:planId/report` (page) and `…/report.pdf`: the person's access report for a chosen period. */
export function reportPageRoutes(services: AppServices) {
  const { db } = services;

  function periodOf(c: Context) {
    const get = (n: string) => text(c.req.query(n));
    const from = dateValue(get, 'from');
    const to = dateValue(get, 'to');
    const f = isoFromDate(from, 'from', 'Report from');
    const t = isoFromDate(to, 'to', 'Report to');
    const errors: FieldError[] = [f.error, t.error].filter((e): e is FieldError => !!e);
    if (f.day && t.day && f.day > t.day) errors.push({ field: 'to-day', message: 'Report to must be the same as or after Report from' });
    const show = get('show');
    if (show && !(reportKinds as readonly string[]).includes(show))
      errors.push({ field: 'show', message: 'Show: choose everything, looks by responders, care team work or refused attempts' });
    const kinds: readonly ReportKind[] = show && !errors.some((e) => e.field === 'show') ? [show as ReportKind] : reportKinds;
    return { from, to, show, errors, kinds, period: { from: f.day ?? null, to: t.day ?? null } };
  }

  /** The report, or the page that says why not (a refusal is logged by the trail as denied). */
  async function build(c: Context<WebEnv>) {
    const planId = c.req.param('planId') ?? '';
    const p = periodOf(c);
    c.set('access', {
      planId: /^[A-Za-z0-9_-]{16}$/.test(planId) ? planId : null,
      query: { page: 'access-report', ...p.period, ...(p.show ? { show: p.show } : {}) },
    });
    if (p.errors.length)
      return { p, planId, refused: await pageWith(c, <ReportPage who={whoOf(c)} planId={planId} {...p} query="" />, 400) };
    await services.accessLog.planLookup().catch(() => undefined);
    const r = await accessReport(db, c.var.actor!, planId, services.accessReportNames ?? 'role-only', services.clock(), p.period, p.kinds);
    if (!r.ok) {
      const status = r.code === 'not_found' ? 404 : 403;
      const title = r.code === 'not_found' ? 'Plan not found' : 'Not available to you';
      return { p, planId, refused: await page(c, <OversightRefusedPage who={whoOf(c)} title={title} detail={r.detail} />, status) };
    }
    const org = await getOrganisation(db, r.value.owningOrg);
    // Where the person writes about their data: never the organisation's crisis or team contact.
    return {
      p,
      planId,
      report: r.value,
      owner: { name: org?.name ?? r.value.owningOrg, dataProtection: org?.dataProtectionContact ?? null },
    };
  }

  const guard = [requireSignedIn, webAuditTrail(services), auditorsOnly('access-report')] as const;
  return new Hono<WebEnv>()
    .get('/audit/plans/:planId/report', ...guard, async (c) => {
      const b = await build(c);
      if (b.refused) return b.refused;
      const query = new URL(c.req.url).search.slice(1);
      return page(c, <ReportPage who={whoOf(c)} planId={b.planId} report={b.report} owner={b.owner} {...b.p} query={query} />);
    })
    .get('/audit/plans/:planId/report.pdf', ...guard, async (c) => {
      const b = await build(c);
      if (b.refused) return b.refused;
      const pdf = await accessReportPdf(b.report!, b.owner!);
      return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'Content-Disposition': `attachment; filename="access-report-${b.report!.externalRef.replace(/[^A-Za-z0-9-]/g, '_')}.pdf"`,
        'Cache-Control': 'no-store',
      });
    });
}

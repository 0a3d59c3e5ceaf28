import type { AccessReport } from '../../../plans/access-log/report.js';
import { Layout } from '../../layout.js';
import { DateFields, ErrorSummary, shortDate, type DateValue, type FieldError, type Who } from '../../components/forms.js';
import { AuditNav } from './common.js';

/** The person's access report: plain language, printable on A4 (the print sheet hides the form). */
export function ReportPage(props: {
  who: Who;
  planId: string;
  report?: AccessReport;
  owner?: { name: string; contact: string | null };
  from: DateValue;
  to: DateValue;
  errors: FieldError[];
  query: string;
}) {
  const r = props.report;
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}Who looked at your plan`} signedInAs={props.who}>
      <div class="noprint">
        <AuditNav />
      </div>
      <h1>Who looked at your response plan</h1>
      <ErrorSummary errors={props.errors} />
      <form method="get" action={`/audit/plans/${props.planId}/report`} class="noprint">
        <DateFields id="from" legend="Report from" hint="Leave empty for the start of the record. For example, 1 1 2026" value={props.from} errors={props.errors} />
        <DateFields id="to" legend="Report to (including that day)" hint="Leave empty for today. For example, 31 12 2026" value={props.to} errors={props.errors} />
        <button type="submit" class="inline">
          Show this period
        </button>
      </form>
      {r ? (
        <>
          <p class="actions noprint">
            <a href={`/audit/plans/${props.planId}/report.pdf${props.query ? `?${props.query}` : ''}`} download>
              Download as PDF (A4, to print or post)
            </a>
          </p>
          <p>
            Plan reference {r.externalRef}. Kept by {props.owner?.name ?? r.owningOrg}. Report produced on {shortDate(r.generatedAt)}.
          </p>
          {r.summary.map((s) => (
            <p>{s}</p>
          ))}
          <h2>{r.accesses.length ? 'Each time your plan was looked at' : 'No one looked at your plan in this period'}</h2>
          <ol>
            {r.accesses.map((a) => (
              <li>{a.emergency ? <strong>Emergency access. {a.sentence}</strong> : a.sentence}</li>
            ))}
          </ol>
          <p>
            If you have questions about this report, or think someone looked at your plan without a good reason, contact{' '}
            {props.owner?.name ?? r.owningOrg}
            {props.owner?.contact ? ` (${props.owner.contact})` : ''}.
          </p>
        </>
      ) : null}
    </Layout>
  );
}

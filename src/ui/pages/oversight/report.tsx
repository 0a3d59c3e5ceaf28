import { questionsWords, type AccessReport, type ReportOwner } from '../../../plans/access-log/report.js';
import { Layout } from '../../layout.js';
import { DateFields, ErrorSummary, Select, shortDate, type DateValue, type FieldError, type Who } from '../../components/forms.js';
import { AuditNav } from './common.js';

const showOptions = [
  ['', 'Everything'],
  ['responders', 'Looks by responders'],
  ['care-team', 'Care team work'],
  ['refused', 'Refused attempts'],
] as const;

/** The person's access report: plain language, printable on A4 (the print sheet hides the form). */
export function ReportPage(props: {
  who: Who;
  planId: string;
  report?: AccessReport;
  owner?: ReportOwner;
  from: DateValue;
  to: DateValue;
  show?: string;
  errors: FieldError[];
  query: string;
}) {
  const r = props.report;
  const owner: ReportOwner = props.owner ?? { name: r?.owningOrg ?? '', dataProtection: null };
  const responders = r?.accesses.filter((a) => a.kind === 'responders') ?? [];
  const care = r?.accesses.filter((a) => a.kind === 'care-team') ?? [];
  const shows = (k: string) => r?.kinds.includes(k as AccessReport['kinds'][number]);
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}Who looked at your plan`} signedInAs={props.who}>
      <div class="noprint">
        <AuditNav />
      </div>
      <h1>Who looked at your response plan</h1>
      <ErrorSummary errors={props.errors} />
      <form method="get" action={`/audit/plans/${props.planId}/report`} class="noprint">
        <DateFields
          id="from"
          legend="Report from"
          hint="Leave empty for the start of the record. For example, 1 1 2026"
          value={props.from}
          errors={props.errors}
        />
        <DateFields
          id="to"
          legend="Report to (including that day)"
          hint="Leave empty for today. For example, 31 12 2026"
          value={props.to}
          errors={props.errors}
        />
        <Select id="show" label="Show" value={props.show ?? ''} options={showOptions} errors={props.errors} />
        <button type="submit" class="inline">
          Show this report
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
            {r.subject ? `For ${r.subject.name}. ` : ''}Plan reference {r.externalRef}. Kept by {owner.name}. Report produced on{' '}
            {shortDate(r.generatedAt)}. Times are London time (GMT, or BST in summer).
          </p>
          {r.summary.map((s) => (
            <p>{s}</p>
          ))}
          {shows('responders') ? (
            <>
              <h2>
                {responders.length
                  ? 'Each time someone outside your care team looked at your plan'
                  : 'No one outside your care team looked at your plan in this period'}
              </h2>
              {responders.length ? (
                <ol>
                  {responders.map((a) => (
                    <li>{a.emergency ? <strong>Emergency access. {a.sentence}</strong> : a.sentence}</li>
                  ))}
                </ol>
              ) : null}
            </>
          ) : null}
          {shows('refused') ? (
            <>
              <h2>{r.refused.length ? 'Attempts that were refused' : 'No attempts were refused in this period'}</h2>
              {r.refused.length ? (
                <ol>
                  {r.refused.map((a) => (
                    <li>{a.sentence}</li>
                  ))}
                </ol>
              ) : null}
            </>
          ) : null}
          {shows('care-team') && care.length ? (
            <>
              <h2>Your care team's work on your plan</h2>
              <ol>
                {care.map((a) => (
                  <li>{a.sentence}</li>
                ))}
              </ol>
            </>
          ) : null}
          <p>{questionsWords(owner)}</p>
        </>
      ) : null}
    </Layout>
  );
}

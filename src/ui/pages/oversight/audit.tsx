import type { PresentedEvent } from '../../../plans/access-log/queries.js';
import type { PersonRef } from '../../../plans/access-log/console.js';
import { Layout } from '../../layout.js';
import {
  DateFields,
  ErrorSummary,
  Select,
  TextField,
  dateTime,
  type DateValue,
  type FieldError,
  type Who,
} from '../../components/forms.js';
import { AuditNav } from './common.js';

export type AuditForm = Record<'planId' | 'person' | 'actor' | 'org' | 'purpose' | 'outcome' | 'channel' | 'action', string> & {
  from: DateValue;
  to: DateValue;
};

const any = ['', 'Any'] as const;
const outcomes = [any, ['allowed', 'Allowed'], ['denied', 'Refused'], ['emergency', 'Emergency access']] as const;
const channels = [
  any,
  ['web', 'Web page'],
  ['api', 'Connected system (API)'],
  ['qr', 'Plan card (QR or code)'],
  ['cli', 'Command line'],
] as const;
const actions = [
  any,
  ['view', 'Opened a plan'],
  ['search', 'Searched'],
  ['qr-scan', 'Scanned a card'],
  ['history', 'Read plan history'],
  ['audit-read', 'Read the access log'],
  ['sign-in', 'Signed in'],
  ['sign-out', 'Signed out'],
  ['governance', 'Changed the register'],
  ['flag-review', 'Reviewed a flag'],
] as const;

const actionWords = Object.fromEntries(actions.filter(([v]) => v));
const channelWords = Object.fromEntries(channels.filter(([v]) => v));
const outcomeWords: Record<string, string> = { allowed: 'Allowed', denied: 'Refused', emergency: 'Emergency' };

export type AuditRow = { event: PresentedEvent; people: Map<string, PersonRef>; versions: ReadonlyMap<number, number> };

/** One of this organisation's people: their events, and the report that can be given to them. */
function PersonLinks({ p }: { p: PersonRef }) {
  return (
    <>
      <a href={`/audit?planId=${p.planId}`}>{p.name ?? 'unnamed'}</a> ({p.externalRef}) ·{' '}
      <a href={`/audit/plans/${p.planId}/report`}>
        report<span class="vh"> for {p.name ?? p.externalRef}</span>
      </a>
    </>
  );
}

function What({ event: e, people, versions }: AuditRow) {
  if (e.action === 'search') {
    const found = e.resultPlanIds ?? [];
    const named = found.map((id) => people.get(id)).filter((p): p is PersonRef => !!p);
    const others = found.length - named.length;
    return (
      <>
        Search: surfaced {found.length} {found.length === 1 ? 'person' : 'people'}
        {named.length ? (
          <ul>
            {named.map((p) => (
              <li>
                <PersonLinks p={p} />
              </li>
            ))}
          </ul>
        ) : null}
        {others ? <p class="meta">{others} of other organisations, not named here</p> : null}
      </>
    );
  }
  if (e.planId) {
    const p = people.get(e.planId);
    const version = e.versionId === null ? undefined : versions.get(e.versionId);
    return (
      <>
        {actionWords[e.action] ?? e.action}: {p ? <PersonLinks p={p} /> : <a href={`/audit?planId=${e.planId}`}>{`plan ${e.planId}`}</a>}
        {version ? `, version ${version}` : ''}
      </>
    );
  }
  const q = e.query as { op?: string; target?: string } | null;
  if (e.action === 'governance' && q?.op) return <>{`${q.op} ${q.target ?? ''}`}</>;
  return <>{actionWords[e.action] ?? e.action}</>;
}

export function AuditPage(props: {
  who: Who;
  form: AuditForm;
  errors: FieldError[];
  orgs: { slug: string; name: string }[];
  rows?: AuditRow[];
  query: string;
  nextCursor: string | null;
  paged: boolean;
}) {
  const f = props.form;
  const qs = props.query ? `?${props.query}` : '';
  return (
    <Layout title={props.errors.length ? 'Error: Access log' : 'Access log'} signedInAs={props.who} wide>
      <AuditNav />
      <h1>Access log</h1>
      <p>Every look at a plan, search, refusal and change is recorded here, newest first. Times are London time (GMT or BST, as shown).</p>
      <ErrorSummary errors={props.errors} />
      <form method="get" action="/audit" class="noprint">
        <div class="filters">
          <TextField id="person" label="Person's name or plan reference" value={f.person} errors={props.errors} />
          <TextField id="purpose" label="Reason given contains" value={f.purpose} errors={props.errors} />
          <TextField id="actor" label="Who (user id)" value={f.actor} errors={props.errors} />
          <Select
            id="org"
            label="Their organisation"
            value={f.org}
            options={[any, ...props.orgs.map((o) => [o.slug, o.name] as const)]}
            errors={props.errors}
          />
          <Select id="action" label="What they did" value={f.action} options={actions} errors={props.errors} />
          <Select id="outcome" label="Outcome" value={f.outcome} options={outcomes} errors={props.errors} />
          <Select id="channel" label="How" value={f.channel} options={channels} errors={props.errors} />
          <TextField id="planId" label="Plan ID" hint="16 characters, from a link below" value={f.planId} errors={props.errors} />
        </div>
        <div class="filters">
          <DateFields id="from" legend="From" hint="For example, 1 3 2026" value={f.from} errors={props.errors} />
          <DateFields id="to" legend="To (including that day)" hint="For example, 31 3 2026" value={f.to} errors={props.errors} />
        </div>
        <button type="submit" class="inline">
          Search the log
        </button>
      </form>
      {props.rows ? (
        <>
          <div class="actions">
            <a href={`/audit/events.csv${qs}`} download>
              Download CSV (these filters, up to 10,000 events)
            </a>
            {props.paged ? <a href={`/audit${qs}`}>Back to the newest events</a> : null}
          </div>
          {props.rows.length ? (
            <table>
              <caption>
                {props.rows.length} events{props.paged ? ' (an earlier page)' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Why</th>
                  <th scope="col">How</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((r) => (
                  <tr>
                    <td>{dateTime(r.event.at)}</td>
                    <td>
                      {r.event.actor ? (
                        <>
                          {r.event.actor.sub}
                          <br />
                          <span class="meta">
                            {r.event.actor.org} · {r.event.actor.roles.join(', ')}
                          </span>
                        </>
                      ) : (
                        'not signed in'
                      )}
                    </td>
                    <td>{r.event.purpose ?? <span class="meta">none given</span>}</td>
                    <td>{channelWords[r.event.channel] ?? r.event.channel}</td>
                    <td>
                      <span class="tag">{outcomeWords[r.event.outcome] ?? r.event.outcome}</span>
                      {r.event.reason ? <p class="meta">{r.event.reason}</p> : null}
                    </td>
                    <td>
                      <What {...r} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No events match these filters.</p>
          )}
          {props.nextCursor ? (
            <p>
              <a
                href={`/audit?${[props.query.replace(/(^|&)cursor=\d+/, ''), `cursor=${props.nextCursor}`].filter(Boolean).join('&').replace(/^&/, '')}`}
              >
                Older events
              </a>
            </p>
          ) : null}
        </>
      ) : null}
    </Layout>
  );
}

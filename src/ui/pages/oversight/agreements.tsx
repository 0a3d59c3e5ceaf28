import type { AgreementView, OrganisationView, sharingMatrix } from '../../../plans/governance/governance.js';
import type { ProposalView } from '../../../plans/governance/agreements.js';
import { Layout } from '../../layout.js';
import {
  Banner,
  DateFields,
  ErrorSummary,
  FieldMessage,
  TextArea,
  TextField,
  dateTime,
  shortDate,
  type DateValue,
  type FieldError,
  type Who,
} from '../../components/forms.js';
import { AdminNav } from './common.js';

const stateWords: Record<string, string> = { 'in-force': 'In force', expired: 'Expired', ended: 'Ended early', future: 'Not yet started' };

export function AgreementsPage(props: {
  who: Who;
  agreements: AgreementView[];
  proposals: ProposalView[];
  names: Map<string, string>;
  notice?: string;
  state?: string;
}) {
  return (
    <Layout title="Data-sharing agreements" signedInAs={props.who} wide>
      <AdminNav />
      <h1>Data-sharing agreements</h1>
      <Banner text={props.notice} />
      <p class="actions">
        <a href="/admin/agreements/new">Propose an agreement</a>
        <span>
          Show: <a href="/admin/agreements">all</a> · <a href="/admin/agreements?state=in-force">in force</a> ·{' '}
          <a href="/admin/agreements?state=ended">ended early</a> · <a href="/admin/agreements?state=expired">expired</a>
        </span>
      </p>
      <ProposalsTable caption="Proposals waiting for acceptance" proposals={props.proposals} names={props.names} />
      <table>
        <caption>{props.state ? `${stateWords[props.state]} agreements` : 'All agreements'}</caption>
        <thead>
          <tr>
            <th scope="col">Reference</th>
            <th scope="col">Parties</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.agreements.map((a) => (
            <tr>
              <th scope="row">
                <a href={`/admin/agreements/${encodeURIComponent(a.reference)}`}>{a.reference}</a>
              </th>
              <td>{a.parties.map((p) => props.names.get(p) ?? p).join(', ')}</td>
              <td>{shortDate(a.validFrom)}</td>
              <td>{shortDate(a.validTo)}</td>
              <td>
                <span class="tag">{stateWords[a.state]}</span>
                {a.endedAt ? <p class="meta">{`${shortDate(a.endedAt)}: ${a.endReason ?? ''}`}</p> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export type NewAgreementForm = { reference: string; parties: string[]; from: DateValue; to: DateValue };

export function NewAgreementPage(props: { who: Who; form: NewAgreementForm; organisations: OrganisationView[]; errors: FieldError[] }) {
  const f = props.form;
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}Propose a data-sharing agreement`} signedInAs={props.who}>
      <p>
        <a href="/admin/agreements">Back to agreements</a>
      </p>
      <h1>Propose a data-sharing agreement</h1>
      <ErrorSummary errors={props.errors} />
      <p>
        Your organisation's acceptance is recorded with the proposal. It comes into force only when every other party's administrator has
        accepted it too.
      </p>
      <form method="post" action="/admin/agreements">
        <TextField
          id="reference"
          label="Agreement reference"
          hint="As written on the signed agreement, for example DSA-2026-014"
          value={f.reference}
          errors={props.errors}
        />
        <fieldset>
          <legend>Parties</legend>
          <p class="hint">Choose every organisation that is to share plans under it, including your own</p>
          <FieldMessage errors={props.errors} field="party" />
          {props.organisations
            .filter((o) => o.state === 'active')
            .map((o, i) => (
              <div class="choice">
                <input
                  type="checkbox"
                  id={i === 0 ? 'party' : `party-${o.slug}`}
                  name="parties"
                  value={o.slug}
                  checked={f.parties.includes(o.slug)}
                />
                <label for={i === 0 ? 'party' : `party-${o.slug}`}>{o.name}</label>
              </div>
            ))}
        </fieldset>
        <DateFields id="from" legend="Starts on" hint="For example, 1 4 2026" value={f.from} errors={props.errors} />
        <DateFields id="to" legend="Ends on (including that day)" hint="For example, 31 3 2027" value={f.to} errors={props.errors} />
        <button type="submit">Propose agreement</button>
      </form>
    </Layout>
  );
}

export type ChangeForm = { from: DateValue; to: DateValue; add: string[]; reason: string };

const partyNames = (parties: string[], names: Map<string, string>) => parties.map((p) => names.get(p) ?? p).join(', ');
const answerWords = { accepted: 'Accepted', declined: 'Declined' } as const;
const proposalWords: Record<ProposalView['state'], string> = {
  pending: 'Waiting for acceptance',
  accepted: 'Accepted by every party',
  declined: 'Declined',
  lapsed: 'Lapsed',
};

export function AgreementPage(props: {
  who: Who;
  agreement: AgreementView;
  acceptances: ProposalView['decisions'];
  pending?: ProposalView;
  others: OrganisationView[];
  /** The policy's answer: only a party's administrator may propose a change or end it. */
  mayChange: boolean;
  names: Map<string, string>;
  form: ChangeForm;
  errors: FieldError[];
  notice?: string;
}) {
  const a = props.agreement;
  const ref = encodeURIComponent(a.reference);
  const f = props.form;
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}Agreement ${a.reference}`} signedInAs={props.who}>
      <AdminNav />
      <h1>Agreement {a.reference}</h1>
      <Banner text={props.notice} />
      <ErrorSummary errors={props.errors} />
      <dl>
        <dt>State</dt>
        <dd>
          <span class="tag">{stateWords[a.state]}</span>
        </dd>
        <dt>Parties</dt>
        <dd>{partyNames(a.parties, props.names)}</dd>
        <dt>Dates</dt>
        <dd>
          {shortDate(a.validFrom)} to {shortDate(a.validTo)}
        </dd>
        <dt>Accepted by</dt>
        <dd>
          {props.acceptances.length
            ? props.acceptances.map((d) => (
                <>
                  {props.names.get(d.org) ?? d.org} (
                  {d.via === 'migration' || d.via === 'seed' ? 'recorded before proposals' : `${d.by}, ${dateTime(d.at)}`})
                  <br />
                </>
              ))
            : 'Not recorded'}
        </dd>
        {a.endedAt ? (
          <>
            <dt>Ended early</dt>
            <dd>
              {shortDate(a.endedAt)}: {a.endReason}
            </dd>
          </>
        ) : null}
      </dl>
      {props.pending ? (
        <p class="notice">
          A change is waiting for acceptance: <a href={`/admin/agreements/proposals/${props.pending.id}`}>see the proposed change</a>. Until
          every party accepts it, the agreement stays as above.
        </p>
      ) : !props.mayChange ? (
        <p>Only the administrators of its parties can propose changes to this agreement or end it.</p>
      ) : a.state !== 'ended' ? (
        <form method="post" action={`/admin/agreements/${ref}/changes`}>
          <h2>Propose a change</h2>
          <p>Every party, including any you add, must accept the change before it applies. Until then the agreement stays as it is.</p>
          <DateFields
            id="to"
            legend="New end date (optional)"
            hint={`Now ${shortDate(a.validTo)}; for example 31 3 2028`}
            value={f.to}
            errors={props.errors}
          />
          <DateFields
            id="from"
            legend="New start date (optional)"
            hint={`Now ${shortDate(a.validFrom)}; for example 1 4 2026`}
            value={f.from}
            errors={props.errors}
          />
          {props.others.length ? (
            <fieldset>
              <legend>Add parties (optional)</legend>
              <FieldMessage errors={props.errors} field="add" />
              {props.others.map((o, i) => (
                <div class="choice">
                  <input
                    type="checkbox"
                    id={i === 0 ? 'add' : `add-${o.slug}`}
                    name="add"
                    value={o.slug}
                    checked={f.add.includes(o.slug)}
                  />
                  <label for={i === 0 ? 'add' : `add-${o.slug}`}>{o.name}</label>
                </div>
              ))}
            </fieldset>
          ) : null}
          <TextArea
            id="reason"
            label="Why is it changing?"
            hint="The other parties see this with the proposal"
            value={f.reason}
            errors={props.errors}
          />
          <button type="submit">Propose change</button>
        </form>
      ) : null}
      {props.mayChange && (a.state === 'in-force' || a.state === 'future') ? (
        <>
          <h2>End early</h2>
          <p>Any one party may end the agreement at once, without the others' consent.</p>
          <p>
            <a href={`/admin/agreements/${ref}/end`}>End this agreement now</a>
          </p>
        </>
      ) : null}
    </Layout>
  );
}

/** Pending proposals, as a table (empty: a sentence instead). */
export function ProposalsTable(props: { caption: string; proposals: ProposalView[]; names: Map<string, string>; empty?: string }) {
  if (!props.proposals.length) return props.empty ? <p>{props.empty}</p> : null;
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Agreement</th>
          <th scope="col">Proposed</th>
          <th scope="col">Parties</th>
          <th scope="col">Dates</th>
          <th scope="col">Waiting for</th>
        </tr>
      </thead>
      <tbody>
        {props.proposals.map((p) => (
          <tr>
            <th scope="row">
              <a href={`/admin/agreements/proposals/${p.id}`}>
                {p.kind === 'new' ? 'New agreement' : 'Change to'} {p.reference}
              </a>
            </th>
            <td>
              {props.names.get(p.proposedBy.org) ?? 'The service operator'}, {shortDate(p.proposedAt)}
            </td>
            <td>{partyNames(p.parties, props.names)}</td>
            <td>
              {shortDate(p.validFrom)} to {shortDate(p.validTo)}
            </td>
            <td>{partyNames(p.awaiting, props.names)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** On the administrator's home: what waits on their organisation. */
export function WaitingForYou(props: {
  pending: { awaitingYourAcceptance: ProposalView[]; proposedByYou: ProposalView[] };
  names: Map<string, string>;
}) {
  const { awaitingYourAcceptance: mine, proposedByYou: sent } = props.pending;
  return (
    <section aria-labelledby="waiting">
      <h2 id="waiting">Agreements waiting for your organisation</h2>
      <ProposalsTable
        caption="Waiting for your organisation to accept or decline"
        proposals={mine}
        names={props.names}
        empty="Nothing is waiting for your organisation's acceptance."
      />
      <ProposalsTable caption="Proposed by your organisation, waiting for the other parties" proposals={sent} names={props.names} />
    </section>
  );
}

export function ProposalPage(props: {
  who: Who;
  proposal: ProposalView;
  names: Map<string, string>;
  mayAnswer: boolean;
  answerFor: string;
  notice?: string;
}) {
  const p = props.proposal;
  const name = (o: string) => props.names.get(o) ?? o;
  const title = `${p.kind === 'new' ? 'Proposed agreement' : 'Proposed change to agreement'} ${p.reference}`;
  return (
    <Layout title={title} signedInAs={props.who}>
      <AdminNav />
      <h1>{title}</h1>
      <Banner text={props.notice} />
      <dl>
        <dt>State</dt>
        <dd>
          <span class="tag">{proposalWords[p.state]}</span>
          {p.outcomeNote ? <p class="meta">{`${p.decidedAt ? shortDate(p.decidedAt) : ''}: ${p.outcomeNote}`}</p> : null}
        </dd>
        <dt>Proposed by</dt>
        <dd>
          {p.proposedBy.org.startsWith('(') ? 'The service operator' : name(p.proposedBy.org)} ({p.proposedBy.sub}),{' '}
          {dateTime(p.proposedAt)}
        </dd>
        <dt>Parties</dt>
        <dd>{partyNames(p.parties, props.names)}</dd>
        <dt>Dates</dt>
        <dd>
          {shortDate(p.validFrom)} to {shortDate(p.validTo)}
        </dd>
        {p.current ? (
          <>
            <dt>In force until every party accepts</dt>
            <dd>
              {partyNames(p.current.parties, props.names)}, {shortDate(p.current.validFrom)} to {shortDate(p.current.validTo)} (
              <a href={`/admin/agreements/${encodeURIComponent(p.reference)}`}>the agreement</a>)
            </dd>
          </>
        ) : null}
        {p.reason ? (
          <>
            <dt>Why</dt>
            <dd>{p.reason}</dd>
          </>
        ) : null}
      </dl>
      <table>
        <caption>Each party's answer</caption>
        <thead>
          <tr>
            <th scope="col">Party</th>
            <th scope="col">Answer</th>
            <th scope="col">By</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {p.parties.map((o) => {
            const d = p.decisions.find((x) => x.org === o);
            return (
              <tr>
                <th scope="row">{name(o)}</th>
                <td>
                  <span class="tag">{d ? answerWords[d.decision] : p.state === 'pending' ? 'Not yet answered' : 'No answer'}</span>
                  {d?.note ? <p class="meta">{d.note}</p> : null}
                </td>
                <td>{d?.by ?? ''}</td>
                <td>{d ? dateTime(d.at) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {props.mayAnswer ? (
        <>
          <h2>Your organisation's answer</h2>
          <p>
            Accept only if {name(props.answerFor)} has agreed these terms (for an NHS trust, its Caldicott Guardian or SIRO). Your
            acceptance is recorded in the access log with your name.
          </p>
          <form method="post" action={`/admin/agreements/proposals/${p.id}/accept`}>
            <button type="submit">Accept for {name(props.answerFor)}</button>
          </form>
          <p>
            <a href={`/admin/agreements/proposals/${p.id}/decline`}>Decline this proposal</a>
          </p>
        </>
      ) : null}
    </Layout>
  );
}

export function MatrixPage(props: { who: Who; matrix: Awaited<ReturnType<typeof sharingMatrix>> }) {
  const orgs = props.matrix.organisations;
  return (
    <Layout title="Who can see whose plans" signedInAs={props.who} wide>
      <AdminNav />
      <h1>Who can see whose plans</h1>
      <p>
        Today ({shortDate(props.matrix.day)}), through agreements in force. Each row is a reader; each column an organisation whose plans
        they may read.
      </p>
      <table>
        <caption>Reader (row) may see plans of (column)</caption>
        <thead>
          <tr>
            <th scope="col">Reader</th>
            {orgs.map((o) => (
              <th scope="col">{o.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {orgs.map((reader) => (
            <tr>
              <th scope="row">
                {reader.name}
                {reader.state === 'disabled' ? ' (disabled)' : ''}
              </th>
              {orgs.map((owner) => (
                <td>{props.matrix.canSee[reader.slug]?.includes(owner.slug) ? (reader.slug === owner.slug ? 'Own' : 'Yes') : 'No'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

import type { AgreementView, OrganisationView, sharingMatrix } from '../../../plans/governance/governance.js';
import { Layout } from '../../layout.js';
import { Banner, DateFields, ErrorSummary, FieldMessage, TextArea, TextField, shortDate, type DateValue, type FieldError, type Who } from '../../components/forms.js';
import { AdminNav } from './common.js';

const stateWords: Record<string, string> = { 'in-force': 'In force', expired: 'Expired', ended: 'Ended early', future: 'Not yet started' };

export function AgreementsPage(props: { who: Who; agreements: AgreementView[]; names: Map<string, string>; notice?: string; state?: string }) {
  return (
    <Layout title="Data-sharing agreements" signedInAs={props.who} wide>
      <AdminNav />
      <h1>Data-sharing agreements</h1>
      <Banner text={props.notice} />
      <p class="actions">
        <a href="/admin/agreements/new">Add an agreement</a>
        <span>
          Show: <a href="/admin/agreements">all</a> · <a href="/admin/agreements?state=in-force">in force</a> ·{' '}
          <a href="/admin/agreements?state=ended">ended early</a> · <a href="/admin/agreements?state=expired">expired</a>
        </span>
      </p>
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
    <Layout title={`${props.errors.length ? 'Error: ' : ''}Add a data-sharing agreement`} signedInAs={props.who}>
      <p>
        <a href="/admin/agreements">Back to agreements</a>
      </p>
      <h1>Add a data-sharing agreement</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/admin/agreements">
        <TextField id="reference" label="Agreement reference" hint="As written on the signed agreement, for example DSA-2026-014" value={f.reference} errors={props.errors} />
        <fieldset>
          <legend>Parties</legend>
          <p class="hint">Choose every organisation that signed it, including your own</p>
          <FieldMessage errors={props.errors} field="party" />
          {props.organisations
            .filter((o) => o.state === 'active')
            .map((o, i) => (
              <div class="choice">
                <input type="checkbox" id={i === 0 ? 'party' : `party-${o.slug}`} name="parties" value={o.slug} checked={f.parties.includes(o.slug)} />
                <label for={i === 0 ? 'party' : `party-${o.slug}`}>{o.name}</label>
              </div>
            ))}
        </fieldset>
        <DateFields id="from" legend="Starts on" hint="For example, 1 4 2026" value={f.from} errors={props.errors} />
        <DateFields id="to" legend="Ends on (including that day)" hint="For example, 31 3 2027" value={f.to} errors={props.errors} />
        <button type="submit">Add agreement</button>
      </form>
    </Layout>
  );
}

export function AgreementPage(props: { who: Who; agreement: AgreementView; names: Map<string, string>; to: DateValue; reason: string; errors: FieldError[]; notice?: string }) {
  const a = props.agreement;
  const ref = encodeURIComponent(a.reference);
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
        <dd>{a.parties.map((p) => props.names.get(p) ?? p).join(', ')}</dd>
        <dt>Dates</dt>
        <dd>
          {shortDate(a.validFrom)} to {shortDate(a.validTo)}
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
      {a.state !== 'ended' ? (
        <form method="post" action={`/admin/agreements/${ref}/extend`}>
          <h2>Extend</h2>
          <DateFields id="to" legend="New end date" hint={`After ${shortDate(a.validTo)}, for example 31 3 2028`} value={props.to} errors={props.errors} />
          <TextArea id="reason" label="Why is it being extended?" value={props.reason} errors={props.errors} />
          <button type="submit">Extend agreement</button>
        </form>
      ) : null}
      {a.state === 'in-force' || a.state === 'future' ? (
        <>
          <h2>End early</h2>
          <p>
            <a href={`/admin/agreements/${ref}/end`}>End this agreement now</a>
          </p>
        </>
      ) : null}
    </Layout>
  );
}

export function MatrixPage(props: { who: Who; matrix: ReturnType<typeof sharingMatrix> }) {
  const orgs = props.matrix.organisations;
  return (
    <Layout title="Who can see whose plans" signedInAs={props.who} wide>
      <AdminNav />
      <h1>Who can see whose plans</h1>
      <p>Today ({shortDate(props.matrix.day)}), through agreements in force. Each row is a reader; each column an organisation whose plans they may read.</p>
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

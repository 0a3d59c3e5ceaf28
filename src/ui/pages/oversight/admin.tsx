import type { OrganisationView } from '../../../plans/governance/governance.js';
import type { governanceOverview } from '../../../plans/governance/summary.js';
import type { OidcConfig } from '../../../plans/oidc-config.js';
import { Layout } from '../../layout.js';
import { WaitingForYou } from './agreements.js';
import { Banner, ErrorSummary, Select, TextArea, TextField, shortDate, type FieldError, type Who } from '../../components/forms.js';
import { AdminNav } from './common.js';

export const kindOptions = [
  ['mental-health', 'Mental-health trust'],
  ['police', 'Police force'],
  ['ambulance', 'Ambulance service'],
  ['emergency-department', 'Emergency department'],
] as const;
const kindWords = Object.fromEntries(kindOptions);

export function AdminHomePage(props: {
  who: Who;
  overview: Awaited<ReturnType<typeof governanceOverview>>;
  waiting: Parameters<typeof WaitingForYou>[0];
}) {
  return (
    <Layout title="Governance overview" signedInAs={props.who} wide>
      <AdminNav />
      <h1>Governance overview</h1>
      <WaitingForYou {...props.waiting} />
      <h2>Organisations</h2>
      <p>For each organisation, today ({shortDate(props.overview.day)}): what needs someone's attention.</p>
      <table>
        <caption>Organisations</caption>
        <thead>
          <tr>
            <th scope="col">Organisation</th>
            <th scope="col">Agreements in force</th>
            <th scope="col">Ending within 30 days</th>
            <th scope="col">Plans past review date</th>
            <th scope="col">Plans without recorded co-production</th>
            <th scope="col">Emergency accesses not reviewed</th>
          </tr>
        </thead>
        <tbody>
          {props.overview.organisations.map((o) => (
            <tr>
              <th scope="row">
                <a href={`/admin/organisations/${o.slug}`}>{o.name}</a>
                {o.state === 'disabled' ? (
                  <>
                    {' '}
                    <span class="tag">Disabled</span>
                  </>
                ) : null}
              </th>
              <td>{o.agreementsInForce.length ? o.agreementsInForce.join(', ') : 'None'}</td>
              <td>
                {o.agreementsExpiringWithin30Days.length
                  ? o.agreementsExpiringWithin30Days.map((a) => (
                      <>
                        <a href={`/admin/agreements/${encodeURIComponent(a.reference)}`}>{a.reference}</a> ({shortDate(a.validTo)}){' '}
                      </>
                    ))
                  : 'None'}
              </td>
              <td>{o.plansPastReviewDate}</td>
              <td>{o.plansWithoutCoProduction}</td>
              <td>{o.unreviewedEmergencyAccesses}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function OrganisationsPage(props: { who: Who; organisations: OrganisationView[]; notice?: string; mayAdd: boolean }) {
  return (
    <Layout title="Organisations" signedInAs={props.who} wide>
      <AdminNav />
      <h1>Organisations</h1>
      <Banner text={props.notice} />
      {props.mayAdd ? (
        <p>
          <a href="/admin/organisations/new">Add an organisation</a>
        </p>
      ) : (
        <p class="hint">New organisations, and their kind, are set by the operator of this service, not from these pages.</p>
      )}
      <table>
        <caption>The register</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Contact</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.organisations.map((o) => (
            <tr>
              <th scope="row">
                <a href={`/admin/organisations/${o.slug}`}>{o.name}</a> <span class="meta">{o.slug}</span>
              </th>
              <td>{kindWords[o.kind]}</td>
              <td>{o.contact ?? 'None recorded'}</td>
              <td>
                <span class="tag">{o.state === 'disabled' ? 'Disabled' : 'Active'}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export type OrgForm = {
  slug: string;
  name: string;
  kind: string;
  contact: string;
  dataProtectionContact: string;
  issuer: string;
  jwks: string;
  orgClaim: string;
  orgCode: string;
  reason: string;
};

export function NewOrganisationPage(props: { who: Who; form: OrgForm; errors: FieldError[] }) {
  const f = props.form;
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}Add an organisation`} signedInAs={props.who}>
      <p>
        <a href="/admin/organisations">Back to organisations</a>
      </p>
      <h1>Add an organisation</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/admin/organisations">
        <TextField
          id="slug"
          label="Short name"
          hint="Lower-case letters, digits and hyphens, for example north-police"
          value={f.slug}
          errors={props.errors}
        />
        <TextField id="name" label="Full name" value={f.name} errors={props.errors} />
        <Select id="kind" label="Kind of organisation" value={f.kind} options={kindOptions} errors={props.errors} />
        <TextField
          id="contact"
          label="Contact (optional)"
          hint="A team phone number or address people can use"
          value={f.contact}
          errors={props.errors}
        />
        <button type="submit">Add organisation</button>
      </form>
    </Layout>
  );
}

export type OidcForm = {
  issuer: string;
  clientId: string;
  rolesClaim: string;
  roleMap: string;
  scopes: string;
  orgClaim: string;
  orgCode: string;
};
/** What the policy lets this administrator do here (policy.ts authoriseOperatorAct): the page offers only that. */
export type OrganisationActs = { changeKind: boolean; enable: boolean };

export function OrganisationPage(props: {
  who: Who;
  org: OrganisationView;
  oidc?: OidcConfig;
  form: OrgForm;
  oidcForm: OidcForm;
  errors: FieldError[];
  notice?: string;
  redirectUri: string;
  may: OrganisationActs;
}) {
  const { org, form: f, oidcForm: o } = props;
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}${org.name}`} signedInAs={props.who}>
      <AdminNav />
      <h1>{org.name}</h1>
      <Banner text={props.notice} />
      <ErrorSummary errors={props.errors} />
      <dl>
        <dt>Short name</dt>
        <dd>{org.slug}</dd>
        <dt>Kind</dt>
        <dd>{kindWords[org.kind]}</dd>
        <dt>State</dt>
        <dd>{org.state === 'disabled' ? `Disabled on ${shortDate(org.disabledAt!)}` : 'Active'}</dd>
        <dt>Web sign-in</dt>
        <dd>{props.oidc ? `${props.oidc.enabled ? 'On' : 'Off'}: ${props.oidc.issuer} (client ${props.oidc.clientId})` : 'Not set up'}</dd>
      </dl>
      <form method="post" action={`/admin/organisations/${org.slug}`}>
        <h2>Change the record</h2>
        <TextField id="name" label="Full name" value={f.name} errors={props.errors} />
        {props.may.changeKind ? (
          <Select id="kind" label="Kind of organisation" value={f.kind} options={kindOptions} errors={props.errors} />
        ) : null}
        <TextField id="contact" label="Contact" hint="Leave empty to remove" value={f.contact} errors={props.errors} />
        <TextField
          id="dataProtectionContact"
          label="Data-protection contact (optional)"
          hint="Where people write about their data, for example the data-protection officer's address or email. Printed on each person's access report"
          value={f.dataProtectionContact}
          errors={props.errors}
        />
        <TextField
          id="issuer"
          label="Token issuer for connected systems (optional)"
          hint="The issuer URL of bearer tokens that speak for this organisation"
          value={f.issuer}
          errors={props.errors}
        />
        <TextField
          id="jwks"
          label="Token signing keys"
          hint={'The https address of your identity provider\'s key set, or the key set itself ({"keys": [...]}, public keys only).'}
          value={f.jwks}
          errors={props.errors}
        />
        <OrgClaimFields ids={['orgClaim', 'orgCode']} values={[f.orgClaim, f.orgCode]} errors={props.errors} />
        <TextArea
          id="reason"
          label="Why are you making this change?"
          hint="Kept in the access log with the change"
          value={f.reason}
          errors={props.errors}
        />
        <button type="submit">Save changes</button>
      </form>
      <form method="post" action={`/admin/organisations/${org.slug}/oidc`}>
        <h2>Sign-in through the organisation's identity provider</h2>
        <p class="hint">Register this redirect address with the provider: {props.redirectUri}</p>
        <TextField
          id="oidc-issuer"
          label="Provider issuer URL"
          hint="https, for example https://idp.example/realms/staff"
          value={o.issuer}
          errors={props.errors}
        />
        <TextField id="oidc-client-id" label="Client ID" value={o.clientId} errors={props.errors} />
        <TextField
          id="oidc-client-secret"
          type="password"
          label="Client secret"
          hint="Kept in a file only the service can read; never shown again. Leave empty to keep the stored one (a new issuer or client ID needs its own)"
          value=""
          errors={props.errors}
          autocomplete="new-password"
        />
        <TextField id="oidc-roles-claim" label="Claim holding the person's roles" value={o.rolesClaim} errors={props.errors} />
        <TextField
          id="oidc-role-map"
          label="Role map (optional)"
          hint="provider-value=role pairs, comma-separated, for example crisis-ig=auditor,crisis-responders=responder"
          value={o.roleMap}
          errors={props.errors}
        />
        <TextField id="oidc-scopes" label="Scopes" value={o.scopes} errors={props.errors} />
        <OrgClaimFields ids={['oidc-org-claim', 'oidc-org-code']} values={[o.orgClaim, o.orgCode]} errors={props.errors} />
        <button type="submit">Save sign-in settings</button>
      </form>
      {props.oidc ? (
        <form method="post" action={`/admin/organisations/${org.slug}/oidc/enabled`}>
          <input type="hidden" name="enabled" value={props.oidc.enabled ? 'off' : 'on'} />
          <button type="submit" class="inline quiet">
            {props.oidc.enabled ? 'Switch web sign-in off' : 'Switch web sign-in on'}
          </button>
        </form>
      ) : null}
      {org.state === 'active' ? (
        <>
          <h2>Disable</h2>
          <p>
            <a href={`/admin/organisations/${org.slug}/disable`}>Disable this organisation</a>
          </p>
        </>
      ) : props.may.enable ? (
        <form method="post" action={`/admin/organisations/${org.slug}/enable`}>
          <h2>Enable again</h2>
          <TextArea id="reason" label="Why?" hint="Kept in the access log with the change" value="" errors={props.errors} />
          <button type="submit">Enable organisation</button>
        </form>
      ) : (
        <p class="hint">Only the operator of this service can enable a disabled organisation again.</p>
      )}
    </Layout>
  );
}

/** A provider serving several organisations (NHS CIS2, say) names the person's organisation in a claim. */
function OrgClaimFields(props: { ids: [string, string]; values: [string, string]; errors: FieldError[] }) {
  return (
    <>
      <TextField
        id={props.ids[0]}
        label="Claim naming the person's organisation (needed if the provider serves other organisations)"
        hint="For example org_code; leave both empty if the provider is this organisation's alone"
        value={props.values[0]}
        errors={props.errors}
      />
      <TextField
        id={props.ids[1]}
        label="This organisation's value in that claim"
        hint="For example its ODS code"
        value={props.values[1]}
        errors={props.errors}
      />
    </>
  );
}

/** Destructive: says what will happen, to whom, and asks why. */
export function ConfirmPage(props: {
  who: Who;
  title: string;
  consequence: string;
  action: string;
  button: string;
  reason: string;
  errors: FieldError[];
  back: string;
}) {
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}${props.title}`} signedInAs={props.who}>
      <p>
        <a href={props.back}>Back</a>
      </p>
      <h1>{props.title}</h1>
      <ErrorSummary errors={props.errors} />
      <p class="warn">{props.consequence}</p>
      <form method="post" action={props.action}>
        <TextArea
          id="reason"
          label="Why?"
          hint="Kept in the access log with the change; the parties' auditors can see it"
          value={props.reason}
          errors={props.errors}
        />
        <button type="submit" class="danger">
          {props.button}
        </button>
      </form>
    </Layout>
  );
}

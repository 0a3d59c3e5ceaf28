import { Layout } from '../../layout.js';
import type { Who } from '../../components/forms.js';

/** Navigation and refusals shared by the auditor and administrator pages. */

export function AuditNav() {
  return (
    <nav class="sub" aria-label="Access log">
      <a href="/audit">Search the access log</a>
      <a href="/audit/flags">Unusual access to review</a>
    </nav>
  );
}

export function AdminNav() {
  return (
    <nav class="sub" aria-label="Administration">
      <a href="/admin">Governance overview</a>
      <a href="/admin/organisations">Organisations</a>
      <a href="/admin/agreements">Data-sharing agreements</a>
      <a href="/admin/agreements/matrix">Who can see whose plans</a>
    </nav>
  );
}

export function OversightRefusedPage(props: { who: Who; title: string; detail: string }) {
  return (
    <Layout title={props.title} signedInAs={props.who}>
      <h1>{props.title}</h1>
      <p>{props.detail}</p>
      <p>
        <a href="/">Go to the start page</a>
      </p>
    </Layout>
  );
}

/** The access log could not record this view, so nothing from it is shown. */
export function LogUnavailablePage() {
  return (
    <Layout title="Not available right now">
      <h1>Not available right now</h1>
      <p>The access log could not record this request, so nothing is shown. Try again in a minute.</p>
    </Layout>
  );
}

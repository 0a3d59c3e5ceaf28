import { Layout } from '../layout.js';
import type { Who } from '../components/who.js';

/** The purpose prompt: why the responder needs plans now (an incident reference or a reason). */
export function PurposePage(props: { who: Who; returnTo: string; value: string; error?: string; fromCard: boolean }) {
  return (
    <Layout title="Why do you need this plan?" signedInAs={props.who}>
      <h1>Why do you need this plan?</h1>
      <p>Every look at a plan is recorded with its reason, and the person can ask to see it. Give the incident number or a short reason.</p>
      {props.error ? <p class="err">{props.error}</p> : null}
      <form method="post" action="/purpose">
        <input type="hidden" name="return" value={props.returnTo} />
        <label for="purpose">Incident reference or reason</label>
        <input
          id="purpose"
          type="text"
          name="purpose"
          value={props.value}
          minlength={3}
          maxlength={200}
          required
          autocomplete="off"
          autofocus
        />
        <button type="submit">{props.fromCard ? 'Open the plan' : 'Continue'}</button>
      </form>
      <p class="meta">This reason is used for the next hour of this incident.</p>
    </Layout>
  );
}

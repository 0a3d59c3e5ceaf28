import { Layout } from '../layout.js';
import type { Who } from '../components/who.js';
import { WHAT_TO_DO } from '../components/what-to-do.js';

// Finding a plan by the card the person carries: the typed code, and a card that finds nothing.

/** The same page for a revoked card, an unknown card and a mistyped code: it says nothing about whether a plan exists. */
export function CardNotFoundPage(props: { who: Who }) {
  return (
    <Layout title="Card not recognised" signedInAs={props.who}>
      <h1>This card does not open a plan</h1>
      <p>The card may be out of date or damaged, or the code may have been mistyped.</p>
      {WHAT_TO_DO}
    </Layout>
  );
}

export function CodeEntryPage(props: { who: Who; value?: string; error?: string }) {
  return (
    <Layout title="Enter a card code" signedInAs={props.who}>
      <h1>Enter the code from the card</h1>
      <p>If the QR code will not scan, type the code printed under "Cannot scan?". Dashes and capitals do not matter.</p>
      {props.error ? <p class="err">{props.error}</p> : null}
      <form method="post" action="/code">
        <label for="code">Card code</label>
        <input
          id="code"
          class="code"
          type="text"
          name="code"
          value={props.value ?? ''}
          placeholder="XXXX-XXXX-XXX"
          maxlength={30}
          autocomplete="off"
          autocapitalize="characters"
          spellcheck={false}
          required
        />
        <button type="submit">Find the plan</button>
      </form>
    </Layout>
  );
}

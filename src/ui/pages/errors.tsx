import { Layout } from '../layout.js';
import type { Who } from '../components/who.js';
import { WHAT_TO_DO } from '../components/what-to-do.js';
import { PhoneText } from '../components/phone-text.js';

// Refusals and failures, each in plain words with what to do next.

export function RateLimitedPage(props: { who: Who; retryAfter: number }) {
  const minutes = Math.ceil(props.retryAfter / 60);
  return (
    <Layout title="Too many attempts" signedInAs={props.who}>
      <h1>Too many attempts</h1>
      <p>
        Card look-ups from this device are paused for about {minutes} minute{minutes === 1 ? '' : 's'}. Repeated failed look-ups are
        reported to the information-governance team.
      </p>
      {WHAT_TO_DO}
    </Layout>
  );
}

/** The domain's refusal reads as a clause ("no data-sharing agreement in force between …"): make it a sentence. */
const sentence = (text: string) => {
  const t = text.trim();
  return t === '' ? t : `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
};

export function NotAllowedPage(props: { who: Who; detail: string }) {
  return (
    <Layout title="Not allowed" signedInAs={props.who}>
      <h1>You cannot open this plan</h1>
      <p>{sentence(props.detail)}</p>
      <p>Call your control room if you need help with this person.</p>
      <p class="back">
        <a href="/">Back to search</a>
      </p>
    </Layout>
  );
}

export function WithdrawnPage(props: { who: Who; owner: string; contact: string | null }) {
  return (
    <Layout title="Plan withdrawn" signedInAs={props.who}>
      <h1>This plan has been withdrawn</h1>
      <p>{props.owner} has withdrawn this person's plan. It must not be relied on, so none of it is shown.</p>
      <p>
        <strong>Contact:</strong>{' '}
        {props.contact ? <PhoneText text={props.contact} /> : `${props.owner}: ask your control room for the team's number`}
      </p>
      <p>Carry on with your usual assessment.</p>
    </Layout>
  );
}

export function NotFoundPage(props: { who: Who }) {
  return (
    <Layout title="Not found" signedInAs={props.who}>
      <h1>No plan here</h1>
      <p>This link does not open a plan.</p>
      {WHAT_TO_DO}
    </Layout>
  );
}

/** The access log could not record this request, so nothing is shown (every read is recorded first). */
export function ServiceUnavailablePage(props: { who: Who }) {
  return (
    <Layout title="Unavailable for a moment" signedInAs={props.who}>
      <h1>This is unavailable for a moment</h1>
      <p>Every look at a plan is recorded, and the record could not be written just now, so nothing is shown.</p>
      <p>Try again in a minute. If it is urgent, call your control room.</p>
    </Layout>
  );
}

/** A browser asked for an address that is not a page (or an unexpected error): plain words, a way on. */
export function PageProblemPage(props: { who: Who; notFound: boolean }) {
  return (
    <Layout title={props.notFound ? 'Page not found' : 'Something went wrong'} signedInAs={props.who}>
      <h1>{props.notFound ? 'Page not found' : 'Something went wrong'}</h1>
      <p>
        {props.notFound
          ? 'There is no page at this address. If you typed it, check it; otherwise start again from the search page.'
          : 'The service could not show this page. Nothing you sent was lost or half-saved; try again in a minute.'}
      </p>
      <p>
        <a href="/">Go to the search page</a>
      </p>
      {WHAT_TO_DO}
    </Layout>
  );
}

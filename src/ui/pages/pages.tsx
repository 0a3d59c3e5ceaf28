import { Layout } from '../layout.js';

/** Pages for signing in, stating a purpose and finding a plan by card. Plan pages are in plan.tsx. */

type Who = { sub: string; org: string } | undefined;

export function SignInPage(props: {
  returnTo: string;
  /** Organisations with their own OpenID provider; `lastOrg` was chosen last on this device. */
  providers: { slug: string; name: string }[];
  lastOrg?: string;
  notice?: string;
  demoUsers?: { sub: string; org: string; label: string }[];
  error?: string;
}) {
  const ret = props.returnTo === '/' ? '' : `?return=${encodeURIComponent(props.returnTo)}`;
  const last = props.providers.find((p) => p.slug === props.lastOrg);
  const others = props.providers.filter((p) => p !== last);
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {props.notice ? <p class="warn">{props.notice}</p> : null}
      {props.error ? <p class="err">{props.error}</p> : null}
      {last ? (
        <p>
          <a class="button" id="sign-in-last" href={`/sign-in/${last.slug}${ret}`}>
            Sign in with {last.name}
          </a>
        </p>
      ) : null}
      {others.length ? (
        <>
          <p>{last ? 'Or choose another organisation:' : 'Choose your organisation to sign in with its own account:'}</p>
          <ul>
            {others.map((p) => (
              <li>
                <a href={`/sign-in/${p.slug}${ret}`}>{p.name}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {props.demoUsers ? (
        <>
          <p class="warn">
            Development sign-in: the local demo issuer is on. Never use this on a public address. Choose a demo identity:
          </p>
          {props.demoUsers.map((u) => (
            <form method="post" action="/sign-in">
              <input type="hidden" name="return" value={props.returnTo} />
              <input type="hidden" name="user" value={u.sub} />
              <button type="submit">
                {u.label} <span class="meta">({u.org})</span>
              </button>
            </form>
          ))}
        </>
      ) : null}
      {!props.providers.length && !props.demoUsers ? (
        <p>No organisation has set up sign-in with this service yet. Ask your control room to look the plan up for you.</p>
      ) : null}
    </Layout>
  );
}

/** A sign-in that did not complete: why, in plain words, and the way back. */
export function SignInRefusedPage(props: { org?: string; detail: string }) {
  return (
    <Layout title="Not signed in">
      <h1>You are not signed in</h1>
      {props.org ? <p class="meta">{props.org}</p> : null}
      <p>{props.detail}</p>
      <p>
        <a href="/sign-in">Back to sign-in</a>
      </p>
    </Layout>
  );
}

export function PurposePage(props: { who: Who; returnTo: string; value: string; error?: string; fromCard: boolean }) {
  return (
    <Layout title="Why do you need this plan?" signedInAs={props.who}>
      <h1>Why do you need this plan?</h1>
      <p>
        Every look at a plan is recorded with its reason, and the person can ask to see it. Give the incident number or
        a short reason.
      </p>
      {props.error ? <p class="err">{props.error}</p> : null}
      <form method="post" action="/purpose">
        <input type="hidden" name="return" value={props.returnTo} />
        <label for="purpose">Incident reference or reason</label>
        <input id="purpose" type="text" name="purpose" value={props.value} minlength={3} maxlength={200} required autocomplete="off" />
        <button type="submit">{props.fromCard ? 'Open the plan' : 'Continue'}</button>
      </form>
      <p class="meta">This reason is used for the next hour of this incident.</p>
    </Layout>
  );
}

const WHAT_TO_DO = (
  <ul>
    <li>Call your control room and ask them to look the person up.</li>
    <li>
      Or <a href="/code">type the code printed on the card</a>, or search by name if you know it.
    </li>
    <li>Carry on with your usual assessment: a plan is advice, never a substitute for it.</li>
  </ul>
);

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

export function RateLimitedPage(props: { who: Who; retryAfter: number }) {
  const minutes = Math.ceil(props.retryAfter / 60);
  return (
    <Layout title="Too many attempts" signedInAs={props.who}>
      <h1>Too many attempts</h1>
      <p>
        Card look-ups from this device are paused for about {minutes} minute{minutes === 1 ? '' : 's'}. Repeated failed
        look-ups are reported to the information-governance team.
      </p>
      {WHAT_TO_DO}
    </Layout>
  );
}

export function NotAllowedPage(props: { who: Who; detail: string }) {
  return (
    <Layout title="Not allowed" signedInAs={props.who}>
      <h1>You cannot open this plan</h1>
      <p>{props.detail}</p>
      <p>Call your control room if you need help with this person.</p>
    </Layout>
  );
}

export function WithdrawnPage(props: { who: Who; owner: string; contact: string | null }) {
  return (
    <Layout title="Plan withdrawn" signedInAs={props.who}>
      <h1>This plan has been withdrawn</h1>
      <p>
        {props.owner} has withdrawn this person's plan. It must not be relied on, so none of it is shown.
      </p>
      <p>
        <strong>Contact:</strong> {props.contact ?? `${props.owner}: ask your control room for the team's number`}
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

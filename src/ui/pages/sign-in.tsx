import { Layout } from '../layout.js';

/** Choosing how to sign in, and the page that says why a sign-in was refused. */

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
          <ul class="orgs">
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
          <p class="warn">Development sign-in: the local demo issuer is on. Never use this on a public address. Choose a demo identity:</p>
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

/**
 * After sign-out. `continueTo` is the organisation's identity provider's sign-out address: its own
 * session must end too, or the next person to pick this organisation on a shared terminal is signed in
 * as this one. The page's Refresh header goes there at once; the link is for when it does not.
 */
export function SignedOutPage(props: { org?: string; continueTo?: string }) {
  if (props.continueTo) {
    return (
      <Layout title="Signing out">
        <h1>Signing you out</h1>
        <p>You are signed out of this service. Now signing you out of {props.org ?? 'your organisation'}'s account too…</p>
        <p>
          <a class="button" id="continue-sign-out" href={props.continueTo}>
            Continue signing out
          </a>
        </p>
      </Layout>
    );
  }
  return (
    <Layout title="You have signed out">
      <h1>You have signed out</h1>
      <p>Nobody is signed in to this service on this device now.</p>
      <p class="meta">
        If your organisation's sign-in page asked whether to sign out there too and you chose not to, close the browser before handing the
        device on, or the next person choosing your organisation may be signed in as you.
      </p>
      <p>
        <a class="button" href="/sign-in">
          Sign in
        </a>
      </p>
    </Layout>
  );
}

/** Too many sign-ins started from this device (or from everyone at once): wait, and what to do meanwhile. */
export function SignInPausedPage(props: { retryAfter: number }) {
  const minutes = Math.ceil(props.retryAfter / 60);
  return (
    <Layout title="Too many sign-in attempts">
      <h1>Too many sign-in attempts</h1>
      <p>
        Sign-in from this device is paused for about {minutes} minute{minutes === 1 ? '' : 's'}. Try again then, or call your control room
        if you need a plan now.
      </p>
    </Layout>
  );
}

import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Actor } from '../../plans/core/actor.js';
import { demoUsers } from '../../plans/demo/demo.js';
import { getOrganisation } from '../../plans/organisations.js';
import { listOidcConfigs } from '../../plans/oidc-config.js';
import { SignedOutPage, SignInPage, SignInPausedPage, SignInRefusedPage } from '../../ui/pages/sign-in.js';
import type { AppServices, WebEnv } from '../context.js';
import { newBinding, POST_SIGN_OUT_PATH, type SignInFailure } from '../auth/oidc.js';
import type { Handoffs } from '../guards/shared-state.js';
import { safeReturnTo } from '../auth/session.js';
import { slidingWindow } from '../guards/rate-limit.js';
import { clientKey, ownForms, page, pageTrail, web } from './shared.js';

/** The sign-in under way: an opaque value whose hash the pending sign-in row holds. */
const BINDING_COOKIE = 'rp_signin';
/** The organisation last chosen on this device, offered first (an officer in a car taps once). */
const LAST_ORG_COOKIE = 'rp_last_org';
const formText = (v: unknown) => (typeof v === 'string' ? v : undefined);
const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

const endedMessages = {
  idle: 'You were signed out after a while without using the service. Sign in again to carry on where you were.',
  expired: 'Your session reached the end of its shift-length limit. Sign in again to carry on where you were.',
};

/** What a refused person is told: why, and what to do; never the provider's details. */
const refusalText: Partial<Record<string, string>> = {
  'no-role':
    'Your account signed in, but your organisation has not given it a role in this service (responder, author, approver, auditor or administrator). Ask your IT service desk to add you to the right group.',
  'org-disabled': 'Sign-in for this organisation is switched off in this service. Call your control room if you need a plan.',
  'org-mismatch':
    'Your identity provider says your account belongs to a different organisation from the one you chose. Nobody was signed in: choose your own organisation, or tell your IT service desk.',
  'org-unvouched':
    'This identity provider signs in people for several organisations and this service has not been told how it says which one is yours. Nobody was signed in; tell your IT service desk.',
  'bad-state': 'This sign-in link has expired or was already used. Start again from the sign-in page.',
  'provider-unreachable': "Your organisation's identity provider could not be reached. Try again shortly, or call your control room.",
  'provider-unusable':
    "Sign-in through your organisation's identity provider is not set up correctly in this service. Nobody was signed in; tell your IT service desk (its administrator must enter the client secret again).",
  'sub-invalid':
    "Your organisation's identity provider sent an account name this service cannot record safely. Nobody was signed in; tell your IT service desk.",
};

/**
 * Each sign-in started is a pending row for ten minutes, and anyone can start one: per client address,
 * this many in ten minutes (a police station behind one address signs in a shift at a time, well below).
 * Across all clients, oidc.ts caps the rows themselves.
 */
const SIGN_INS_PER_CLIENT = 30;
const SIGN_IN_WINDOW_MS = 10 * 60_000;

/**
 * `/sign-in` (choose the organisation, or a demo identity), `/sign-in/:org`, `/auth/callback`,
 * `/sign-out`: one handler list each, registered by app.ts. They share the pages and refusals below.
 */
export function signInPages(services: AppServices) {
  const forms = ownForms(services);
  const signInTrail = pageTrail(services, 'sign-in');
  const providerSignOuts = pendingProviderSignOuts(services.handoffs);
  const startedBy = slidingWindow({ limit: SIGN_INS_PER_CLIENT, windowMs: SIGN_IN_WINDOW_MS, clock: services.clock });
  const cookieOpts = (maxAge: number) =>
    ({ httpOnly: true, sameSite: 'Lax', path: '/', secure: services.publicBaseUrl.startsWith('https:'), maxAge }) as const;

  /**
   * Sign-ins and sign-outs go straight to the access log: a refused sign-in has no actor, but the
   * organisation tried (and the subject, once the provider named one) tell an auditor who was turned away.
   */
  const noteSignIn = (
    c: Context<WebEnv>,
    who: { sub?: string; org?: string; roles?: readonly string[] },
    method: 'oidc' | 'dev',
    outcome: 'allowed' | 'denied',
    reason: string,
  ) =>
    c.set('access', {
      actor: who.org ? { sub: who.sub ?? '', org: who.org, roles: who.roles ?? [] } : null,
      planId: null,
      purpose: null,
      query: { method },
      outcome,
      reason,
    });

  const signInPage = async (
    c: Context<WebEnv>,
    status: 200 | 400 = 200,
    error?: string,
    returnTo = safeReturnTo(c.req.query('return')),
  ) => {
    const ended = c.req.query('ended');
    const providers = (await listOidcConfigs(services.db)).filter((o) => o.enabled).map((o) => ({ slug: o.org, name: o.orgName }));
    const lastOrg = getCookie(c, LAST_ORG_COOKIE);
    return page(
      c,
      <SignInPage
        returnTo={returnTo}
        providers={providers}
        lastOrg={providers.some((p) => p.slug === lastOrg) ? lastOrg : undefined}
        notice={ended === 'idle' || ended === 'expired' ? endedMessages[ended] : undefined}
        demoUsers={await demoChoices()}
        error={error}
      />,
      status,
    );
  };

  // Re-asked on each sign-in: an organisation that has since gained an identity provider drops out at once.
  const demoChoices = async () => {
    if (!services.devIssuer) return undefined;
    const may = await Promise.all(demoUsers.map((u) => services.auth.devMaySignFor(u.org)));
    return demoUsers.filter((_, i) => may[i]);
  };

  /**
   * A refused sign-in, noted as its own event when it concerns a sign-in this service started (a provider
   * answered for a pending row, itself bounded per client); refusals anyone can cause at will with no
   * sign-in under way (a made-up state, starting sign-in for a disabled organisation) are summarised per
   * client and window like every other anonymous refusal, so a flood cannot fill the permanent log.
   */
  const refused = async (
    c: Context<WebEnv>,
    reason: SignInFailure,
    who: { org?: string; sub?: string },
    status: 400 | 403 | 503,
    anonymous = false,
  ) => {
    if (anonymous) await refuseAnonymously(c, reason, who.org);
    else noteSignIn(c, who, 'oidc', 'denied', reason);
    const org = who.org ? (await getOrganisation(services.db, who.org))?.name : undefined;
    const text = refusalText[reason] ?? "Your organisation's identity provider did not sign you in. Start again from the sign-in page.";
    return page(c, <SignInRefusedPage org={org} detail={text} />, status);
  };
  const refuseAnonymously = (c: Context<WebEnv>, reason: string, org: string | undefined) =>
    services.refusals.refuse({
      client: clientKey(c, services.trustProxy),
      reason,
      event: {
        actor: org ? { sub: '', org, roles: [] } : null,
        action: 'sign-in',
        channel: 'web',
        purpose: null,
        planId: null,
        query: { method: 'oidc' },
        outcome: 'denied',
        reason,
      },
    });
  const paused = async (c: Context<WebEnv>, reason: 'rate-limited' | 'busy', retryAfter: number, org: string) => {
    await refuseAnonymously(c, reason, org);
    return page(c, <SignInPausedPage retryAfter={retryAfter} />, 429, { 'Retry-After': String(retryAfter) });
  };

  return {
    /** GET /sign-in */
    choose: web.createHandlers((c) => signInPage(c)),
    /** POST /sign-in — the development issuer's demo identities (only where AUTH_DEV is on). */
    demo: web.createHandlers(forms, signInTrail, async (c) => {
      const form = await c.req.parseBody();
      const returnTo = safeReturnTo(formText(form.return));
      const user = (await demoChoices())?.find((u) => u.sub === formText(form.user));
      const org = user ? await getOrganisation(services.db, user.org) : undefined;
      if (!services.devIssuer || !user || !org) {
        return signInPage(c, 400, services.devIssuer ? 'Choose one of the identities below.' : 'Development sign-in is off.', returnTo);
      }
      if (org.disabledAt) {
        noteSignIn(c, { sub: user.sub, org: user.org }, 'dev', 'denied', 'org-disabled');
        return page(c, <SignInRefusedPage org={org.name} detail={refusalText['org-disabled']!} />, 403);
      }
      const actor: Actor = { sub: user.sub, org: user.org, orgKind: org.kind, roles: user.roles };
      await services.sessions.start(c, { actor, method: 'dev', expiresAt: services.clock().getTime() + services.sessions.maxMs });
      noteSignIn(c, actor, 'dev', 'allowed', 'development-issuer');
      return c.redirect(returnTo, 303);
    }),
    /** GET /sign-in/:org — to the organisation's OpenID provider, with state, nonce and PKCE kept here. */
    begin: web.createHandlers(signInTrail, async (c) => {
      const org = c.req.param('org') ?? '';
      const returnTo = safeReturnTo(c.req.query('return'));
      if (!slugPattern.test(org)) return signInPage(c, 400, 'Choose your organisation from the list.');
      const client = clientKey(c, services.trustProxy);
      const wait = startedBy.blocked(client);
      if (wait !== undefined) return paused(c, 'rate-limited', wait, org);
      const binding = getCookie(c, BINDING_COOKIE) ?? newBinding();
      const begun = await services.oidc.begin(org, binding, returnTo);
      if (!begun.ok) {
        if ('reason' in begun && begun.reason === 'org-unknown') return signInPage(c, 400, 'Choose your organisation from the list.');
        const reason = 'reason' in begun ? begun.reason : 'provider-unreachable';
        if (reason === 'busy') return paused(c, 'busy', 60, org);
        return refused(c, reason, { org }, reason === 'org-disabled' ? 403 : 503, true);
      }
      startedBy.hit(client);
      setCookie(c, BINDING_COOKIE, binding, cookieOpts(600));
      setCookie(c, LAST_ORG_COOKIE, org, cookieOpts(400 * 24 * 3600));
      return c.redirect(begun.value.toString(), 303);
    }),
    /** GET /auth/callback — every check, then a fresh session. */
    callback: web.createHandlers(signInTrail, async (c) => {
      const outcome = await services.oidc.complete(new URL(c.req.url).searchParams, getCookie(c, BINDING_COOKIE));
      if (!outcome.ok) {
        const status = ['no-role', 'org-disabled', 'org-mismatch', 'org-unvouched', 'sub-invalid'].includes(outcome.reason) ? 403 : 400;
        // No sign-in of ours under way matched: anyone's made-up callback, counted rather than logged one by one.
        return refused(c, outcome.reason, outcome, status, outcome.reason === 'bad-state' && outcome.org === undefined);
      }
      const { actor, idToken, expiresAt, returnTo } = outcome.value;
      await services.sessions.start(c, { actor, method: 'oidc', expiresAt, idToken });
      noteSignIn(c, actor, 'oidc', 'allowed', 'signed-in');
      return c.redirect(safeReturnTo(returnTo), 303);
    }),
    /**
     * POST /sign-out — ends the session here first, then (when the provider can) its session there too.
     * Not by redirecting this form post to the provider: a form's redirects are held to the page's CSP
     * form-action ('self'), so Chromium would block it and leave the provider's session open for the
     * next person on a shared terminal. Instead a 303 to a page of ours, which goes on to the provider.
     */
    signOut: web.createHandlers(forms, pageTrail(services, 'sign-out'), async (c) => {
      const s = c.var.session;
      await services.sessions.end(c);
      if (!s) return c.redirect(POST_SIGN_OUT_PATH, 303);
      noteSignIn(c, s.actor, s.method, 'allowed', 'signed-out');
      const providerLogout = s.method === 'oidc' && s.idToken ? await services.oidc.endSessionUrl(s.actor.org, s.idToken) : undefined;
      if (!providerLogout) return c.redirect(POST_SIGN_OUT_PATH, 303);
      return c.redirect(`${POST_SIGN_OUT_PATH}?next=${await providerSignOuts.put(providerLogout, s.actor.org)}`, 303);
    }),
    /** GET /signed-out — on to the provider's sign-out when one is waiting, else "you have signed out". */
    signedOut: web.createHandlers(async (c) => {
      const next = await providerSignOuts.take(c.req.query('next'));
      if (!next) return page(c, <SignedOutPage />);
      const org = (await getOrganisation(services.db, next.org))?.name;
      // A navigation of the page's own (not a form's redirect), so form-action does not apply to it.
      return page(c, <SignedOutPage org={org} continueTo={next.url} />, 200, { Refresh: `0; url=${next.url}` });
    }),
  };
}

/**
 * Provider sign-out addresses waiting for the browser's next request, under a random single-use id (the
 * address carries the ID token as a hint, so it is neither put in a cookie nor kept for long). Kept where
 * every node can take it: the next request may reach another node.
 */
function pendingProviderSignOuts(handoffs: Handoffs) {
  const TTL_MS = 2 * 60_000;
  const key = (id: string) => `sign-out|${id}`;
  return {
    async put(url: string, org: string): Promise<string> {
      const id = newBinding();
      await handoffs.put(key(id), JSON.stringify({ url, org }), TTL_MS);
      return id;
    },
    async take(id: string | undefined): Promise<{ url: string; org: string } | undefined> {
      if (!id || id.length > 100) return undefined;
      const hit = await handoffs.take(key(id));
      return hit === undefined ? undefined : (JSON.parse(hit) as { url: string; org: string });
    },
  };
}

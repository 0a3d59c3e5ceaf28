import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Actor } from '../../plans/core/actor.js';
import { demoUsers } from '../../plans/demo/demo.js';
import { getOrganisation } from '../../plans/organisations.js';
import { listOidcConfigs } from '../../plans/oidc-config.js';
import { SignInPage, SignInRefusedPage } from '../../ui/pages/sign-in.js';
import type { AppServices, WebEnv } from '../context.js';
import { newBinding, type SignInFailure } from '../auth/oidc.js';
import { safeReturnTo } from '../auth/session.js';
import { ownForms, page, pageTrail, web } from './shared.js';

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
  'org-mismatch': "Your identity provider says your account belongs to a different organisation from the one you chose. Nobody was signed in: choose your own organisation, or tell your IT service desk.",
  'org-unvouched': "This identity provider signs in people for several organisations and this service has not been told how it says which one is yours. Nobody was signed in; tell your IT service desk.",
  'bad-state': 'This sign-in link has expired or was already used. Start again from the sign-in page.',
  'provider-unreachable': "Your organisation's identity provider could not be reached. Try again shortly, or call your control room.",
};

/**
 * `/sign-in` (choose the organisation, or a demo identity), `/sign-in/:org`, `/auth/callback`,
 * `/sign-out`: one handler list each, registered by app.ts. They share the pages and refusals below.
 */
export function signInPages(services: AppServices) {
  const forms = ownForms(services);
  const signInTrail = pageTrail(services, 'sign-in');
  const cookieOpts = (maxAge: number) => ({ httpOnly: true, sameSite: 'Lax', path: '/', secure: services.publicBaseUrl.startsWith('https:'), maxAge }) as const;

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

  const signInPage = (c: Context<WebEnv>, status: 200 | 400 = 200, error?: string, returnTo = safeReturnTo(c.req.query('return'))) => {
    const ended = c.req.query('ended');
    const providers = listOidcConfigs(services.db)
      .filter((o) => o.enabled)
      .map((o) => ({ slug: o.org, name: o.orgName }));
    const lastOrg = getCookie(c, LAST_ORG_COOKIE);
    return page(
      c,
      <SignInPage
        returnTo={returnTo}
        providers={providers}
        lastOrg={providers.some((p) => p.slug === lastOrg) ? lastOrg : undefined}
        notice={ended === 'idle' || ended === 'expired' ? endedMessages[ended] : undefined}
        demoUsers={demoChoices()}
        error={error}
      />,
      status,
    );
  };

  // Re-asked on each sign-in: an organisation that has since gained an identity provider drops out at once.
  const demoChoices = () => (services.devIssuer ? demoUsers.filter((u) => services.auth.devMaySignFor(u.org)) : undefined);

  const refused = (c: Context<WebEnv>, reason: SignInFailure, who: { org?: string; sub?: string }, status: 400 | 403 | 503) => {
    noteSignIn(c, who, 'oidc', 'denied', reason);
    const org = who.org ? getOrganisation(services.db, who.org)?.name : undefined;
    const text = refusalText[reason] ?? "Your organisation's identity provider did not sign you in. Start again from the sign-in page.";
    return page(c, <SignInRefusedPage org={org} detail={text} />, status);
  };

  return {
    /** GET /sign-in */
    choose: web.createHandlers((c) => signInPage(c)),
    /** POST /sign-in — the development issuer's demo identities (only where AUTH_DEV is on). */
    demo: web.createHandlers(forms, signInTrail, async (c) => {
      const form = await c.req.parseBody();
      const returnTo = safeReturnTo(formText(form.return));
      const user = demoChoices()?.find((u) => u.sub === formText(form.user));
      const org = user ? getOrganisation(services.db, user.org) : undefined;
      if (!services.devIssuer || !user || !org) {
        return signInPage(c, 400, services.devIssuer ? 'Choose one of the identities below.' : 'Development sign-in is off.', returnTo);
      }
      if (org.disabledAt) {
        noteSignIn(c, { sub: user.sub, org: user.org }, 'dev', 'denied', 'org-disabled');
        return page(c, <SignInRefusedPage org={org.name} detail={refusalText['org-disabled']!} />, 403);
      }
      const actor: Actor = { sub: user.sub, org: user.org, orgKind: org.kind, roles: user.roles };
      services.sessions.start(c, { actor, method: 'dev', expiresAt: services.clock().getTime() + services.sessions.maxMs });
      noteSignIn(c, actor, 'dev', 'allowed', 'development-issuer');
      return c.redirect(returnTo, 303);
    }),
    /** GET /sign-in/:org — to the organisation's OpenID provider, with state, nonce and PKCE kept here. */
    begin: web.createHandlers(signInTrail, async (c) => {
      const org = c.req.param('org') ?? '';
      const returnTo = safeReturnTo(c.req.query('return'));
      if (!slugPattern.test(org)) return signInPage(c, 400, 'Choose your organisation from the list.');
      const binding = getCookie(c, BINDING_COOKIE) ?? newBinding();
      const begun = await services.oidc.begin(org, binding, returnTo);
      if (!begun.ok) {
        if ('reason' in begun && begun.reason === 'org-unknown') return signInPage(c, 400, 'Choose your organisation from the list.');
        const reason = 'reason' in begun ? begun.reason : 'provider-unreachable';
        return refused(c, reason, { org }, reason === 'org-disabled' ? 403 : 503);
      }
      setCookie(c, BINDING_COOKIE, binding, cookieOpts(600));
      setCookie(c, LAST_ORG_COOKIE, org, cookieOpts(400 * 24 * 3600));
      return c.redirect(begun.value.toString(), 303);
    }),
    /** GET /auth/callback — every check, then a fresh session. */
    callback: web.createHandlers(signInTrail, async (c) => {
      const outcome = await services.oidc.complete(new URL(c.req.url).searchParams, getCookie(c, BINDING_COOKIE));
      if (!outcome.ok) {
        const status = outcome.reason === 'no-role' || outcome.reason === 'org-disabled' || outcome.reason === 'org-mismatch' || outcome.reason === 'org-unvouched' ? 403 : 400;
        return refused(c, outcome.reason, outcome, status);
      }
      const { actor, idToken, expiresAt, returnTo } = outcome.value;
      services.sessions.start(c, { actor, method: 'oidc', expiresAt, idToken });
      noteSignIn(c, actor, 'oidc', 'allowed', 'signed-in');
      return c.redirect(safeReturnTo(returnTo), 303);
    }),
    /** POST /sign-out — ends the session here and, where the provider can, there too. */
    signOut: web.createHandlers(forms, pageTrail(services, 'sign-out'), async (c) => {
      const s = c.var.session;
      services.sessions.end(c);
      if (!s) return c.redirect('/sign-in', 303);
      noteSignIn(c, s.actor, s.method, 'allowed', 'signed-out');
      const providerLogout = s.method === 'oidc' && s.idToken ? await services.oidc.endSessionUrl(s.actor.org, s.idToken) : undefined;
      return c.redirect(providerLogout ?? '/sign-in', 303);
    }),
  };
}

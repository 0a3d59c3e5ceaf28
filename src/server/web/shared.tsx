import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { AppServices, WebEnv } from '../context.js';
import { clientAddress } from '../guards/client-address.js';
import type { TrustProxy } from '../../config.js';
import { createFactory } from 'hono/factory';
import type { AccessAction, AccessChannel } from '../../plans/access-log/log.js';
import type { Failure } from '../../plans/core/result.js';
import { agreementQueries } from '../../plans/organisations.js';
import { consolesOf, type ConsoleName } from '../../plans/policy.js';
import type { Actor } from '../../plans/core/actor.js';
import type { HeaderLink } from '../../ui/components/who.js';
import { NotAllowedPage, NotFoundPage, ServiceUnavailablePage, WithdrawnPage } from '../../ui/pages/errors.js';
import { accessTrail } from '../access-trail/trail.js';
import { planIdParam } from '../validate.js';

/**
 * Plumbing shared by the server-rendered pages, each defined once: sessions → actor, redirects, headers,
 * CSRF, the page for a failed read, and the page's access trail.
 */

export const pageHeaders = {
  // No scripts at all; the one inline stylesheet; forms post only here; never framed.
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  // Pages can hold a person's plan: never cached by the browser or anything in between.
  'Cache-Control': 'no-store',
};

export async function page(
  c: Context,
  body: JSX.Element,
  status: 200 | 400 | 403 | 404 | 409 | 410 | 429 | 503 = 200,
  headers: Record<string, string> = {},
) {
  // JSX has no doctype; without one, browsers fall back to quirks mode.
  return c.html(`<!doctype html>${await body}`, status, { ...pageHeaders, ...headers });
}

/** This request's path and query: where to come back to. */
export const here = (c: Context) => {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
};

export const signInUrl = (returnTo: string) => `/sign-in?return=${encodeURIComponent(returnTo)}`;
export const purposeUrl = (returnTo: string) => `/purpose?return=${encodeURIComponent(returnTo)}`;

/** The signed-in responder, for the page header: their organisation by name. */
const consoleLinks: Record<ConsoleName, HeaderLink> = {
  search: { href: '/', label: 'Find a person' },
  plans: { href: '/manage', label: 'Plans' },
  reviews: { href: '/manage/reviews', label: 'Reviews' },
  audit: { href: '/audit', label: 'Access log' },
  admin: { href: '/admin', label: 'Administration' },
};

/** Where a person lands after signing in: their first console (the search for responders). */
export const homeOf = (actor: Actor) => consoleLinks[consolesOf(actor)[0] ?? 'search'].href;

export const whoOf = (c: Context<WebEnv>) => {
  const actor = c.var.actor;
  if (!actor) return undefined;
  const links = consolesOf(actor).map((name) => consoleLinks[name]);
  // A responder with search alone needs no menu: the title links to it.
  return {
    sub: actor.sub,
    org: c.var.orgName ?? actor.org,
    links: links.length > 1 || (links.length === 1 && links[0]!.href !== '/') ? links : undefined,
  };
};

/**
 * Who is asking, and for what, from the server-side session (session.ts): one SELECT by the id's hash.
 * A session past its lifetime or idle too long is ended here, and the sign-in page says why.
 */
export function loadSession(services: AppServices): MiddlewareHandler<WebEnv> {
  const organisations = agreementQueries(services.db);
  return async (c, next) => {
    const read = await services.sessions.read(c);
    if (read && 'session' in read && !(await services.auth.sessionMayContinue(read.session.actor, read.session.method))) {
      // Its organisation was disabled, or gained its own identity provider: the session ends now.
      await services.sessions.end(c);
    } else if (read && 'session' in read) {
      // The organisation's kind as the register says now (the session row keeps the one at sign-in).
      const actor = await services.auth.current(read.session.actor);
      const session = actor.ok ? { ...read.session, actor: actor.value } : read.session;
      c.set('actor', session.actor);
      c.set('session', session);
      c.set('orgName', (await organisations.organisation(read.session.actor.org))?.name);
      const purpose = services.sessions.currentPurpose(read.session);
      if (purpose) c.set('purpose', purpose);
    } else if (read) {
      c.set('sessionEnded', read.ended);
    }
    await next();
  };
}

/**
 * Where to come back to after signing in again. A typed card code is a form post: it goes back into the
 * return path, so the code entry page comes back filled in and one tap finishes the look-up.
 */
async function returnPathOf(c: Context<WebEnv>): Promise<string> {
  if (c.req.method === 'GET') return here(c);
  const path = new URL(c.req.url).pathname;
  if (path === '/code') {
    const code = (await c.req.parseBody()).code;
    if (typeof code === 'string' && code.length <= 30) return `/code?code=${encodeURIComponent(code)}`;
  }
  return path;
}

/** Not signed in → the sign-in page, which brings the responder back here. */
export const requireSignedIn: MiddlewareHandler<WebEnv> = async (c, next) => {
  if (!c.var.actor) {
    const ended = c.var.sessionEnded ? `&ended=${c.var.sessionEnded}` : '';
    return c.redirect(signInUrl(await returnPathOf(c)) + ended, 303);
  }
  await next();
};

/**
 * A card look-up usually means a new incident, so the stated purpose must be recent: a reason given an
 * hour ago for someone else should not be recorded against this person. The prompt comes pre-filled.
 */
export const CARD_PURPOSE_FRESH_MS = 10 * 60 * 1000;

/**
 * No purpose stated for this incident (or not recently enough) → the purpose prompt, then back here.
 * `onMissing` lets a route record the refusal (a card scan is logged even when it stops here).
 */
export function requireWebPurpose(
  services: AppServices,
  freshWithinMs?: number,
  onMissing?: (c: Context<WebEnv>) => unknown,
): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const statedAt = c.var.session?.purposeAt ?? 0;
    const stale = freshWithinMs !== undefined && services.clock().getTime() - statedAt > freshWithinMs;
    if (!c.var.purpose || stale) {
      await onMissing?.(c);
      return c.redirect(purposeUrl(c.req.method === 'GET' ? here(c) : new URL(c.req.url).pathname), 303);
    }
    await next();
  };
}

/**
 * Form posts must come from this site: the session cookie is SameSite=Lax (not sent on cross-site
 * POSTs) and, as a second lock, the browser's Origin (or Sec-Fetch-Site) must be this service's.
 */
export function sameOriginForms(services: AppServices, forbidden: (c: Context) => Response | Promise<Response>): MiddlewareHandler<WebEnv> {
  const check = csrf({
    origin: (origin, c) =>
      origin === new URL(c.req.url).origin || (!!services.publicBaseUrl && origin === new URL(services.publicBaseUrl).origin),
  });
  return async (c, next) => {
    try {
      return await check(c, next);
    } catch (e) {
      if (e instanceof HTTPException && e.status === 403) return forbidden(c);
      throw e;
    }
  };
}

/** The client for rate limits: the signed-in person, else the address the operator trusts (TRUST_PROXY). */
export function clientKey(c: Context<WebEnv>, trust: TrustProxy | undefined): string {
  if (c.var.actor) return `actor:${c.var.actor.org}/${c.var.actor.sub}`;
  return `addr:${clientAddress(c, trust)}`;
}

/** Every web page is one file exporting `(services) => handlers` made with this; app.ts registers them. */
export const web = createFactory<WebEnv>();

/** Form posts must come from this service's own pages (see sameOriginForms); refused with a page. */
export const ownForms = (services: AppServices) =>
  sameOriginForms(services, (c) =>
    page(c, <NotAllowedPage who={undefined} detail="This form was not sent from this service's own pages. Go back and try again." />, 403),
  );

/** The plan id as the API validates it: a page refuses anything else before looking. */
export const isPlanId = (s: string) => planIdParam.shape.planId.safeParse(s).success;

/** A plan read that failed, as a page: withdrawn (410 with the team's contact), not allowed, or not found. */
export function readFailurePage(c: Context<WebEnv>, failure: Failure) {
  const who = whoOf(c);
  if (failure.code === 'gone') {
    const extra = failure.extra as { owningOrg: string; contact: string | null };
    return page(c, <WithdrawnPage who={who} owner={extra.owningOrg} contact={extra.contact} />, 410);
  }
  if (failure.code === 'forbidden') return page(c, <NotAllowedPage who={who} detail={failure.detail} />, 403);
  return page(c, <NotFoundPage who={who} />, 404);
}

/** Why a failed read was refused, in the access log's words. */
export function refusalOf(failure: Failure): string {
  if (failure.code === 'gone') return 'withdrawn';
  if (failure.code !== 'forbidden') return 'not-found';
  // The domain's reason code, as the API's trail records it ("forbidden (no-agreement): …"), so a refusal
  // raises the same flag whichever channel it came through.
  const reason = failure.extra?.reason;
  return typeof reason === 'string' ? `forbidden (${reason})` : 'forbidden';
}

/**
 * A page's access trail (access-trail/trail.ts): one event once the handler has noted what it showed or
 * refused, and, if the log cannot take it, an HTML page instead of the page (`unavailable`, by default
 * the general one).
 */
export const pageTrail = (
  services: AppServices,
  action: AccessAction,
  channel: AccessChannel = 'web',
  unavailable: (c: Context<WebEnv>) => Response | Promise<Response> = (c) => page(c, <ServiceUnavailablePage who={whoOf(c)} />, 503),
) => accessTrail(services, action, { channel, medium: { page: unavailable }, every: 'noted' });

import type { Context, MiddlewareHandler } from 'hono';
import type { AccessAction } from '../../../plans/access-log/log.js';
import { reasonOf, type Failure } from '../../../plans/core/result.js';
import { authoriseConsole } from '../../../plans/policy.js';
import { MessagePage } from '../../../ui/pages/manage/common.js';
import { Layout } from '../../../ui/layout.js';
import { accessTrail } from '../../access-trail/trail.js';
import type { AppServices, WebEnv } from '../../context.js';
import { ownForms, page, requireSignedIn, whoOf } from '../shared.js';
import { CARE_PLANNING } from '../../../plans/access-log/flags.js';

/** Plumbing for the console's routes: who, CSRF, purpose, one access event per read, refusals as pages. */

export const consoleWho = (c: Context<WebEnv>) => ({ ...whoOf(c)!, roles: c.var.actor!.roles });

const unavailable = (c: Context) =>
  page(
    c,
    <Layout title="Not available">
      <h1>Sorry, this page is not available right now</h1>
      <p>The access log could not record this request, so nothing is shown. Try again in a minute.</p>
    </Layout>,
    503,
  );

/** The console is for authors and approvers; anyone else is told so, not sent a bare 403. */
const consoleRole: MiddlewareHandler<WebEnv> = async (c, next) => {
  const allowed = authoriseConsole(c.var.actor!);
  if (!allowed.ok) {
    return page(
      c,
      <MessagePage who={consoleWho(c)} title="This is for plan authors and approvers">
        <p>
          Your role does not include writing or approving plans. To find a person's plan, <a href="/">search</a>.
        </p>
      </MessagePage>,
      403,
    );
  }
  await next();
};

/**
 * The console shows a trust's own plans to its own authors and approvers (policy decides per plan): the
 * purpose is the work itself, recorded as such, never asked for (an "incident reference" here made care
 * staff type one, and filled the auditor's flags with their own work).
 */
const carePlanning: MiddlewareHandler<WebEnv> = async (c, next) => {
  c.set('purpose', CARE_PLANNING);
  await next();
};

export function consoleGuards(services: AppServices) {
  // The session is loaded once for every page (app.ts); the form-origin check is the pages' one.
  const forms = ownForms(services);
  return {
    /** A page that shows plan content: signed in, a purpose, one access event (recorded before it is sent). */
    read: (action: AccessAction) =>
      [
        accessTrail(services, action, { channel: 'web', medium: { page: unavailable }, every: 'noted' }),
        requireSignedIn,
        consoleRole,
        carePlanning,
      ] as const,
    /** A form post: same origin, signed in; the write itself is a workflow event. No purpose: it would lose what was typed. */
    write: [forms, requireSignedIn, consoleRole] as const,
    /** A form post whose refusal shows the plan again (a review without its comment): that showing is an access event. */
    writeShowing: (action: AccessAction) =>
      [
        forms,
        accessTrail(services, action, { channel: 'web', medium: { page: unavailable }, every: 'noted' }),
        requireSignedIn,
        consoleRole,
      ] as const,
  };
}

const refusalTitle: Record<string, string> = {
  forbidden: 'You cannot do this',
  not_found: 'No such plan',
  conflict: 'This plan has changed',
  invalid: 'This could not be saved',
  gone: 'No longer available',
};

/** A domain refusal as a page that says what happened and what to do next: never a raw error. */
export function refusalPage(c: Context<WebEnv>, f: Failure, back?: string) {
  const status = f.code === 'forbidden' ? 403 : f.code === 'not_found' ? 404 : f.code === 'conflict' ? 409 : 400;
  const fourEyes = reasonOf(f) === 'four-eyes';
  return page(
    c,
    <MessagePage
      who={consoleWho(c)}
      title={fourEyes ? 'Someone else must approve this version' : (refusalTitle[f.code] ?? 'This could not be done')}
    >
      <p>
        {fourEyes
          ? 'You wrote or edited part of this version. Plans are approved by a second person who did not write them (four eyes), so another approver must review it.'
          : sentence(f.detail)}
      </p>
      {back ? (
        <p>
          <a href={back}>Go back to the plan</a>
        </p>
      ) : (
        <p>
          <a href="/manage">Go to your trust's plans</a>
        </p>
      )}
    </MessagePage>,
    status,
  );
}

const sentence = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;

export const planIdPattern = /^[A-Za-z0-9_-]{16}$/;

import type { Context, MiddlewareHandler } from 'hono';
import { authoriseAdmin, authoriseAudit, type Operator } from '../../../plans/policy.js';
import { LogUnavailablePage, OversightRefusedPage } from '../../../ui/pages/oversight/common.js';
import { accessTrail } from '../../access-trail/trail.js';
import type { AppServices, WebEnv } from '../../context.js';
import { ownForms, page, whoOf } from '../shared.js';

/** Who may open the auditor and administrator pages: the policy's answer, as a page. */

/** One `audit-read` access event per auditor page, channel web; an HTML 503 if the log cannot take it. */
export const webAuditTrail = (services: AppServices) =>
  accessTrail(services, 'audit-read', { channel: 'web', medium: { page: (c) => page(c, <LogUnavailablePage />, 503) }, every: 'noted' });

/** Not an auditor → a refusal page, itself logged (the note is set before the refusal). */
export const auditorsOnly =
  (pageName: string): MiddlewareHandler<WebEnv> =>
  async (c, next) => {
    const allowed = authoriseAudit(c.var.actor!);
    if (allowed.ok) return next();
    c.set('access', { planId: null, query: { page: pageName } });
    return page(
      c,
      <OversightRefusedPage
        who={whoOf(c)}
        title="Not available to you"
        detail="The access log is for information-governance officers (the auditor role)."
      />,
      403,
    );
  };

export const operatorOf = (c: Context<WebEnv>): Operator => ({ via: 'web', actor: c.var.actor! });

export const adminsOnly: MiddlewareHandler<WebEnv> = async (c, next) => {
  if (authoriseAdmin(operatorOf(c)).ok) return next();
  return page(
    c,
    <OversightRefusedPage
      who={whoOf(c)}
      title="Not available to you"
      detail="The register of organisations and agreements is for administrators (the admin role)."
    />,
    403,
  );
};

/** The form-origin check every page uses (web/shared.tsx). */
export const oversightForms = ownForms;

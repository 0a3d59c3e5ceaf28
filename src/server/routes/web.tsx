import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { isoDay } from '../../plans/core/clock.js';
import { CARD_PURPOSE } from '../../plans/access-log/flags.js';
import { NotAllowedPage, PurposePage, WithdrawnPage, NotFoundPage } from '../../ui/pages/pages.js';
import { PlanPage } from '../../ui/pages/plan.js';
import type { WebAccessEvent } from '../access-trail/web.js';
import type { AppServices, WebEnv } from '../context.js';
import { searchPageRoutes } from './search-page.js';
import { signInRoutes } from './sign-in.js';
import { PURPOSE_RULE, validPurpose } from '../middleware.js';
import { safeReturnTo } from '../auth/session.js';
import { clientKey, loadSession, page, requireSignedIn, requireWebPurpose, sameOriginForms, whoOf } from '../web/shared.js';

const planIdPattern = /^[A-Za-z0-9_-]{16}$/;
const formText = (v: unknown) => (typeof v === 'string' ? v : undefined);
/** Card look-ups get the purpose pre-filled: the responder confirms with one tap. */
const isCardPath = (path: string) => path.startsWith('/q/') || path.startsWith('/code');

/** Sign-in (sign-in.tsx), purpose, search (search-page.tsx) and the plan page for responders' browsers. Card look-ups are in scan.tsx. */
export function webRoutes(services: AppServices) {
  const session = loadSession(services);
  const forms = sameOriginForms(services, (c) =>
    page(c, <NotAllowedPage who={undefined} detail="This form was not sent from this service's own pages. Go back and try again." />, 403),
  );
  const record = async (event: WebAccessEvent) => services.recordAccess(event);

  return (
    new Hono<WebEnv>()
      .route('/', searchPageRoutes(services))
      .route('/', signInRoutes(services))
      .get('/purpose', session, requireSignedIn, (c) => {
        const returnTo = safeReturnTo(c.req.query('return'));
        const fromCard = isCardPath(returnTo);
        const value = c.var.purpose ?? (fromCard ? CARD_PURPOSE : '');
        return page(c, <PurposePage who={whoOf(c)} returnTo={returnTo} value={value} fromCard={fromCard} />);
      })
      .post('/purpose', forms, session, requireSignedIn, async (c) => {
        const form = await c.req.parseBody();
        const returnTo = safeReturnTo(formText(form.return));
        const purpose = validPurpose(formText(form.purpose));
        if (!purpose) {
          const error = `Give ${PURPOSE_RULE}.`;
          const value = formText(form.purpose)?.slice(0, 200) ?? '';
          return page(c, <PurposePage who={whoOf(c)} returnTo={returnTo} value={value} fromCard={isCardPath(returnTo)} error={error} />, 400);
        }
        services.sessions.setPurpose(c.var.session!, purpose);
        return c.redirect(returnTo, 303);
      })
      .get('/plans/:planId', session, requireSignedIn, requireWebPurpose(services), (c) => planPage(c, services, record))
  );
}

const viaQuery = z.enum(['qr', 'code']).optional().catch(undefined);

/** The current published plan as a page. One access event per request, recorded before the page is sent. */
async function planPage(c: Context<WebEnv>, services: AppServices, record: (e: WebAccessEvent) => Promise<void>) {
  const actor = c.var.actor!;
  const purpose = c.var.purpose!;
  const planId = c.req.param('planId') ?? '';
  // Arrived from a card: the view belongs to the card channel (the scan itself was logged by /q/ or /code),
  // but only when this responder's scan really just resolved to this plan; the query alone proves nothing.
  const fromCard = !!viaQuery.parse(c.req.query('via')) && services.cardGuard.takeScan(clientKey(c, services.trustProxy), planId);
  const channel = fromCard ? 'qr' : 'web';
  const base = { actor, action: 'view', channel, purpose } as const;
  const who = whoOf(c);
  if (!planIdPattern.test(planId)) {
    await record({ ...base, outcome: 'denied', reason: 'not-found' });
    return page(c, <NotFoundPage who={who} />, 404);
  }
  const outcome = services.reader.byId(actor, planId, isoDay(services.clock()));
  if (outcome.ok) {
    const { view } = outcome.value;
    await record({ ...base, planId, versionId: view.versionId, outcome: 'allowed', reason: outcome.value.grant.basis });
    return page(c, <PlanPage view={view} who={who!} purpose={purpose} />);
  }
  if (outcome.code === 'gone') {
    await record({ ...base, planId, outcome: 'denied', reason: 'withdrawn' });
    const extra = outcome.extra as { owningOrg: string; contact: string | null };
    return page(c, <WithdrawnPage who={who} owner={extra.owningOrg} contact={extra.contact} />, 410);
  }
  if (outcome.code === 'forbidden') {
    await record({ ...base, planId, outcome: 'denied', reason: 'forbidden' });
    return page(c, <NotAllowedPage who={who} detail={outcome.detail} />, 403);
  }
  await record({ ...base, planId, outcome: 'denied', reason: 'not-found' });
  return page(c, <NotFoundPage who={who} />, 404);
}

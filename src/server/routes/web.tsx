import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { isoDay } from '../../plans/clock.js';
import { demoUsers } from '../../plans/demo.js';
import { NotAllowedPage, PurposePage, SignInPage, WithdrawnPage, NotFoundPage } from '../../ui/pages.js';
import { PlanPage } from '../../ui/plan.js';
import type { WebAccessEvent } from '../access-seam.js';
import type { AppServices, WebEnv } from '../context.js';
import { searchPageRoutes } from './search-page.js';
import { PURPOSE_RULE, validPurpose } from '../middleware.js';
import { safeReturnTo } from '../session.js';
import { loadSession, page, requireSignedIn, requireWebPurpose, sameOriginForms, whoOf } from '../web.js';

const SESSION_TTL_SECONDS = 8 * 3600;
const planIdPattern = /^[A-Za-z0-9_-]{16}$/;
const formText = (v: unknown) => (typeof v === 'string' ? v : undefined);
/** Card look-ups get the purpose pre-filled: the responder confirms with one tap. */
const isCardPath = (path: string) => path.startsWith('/q/') || path.startsWith('/code');

/** Sign-in, purpose, search (search-page.tsx) and the plan page for responders' browsers. Card look-ups are in scan.tsx. */
export function webRoutes(services: AppServices) {
  const session = loadSession(services);
  const forms = sameOriginForms(services, (c) =>
    page(c, <NotAllowedPage who={undefined} detail="This form was not sent from this service's own pages. Go back and try again." />, 403),
  );
  const record = async (event: WebAccessEvent) => services.recordAccess(event);
  // Re-asked on each sign-in: an organisation that has since gained an identity provider drops out at once.
  const demoChoices = () => (services.devIssuer ? demoUsers.filter((u) => services.auth.devMaySignFor(u.org)) : undefined);

  return (
    new Hono<WebEnv>()
      .route('/', searchPageRoutes(services))
      .get('/sign-in', session, (c) => {
        const returnTo = safeReturnTo(c.req.query('return'));
        return page(c, <SignInPage returnTo={returnTo} demoUsers={demoChoices()} />);
      })
      .post('/sign-in', forms, async (c) => {
        const form = await c.req.parseBody();
        const returnTo = safeReturnTo(formText(form.return));
        const choices = demoChoices();
        const user = choices?.find((u) => u.sub === formText(form.user));
        if (!services.devIssuer || !user) {
          const error = services.devIssuer ? 'Choose one of the identities below.' : 'Development sign-in is off.';
          return page(c, <SignInPage returnTo={returnTo} demoUsers={choices} error={error} />, 400);
        }
        const jwt = await services.devIssuer.sign({ sub: user.sub, org: user.org, roles: user.roles, name: user.label }, SESSION_TTL_SECONDS);
        await services.sessions.write(c, { jwt });
        return c.redirect(returnTo, 303);
      })
      .post('/sign-out', forms, (c) => {
        services.sessions.clear(c);
        return c.redirect('/sign-in', 303);
      })
      .get('/purpose', session, requireSignedIn, (c) => {
        const returnTo = safeReturnTo(c.req.query('return'));
        const fromCard = isCardPath(returnTo);
        const value = c.var.purpose ?? (fromCard ? 'scanned patient card' : '');
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
        await services.sessions.write(c, { ...c.var.session!, purpose, purposeAt: services.clock().getTime() });
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
  // Arrived from a card: the view belongs to the card channel (the scan itself was logged by /q/ or /code).
  const channel = viaQuery.parse(c.req.query('via')) ? 'qr' : 'web';
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

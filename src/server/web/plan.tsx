import { z } from 'zod';
import { isoDay } from '../../plans/core/clock.js';
import { PlanPage } from '../../ui/pages/plan.js';
import type { AppServices } from '../context.js';
import {
  clientKey,
  isPlanId,
  page,
  pageTrail,
  readFailurePage,
  refusalOf,
  requireSignedIn,
  requireWebPurpose,
  web,
  whoOf,
} from './shared.js';

const viaQuery = z.enum(['qr', 'code']).optional().catch(undefined);
/** "Back to results": only ever to this service's own search page, so the link cannot lead elsewhere. */
const backQuery = z
  .string()
  .max(1000)
  .regex(/^\/\?[^\\]*$/)
  .optional()
  .catch(undefined);

/** GET /plans/:planId — the current published plan as a page; one access event per request. */
export const planPage = (s: AppServices) =>
  web.createHandlers(requireSignedIn, requireWebPurpose(s), pageTrail(s, 'view'), async (c) => {
    const actor = c.var.actor!;
    const planId = c.req.param('planId') ?? '';
    // Arrived from a card: the view belongs to the card channel (the scan itself was logged by /q/ or
    // /code), but only when this responder's scan really just resolved to this plan; the query alone
    // proves nothing.
    const fromCard = !!viaQuery.parse(c.req.query('via')) && (await s.cardGuard.takeScan(clientKey(c, s.trustProxy), planId));
    const channel = fromCard ? 'qr' : 'web';
    if (!isPlanId(planId)) {
      c.set('access', { channel, planId: null, outcome: 'denied', reason: 'not-found' });
      return readFailurePage(c, { ok: false, code: 'not_found', detail: 'no such plan' });
    }
    const outcome = await s.reader.byId(actor, planId, isoDay(s.clock()));
    if (!outcome.ok) {
      c.set('access', { channel, planId, outcome: 'denied', reason: refusalOf(outcome) });
      return readFailurePage(c, outcome);
    }
    const { view, grant } = outcome.value;
    c.set('access', { channel, planId, versionId: view.versionId, outcome: 'allowed', reason: grant.basis });
    const contact = (await s.reader.agreements.organisation(view.owningOrg.slug))?.contact ?? undefined;
    return page(
      c,
      <PlanPage view={view} who={whoOf(c)!} purpose={c.var.purpose!} contact={contact} backTo={backQuery.parse(c.req.query('back'))} />,
    );
  });

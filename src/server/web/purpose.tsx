import { CARD_PURPOSE } from '../../plans/access-log/flags.js';
import { PurposePage } from '../../ui/pages/purpose.js';
import { safeReturnTo } from '../auth/session.js';
import type { AppServices } from '../context.js';
import { PURPOSE_RULE, validPurpose } from '../purpose.js';
import { ownForms, page, requireSignedIn, web, whoOf } from './shared.js';

const formText = (v: unknown) => (typeof v === 'string' ? v : undefined);
/** Card look-ups get the purpose pre-filled: the responder confirms with one tap. */
const isCardPath = (path: string) => path.startsWith('/q/') || path.startsWith('/code');

/** GET /purpose — why the responder needs plans now; kept in the session for the incident. */
export const purposeForm = (_s: AppServices) =>
  web.createHandlers(requireSignedIn, (c) => {
    const returnTo = safeReturnTo(c.req.query('return'));
    const fromCard = isCardPath(returnTo);
    const value = c.var.purpose ?? (fromCard ? CARD_PURPOSE : '');
    return page(c, <PurposePage who={whoOf(c)} returnTo={returnTo} value={value} fromCard={fromCard} />);
  });

/** POST /purpose — states it, then back to where the responder was going. */
export const statePurpose = (s: AppServices) =>
  web.createHandlers(ownForms(s), requireSignedIn, async (c) => {
    const form = await c.req.parseBody();
    const returnTo = safeReturnTo(formText(form.return));
    const purpose = validPurpose(formText(form.purpose));
    if (!purpose) {
      const error = `Give ${PURPOSE_RULE}.`;
      const value = formText(form.purpose)?.slice(0, 200) ?? '';
      return page(c, <PurposePage who={whoOf(c)} returnTo={returnTo} value={value} fromCard={isCardPath(returnTo)} error={error} />, 400);
    }
    await s.sessions.setPurpose(c.var.session!, purpose);
    return c.redirect(returnTo, 303);
  });

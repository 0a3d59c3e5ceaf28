import type { Context, MiddlewareHandler } from 'hono';
import { TOKEN_PATTERN, parseShortCode } from '../../plans/cards/code.js';
import type { CardResolution } from '../../plans/cards/cards.js';
import { isoDay } from '../../plans/core/clock.js';
import { CardNotFoundPage, CodeEntryPage } from '../../ui/pages/card.js';
import { RateLimitedPage } from '../../ui/pages/errors.js';
import { eventFor } from '../access-trail/trail.js';
import type { AppServices, WebEnv } from '../context.js';
import {
  CARD_PURPOSE_FRESH_MS,
  clientKey,
  here,
  ownForms,
  page,
  pageTrail,
  readFailurePage,
  refusalOf,
  requireSignedIn,
  requireWebPurpose,
  signInUrl,
  web,
  whoOf,
} from './shared.js';

// The card's way in: `GET /q/:token` (the QR code) and `POST /code` (the printed code typed in).
// Sign-in and a purpose come first, so nothing about a card is looked up for an anonymous visitor; then
// the rate limits; then the card; then the plan, through the same per-plan authorisation as any read.
// A card that resolves redirects to the plan page, which always shows the current published version.

type Via = 'token' | 'code';

/** Every scan is an access event, including one stopped before the card is looked at (no purpose yet). */
const scanPurpose = (s: AppServices) =>
  requireWebPurpose(s, CARD_PURPOSE_FRESH_MS, (c) =>
    c.set('access', { purpose: null, planId: null, outcome: 'denied', reason: 'purpose-required' }),
  );

/** Before sign-in, only the address-based limit applies; the card itself is not touched. */
const anonymousLimit =
  (s: AppServices): MiddlewareHandler<WebEnv> =>
  async (c, next) => {
    if (c.var.actor) return next();
    const client = clientKey(c, s.trustProxy);
    const wait = await s.cardGuard.anonymousHit(client);
    // Anyone can send these: summarised per address and window, so a flood cannot fill the log.
    const reason = wait !== undefined ? 'rate-limited' : 'sign-in-required';
    await s.refusals.refuse({
      client,
      reason,
      event: { actor: null, action: 'qr-scan', channel: 'qr', purpose: null, outcome: 'denied', reason },
    });
    if (wait !== undefined) return page(c, <RateLimitedPage who={undefined} retryAfter={wait} />, 429, { 'Retry-After': String(wait) });
    return c.redirect(signInUrl(here(c)), 303);
  };

/** GET /q/:token — the QR code on the card. */
export const scanQr = (s: AppServices) =>
  web.createHandlers(anonymousLimit(s), pageTrail(s, 'qr-scan', 'qr'), scanPurpose(s), (c) => {
    const token = c.req.param('token') ?? '';
    return cardLanding(c, s, 'token', token, () =>
      TOKEN_PATTERN.test(token) ? s.cards.byToken(token, s.clock()) : Promise.resolve({ ok: false as const, miss: 'unknown' as const }),
    );
  });

/** GET /code — type the card's code when the camera fails. */
export const codeForm = (s: AppServices) =>
  web.createHandlers(requireSignedIn, pageTrail(s, 'qr-scan', 'qr'), scanPurpose(s), (c) =>
    page(c, <CodeEntryPage who={whoOf(c)} value={c.req.query('code')?.slice(0, 30)} />),
  );

/** POST /code — the typed code. */
export const enterCode = (s: AppServices) =>
  web.createHandlers(ownForms(s), requireSignedIn, pageTrail(s, 'qr-scan', 'qr'), scanPurpose(s), async (c) => {
    const typed = (await c.req.parseBody()).code;
    const parsed = parseShortCode(typeof typed === 'string' ? typed.slice(0, 100) : '');
    if (!parsed.ok) {
      // A malformed code or a wrong check character is a typing slip, not a guess at someone's card.
      const error =
        parsed.why === 'check'
          ? 'That code has a typing mistake in it. Check each character against the card.'
          : 'A card code has 11 letters and digits, like K7M2-9QXD-4RW.';
      return page(c, <CodeEntryPage who={whoOf(c)} value={typeof typed === 'string' ? typed.slice(0, 30) : ''} error={error} />, 400);
    }
    return cardLanding(c, s, 'code', parsed.code, () => s.cards.byCode(parsed.code, s.clock()));
  });

/**
 * One card look-up, start to finish. Every path out of here notes the request's `qr-scan` event (the
 * trail records it), except a rate-limited one, which is counted into its window's summary.
 */
async function cardLanding(c: Context<WebEnv>, s: AppServices, via: Via, secret: string, lookUp: () => Promise<CardResolution>) {
  const actor = c.var.actor!;
  const client = clientKey(c, s.trustProxy);
  const { wait, failures } = await s.cardGuard.attempt(client, secret);
  let failuresInWindow = failures;
  const card = (cardId?: number) => ({ via, cardId, failuresInWindow });

  if (wait !== undefined) {
    // Repeats within the window are counted into one summary event, not one row each.
    const event = eventFor(c, 'qr-scan', 'qr', { planId: null, outcome: 'denied', reason: 'rate-limited', card: card() });
    await s.refusals.refuse({ client, reason: 'rate-limited', event });
    return page(c, <RateLimitedPage who={whoOf(c)} retryAfter={wait} />, 429, { 'Retry-After': String(wait) });
  }
  const found = await lookUp();
  if (!found.ok) {
    failuresInWindow = await s.cardGuard.failed(client);
    c.set('access', { planId: null, outcome: 'denied', reason: `${found.miss}-card`, card: card(found.cardId) });
    // Unknown and revoked look alike, with one status, so a card says nothing about whether a plan exists.
    return page(c, <CardNotFoundPage who={whoOf(c)} />, 404);
  }
  const { planId, cardId } = found.card;
  const outcome = await s.reader.byId(actor, planId, isoDay(s.clock()));
  if (outcome.ok) {
    c.set('access', {
      planId,
      versionId: outcome.value.view.versionId,
      outcome: 'allowed',
      reason: outcome.value.grant.basis,
      card: card(cardId),
    });
    await s.cardGuard.scanned(client, planId);
    return c.redirect(`/plans/${planId}?via=${via === 'token' ? 'qr' : 'code'}`, 303);
  }
  if (outcome.code === 'not_found') {
    // Card for a plan with nothing published: to the scanner, the same as an unknown card.
    c.set('access', { planId, outcome: 'denied', reason: 'not-published', card: card(cardId) });
    return page(c, <CardNotFoundPage who={whoOf(c)} />, 404);
  }
  c.set('access', { planId, outcome: 'denied', reason: refusalOf(outcome), card: card(cardId) });
  return readFailurePage(c, outcome);
}

import { Hono, type Context } from 'hono';
import { TOKEN_PATTERN, parseShortCode } from '../../plans/cards/code.js';
import type { CardResolution } from '../../plans/cards/cards.js';
import { isoDay } from '../../plans/core/clock.js';
import { CardNotFoundPage, CodeEntryPage, NotAllowedPage, RateLimitedPage, WithdrawnPage } from '../../ui/pages/pages.js';
import { accessEventOf, type WebAccessEvent } from '../access-trail/web.js';
import type { AppServices, WebEnv } from '../context.js';
import { CARD_PURPOSE_FRESH_MS, clientKey, here, loadSession, page, requireSignedIn, requireWebPurpose, sameOriginForms, signInUrl, whoOf } from '../web/shared.js';

type Via = 'token' | 'code';

/**
 * The card's way in: `GET /q/:token` (the QR code) and `POST /code` (the printed code typed in).
 * Sign-in and a purpose come first, so nothing about a card is looked up for an anonymous visitor; then
 * the rate limits; then the card; then the plan, through the same per-plan authorisation as any read.
 * A card that resolves redirects to the plan page, which always shows the current published version.
 */
export function scanRoutes(services: AppServices) {
  const session = loadSession(services);
  /** Every scan is an access event, including those stopped before the card is even looked at. */
  const refusedScan = (c: Context<WebEnv>, reason: string) =>
    services.recordAccess({ actor: c.var.actor ?? null, action: 'qr-scan', channel: 'qr', purpose: null, outcome: 'denied', reason });
  const purpose = requireWebPurpose(services, CARD_PURPOSE_FRESH_MS, (c) => refusedScan(c, 'purpose-required'));
  const forms = sameOriginForms(services, (c) =>
    page(c, <NotAllowedPage who={undefined} detail="This form was not sent from this service's own pages. Go back and try again." />, 403),
  );

  /** Before sign-in, only the address-based limit applies; the card itself is not touched. */
  const anonymousLimit = async (c: Context<WebEnv>, next: () => Promise<void>) => {
    if (!c.var.actor) {
      const client = clientKey(c, services.trustProxy);
      const wait = services.cardGuard.anonymousHit(client);
      // Anyone can send these: summarised per address and window, so a flood cannot fill the log.
      const reason = wait !== undefined ? 'rate-limited' : 'sign-in-required';
      await services.refusals.refuse({
        client,
        reason,
        event: { actor: null, action: 'qr-scan', channel: 'qr', purpose: null, outcome: 'denied', reason },
      });
      if (wait !== undefined) return page(c, <RateLimitedPage who={undefined} retryAfter={wait} />, 429, { 'Retry-After': String(wait) });
      return c.redirect(signInUrl(here(c)), 303);
    }
    await next();
  };

  return new Hono<WebEnv>()
    .get('/q/:token', session, anonymousLimit, purpose, (c) => {
      const token = c.req.param('token');
      return cardLanding(c, services, 'token', token, () =>
        TOKEN_PATTERN.test(token) ? services.cards.byToken(token, services.clock()) : { ok: false, miss: 'unknown' },
      );
    })
    .get('/code', session, requireSignedIn, purpose, (c) => page(c, <CodeEntryPage who={whoOf(c)} value={c.req.query('code')?.slice(0, 30)} />))
    .post('/code', forms, session, requireSignedIn, purpose, async (c) => {
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
      return cardLanding(c, services, 'code', parsed.code, () => services.cards.byCode(parsed.code, services.clock()));
    });
}

/**
 * One card look-up, start to finish. `record` is called exactly once on every path out of here: this
 * is where the access log's `qr-scan` event goes.
 */
async function cardLanding(
  c: Context<WebEnv>,
  services: AppServices,
  via: Via,
  secret: string,
  lookUp: () => CardResolution,
) {
  const actor = c.var.actor!;
  const who = whoOf(c);
  const client = clientKey(c, services.trustProxy);
  const record = async (e: Pick<WebAccessEvent, 'outcome' | 'reason' | 'planId' | 'versionId'>, cardId?: number) =>
    services.recordAccess({
      actor,
      action: 'qr-scan',
      channel: 'qr',
      purpose: c.var.purpose!,
      ...e,
      card: { via, cardId, failuresInWindow: services.cardGuard.failuresOf(client) },
    });

  const wait = services.cardGuard.attempt(client, secret);
  if (wait !== undefined) {
    // Repeats within the window are counted into one summary event, not one row each.
    const event = accessEventOf({ actor, action: 'qr-scan', channel: 'qr', purpose: c.var.purpose!, outcome: 'denied', reason: 'rate-limited',
      card: { via, failuresInWindow: services.cardGuard.failuresOf(client) } });
    await services.refusals.refuse({ client, reason: 'rate-limited', event });
    return page(c, <RateLimitedPage who={who} retryAfter={wait} />, 429, { 'Retry-After': String(wait) });
  }
  const found = lookUp();
  if (!found.ok) {
    services.cardGuard.failed(client);
    await record({ outcome: 'denied', reason: `${found.miss}-card` }, found.cardId);
    // Unknown and revoked look alike, with one status, so a card says nothing about whether a plan exists.
    return page(c, <CardNotFoundPage who={who} />, 404);
  }
  const { planId, cardId } = found.card;
  const outcome = services.reader.byId(actor, planId, isoDay(services.clock()));
  if (outcome.ok) {
    await record({ outcome: 'allowed', reason: outcome.value.grant.basis, planId, versionId: outcome.value.view.versionId }, cardId);
    services.cardGuard.scanned(client, planId);
    return c.redirect(`/plans/${planId}?via=${via === 'token' ? 'qr' : 'code'}`, 303);
  }
  if (outcome.code === 'gone') {
    await record({ outcome: 'denied', reason: 'withdrawn', planId }, cardId);
    const extra = outcome.extra as { owningOrg: string; contact: string | null };
    return page(c, <WithdrawnPage who={who} owner={extra.owningOrg} contact={extra.contact} />, 410);
  }
  if (outcome.code === 'forbidden') {
    await record({ outcome: 'denied', reason: 'forbidden', planId }, cardId);
    return page(c, <NotAllowedPage who={who} detail={outcome.detail} />, 403);
  }
  // Card for a plan with nothing published: to the scanner, the same as an unknown card.
  await record({ outcome: 'denied', reason: 'not-published', planId }, cardId);
  return page(c, <CardNotFoundPage who={who} />, 404);
}

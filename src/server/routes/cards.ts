import { Hono } from 'hono';
import { z } from 'zod';
import { DEFAULT_CARD_TEXT, cardTextSchema, renderCard } from '../../plans/cards/artefacts.js';
import { formatShortCode } from '../../plans/cards/code.js';
import { issuePrintedCard, listCards, revokeCards } from '../../plans/cards/cards.js';
import { getOrganisation } from '../../plans/organisations.js';
import type { AppEnv, AppServices } from '../context.js';
import { AppError, unwrap } from '../errors.js';
import { auditTrail } from '../access-trail/api.js';
import { requireActor } from '../middleware.js';
import { planIdParam, validate } from '../validate.js';

const issueBody = z.strictObject({
  /** What the person chose to have printed; their name or diagnosis only if they asked for it. */
  text: cardTextSchema.optional(),
  /** Let the card being replaced keep working until then (the person may not have the new one yet). */
  graceUntil: z.iso.datetime({ offset: true }).optional(),
});

/** `Accept: application/pdf` (and not JSON) asks for the printable card alone. */
const wantsPdfOnly = (accept: string | undefined) => !!accept && /application\/pdf/i.test(accept) && !/application\/json/i.test(accept);

/**
 * Authors issue and revoke the card for their own organisation's plans. Only hashes are stored, so
 * the token, the code and the printable artefacts exist once, in the issue response: print them
 * then (JSON with every artefact, or `Accept: application/pdf` for the card alone). A lost card is never reprinted; a new one is issued, and the old one stops working.
 */
export function cardRoutes(services: AppServices) {
  const { db, clock } = services;
  return new Hono<AppEnv>()
    .use('/:planId/cards/*', requireActor(services))
    .use('/:planId/cards', requireActor(services))
    .post('/:planId/cards', auditTrail(services, 'print'), validate('param', planIdParam), validate('json', issueBody), async (c) => {
      const { text, graceUntil } = c.req.valid('json');
      const base = services.publicBaseUrl;
      const printed = text ?? DEFAULT_CARD_TEXT;
      const card = unwrap(
        await issuePrintedCard(db, c.var.actor, c.req.valid('param').planId, { graceUntil: graceUntil ? new Date(graceUntil) : undefined }, clock(), (s) => {
          const org = getOrganisation(db, s.owningOrg)!;
          const print = { url: `${base}/q/${s.token}`, codeEntryUrl: `${base}/code`, code: s.code, text: printed, issuer: org.name, issuerContact: org.contact };
          return renderCard(print);
        }),
      );
      const url = `${base}/q/${card.token}`;
      const issuer = getOrganisation(db, card.owningOrg)!.name;
      const art = card.artefacts;
      const location = `/api/v1/plans/${card.planId}/cards`;
      if (wantsPdfOnly(c.req.header('accept'))) {
        // For printing straight from a script: the card itself carries the code and (in its QR) the URL.
        return c.body(new Uint8Array(art.pdf).buffer, 201, {
          'Content-Type': 'application/pdf',
          'Content-Disposition': `attachment; filename="plan-card-${card.cardId}.pdf"`,
          'Cache-Control': 'no-store',
          'X-Card-Id': String(card.cardId),
          Location: location,
        });
      }
      return c.json(
        {
          cardId: card.cardId,
          planId: card.planId,
          issuedAt: card.issuedAt,
          replaced: card.replaced,
          url,
          code: formatShortCode(card.code),
          printed: { text: printed, issuer },
          artefacts: {
            pdf: { contentType: 'application/pdf', base64: Buffer.from(art.pdf).toString('base64') },
            png: { contentType: 'image/png', base64: art.png.toString('base64') },
            svg: { contentType: 'image/svg+xml', text: art.svg },
          },
          note: 'The token, code and artefacts are shown only in this response: only their hashes are kept.',
        },
        201,
        { 'Cache-Control': 'no-store', Location: location },
      );
    })
    .get('/:planId/cards', auditTrail(services, 'history'), validate('param', planIdParam), (c) => {
      return c.json({ cards: unwrap(listCards(db, c.var.actor, c.req.valid('param').planId, clock())) });
    })
    .get('/:planId/cards/:file{current\\.(?:pdf|png|svg)}', auditTrail(services, 'print'), validate('param', planIdParam.extend({ file: z.string() })), () => {
      // Asked for often enough to answer clearly: only hashes are kept, so there is nothing to reprint.
      throw new AppError('gone', 'a card can only be downloaded when it is issued; issue a new card (the old one stops working)');
    })
    .delete('/:planId/cards/current', validate('param', planIdParam), (c) => {
      return c.json(unwrap(revokeCards(db, c.var.actor, c.req.valid('param').planId, clock())));
    });
}

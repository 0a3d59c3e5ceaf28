import { z } from 'zod';
import { cardTextSchema } from '../../../../plans/cards/artefacts.js';
import { MAX_GRACE_DAYS } from '../../../../plans/cards/cards.js';
import { formatShortCode } from '../../../../plans/cards/code.js';
import { issueCardForPrint } from '../../../../plans/cards/print.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';

const issueBody = z.strictObject({
  /** What the person chose to have printed; their name or diagnosis only if they asked for it. */
  text: cardTextSchema.optional(),
  /** Let the card being replaced keep working until then (the person may not have the new one yet). */
  graceUntil: z.iso
    .datetime({ offset: true })
    .meta({ description: `In the future, at most ${MAX_GRACE_DAYS} days away (a 400 otherwise).` })
    .optional(),
});

/** `Accept: application/pdf` (and not JSON) asks for the printable card alone. */
const wantsPdfOnly = (accept: string | undefined) => !!accept && /application\/pdf/i.test(accept) && !/application\/json/i.test(accept);

const doc: OperationDoc = {
  summary: 'Issue a new patient-held card (revokes the previous one)',
  description:
    'The token, code and printable artefacts exist only in this response: JSON with every artefact, or `Accept: application/pdf` for the card alone.',
  tag: 'cards',
  ok: {
    status: 201,
    description: 'The card',
    schema: z.looseObject({ cardId: z.number().int(), planId: z.string(), issuedAt: z.string(), url: z.string(), code: z.string() }),
    other: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } },
  },
  errors: [400, 403, 404, 409, 410, 503],
};

/**
 * POST /api/v1/plans/:planId/cards — authors issue the card for their own organisation's plans. Only
 * hashes are stored, so the token, the code and the printable artefacts exist once, in this response:
 * print them then (JSON with every artefact, or `Accept: application/pdf` for the card alone). A lost
 * card is never reprinted; a new one is issued, and the old one stops working.
 */
export const issueCard = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'print'), validate('param', planIdParam), validate('json', issueBody), async (c) => {
      const { text, graceUntil } = c.req.valid('json');
      const card = unwrap(
        await issueCardForPrint(
          s.db,
          c.var.actor,
          c.req.valid('param').planId,
          { graceUntil: graceUntil ? new Date(graceUntil) : undefined, text, development: s.localCards ?? !!s.devIssuer },
          s.clock(),
          s.publicBaseUrl,
        ),
      );
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
          url: card.url,
          code: formatShortCode(card.code),
          printed: { text: card.printed.text, issuer: card.printed.issuer },
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
    }),
  );

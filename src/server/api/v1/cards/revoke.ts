import { revokeCards } from '../../../../plans/cards/cards.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: 'Revoke the current card now',
  tag: 'cards',
  ok: { description: 'How many cards stopped working', schema: z.strictObject({ revoked: z.number().int() }) },
  errors: [400, 403, 404],
};

/** DELETE /api/v1/plans/:planId/cards/current — the card stops working now. */
export const revokeCard = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', planIdParam), async (c) =>
      c.json(unwrap(await revokeCards(s.db, c.var.actor, c.req.valid('param').planId, s.clock()))),
    ),
  );

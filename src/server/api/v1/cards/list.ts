import { listCards as list } from '../../../../plans/cards/cards.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: 'Card history (no secrets)',
  tag: 'cards',
  ok: {
    description: 'The cards, newest first',
    schema: z.strictObject({
      cards: z.array(
        z.strictObject({
          cardId: z.number().int(),
          issuedBy: z.string(),
          issuedAt: z.string(),
          revokedAt: z.string().nullable(),
          status: z.enum(['current', 'grace', 'revoked']),
        }),
      ),
    }),
  },
  errors: [400, 403, 404, 503],
};

/** GET /api/v1/plans/:planId/cards — the plan's card history (no secrets). */
export const listCards = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(apiTrail(s, 'history'), validate('param', planIdParam), async (c) =>
      c.json({ cards: unwrap(await list(s.db, c.var.actor, c.req.valid('param').planId, s.clock())) }),
    ),
  );

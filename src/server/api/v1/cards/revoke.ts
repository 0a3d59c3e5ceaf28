import { revokeCards } from '../../../../plans/cards/cards.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';

/** DELETE /api/v1/plans/:planId/cards/current — the card stops working now. */
export const revokeCard = (s: AppServices) =>
  api.createHandlers(validate('param', planIdParam), (c) => c.json(unwrap(revokeCards(s.db, c.var.actor, c.req.valid('param').planId, s.clock()))));

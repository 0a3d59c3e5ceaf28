import { z } from 'zod';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';

const doc: OperationDoc = {
  summary: 'Download the current card again: always 410',
  description: 'Only hashes are kept, so there is nothing to reprint; issue a new card.',
  tag: 'cards',
  errors: [400, 410, 503],
};

/**
 * GET /api/v1/plans/:planId/cards/current.(pdf|png|svg) — asked for often enough to answer clearly:
 * only hashes are kept, so there is nothing to reprint. Any other file name is a 400 naming `file`, as
 * the document's enum says (the route takes any name rather than answering an undocumented 404).
 */
export const downloadCard = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(
      apiTrail(s, 'print'),
      validate('param', planIdParam.extend({ file: z.enum(['current.pdf', 'current.png', 'current.svg']) })),
      () => {
        throw new AppError('gone', 'a card can only be downloaded when it is issued; issue a new card (the old one stops working)');
      },
    ),
  );

import { flagIdParam, flagReviewSchema, reviewFlag as review } from '../../../../plans/access-log/flag-reviews.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: 'Close a flag with an outcome and comment',
  description: 'The review is a flag-review event in the access log.',
  tag: 'audit',
  ok: { status: 201, description: 'The reviewed flag', schema: z.strictObject({ flag: z.looseObject({}) }) },
  errors: [400, 403, 404, 409, 503],
};

/** POST /api/v1/audit/flags/:id/review — the auditor closes a flag; the review is itself an access-log event. */
export const reviewFlag = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', flagIdParam), validate('json', flagReviewSchema), async (c) =>
      c.json(
        {
          flag: unwrap(
            await review({ db: s.db, log: s.accessLog, clock: s.clock }, c.var.actor, c.req.valid('param').id, c.req.valid('json')),
          ),
        },
        201,
      ),
    ),
  );

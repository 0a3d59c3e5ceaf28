import { submitForReview } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

const doc: OperationDoc = {
  summary: 'Submit a draft for review',
  tag: 'authoring',
  ok: { description: 'Now in review', schema: versionAnswerSchema },
  errors: [400, 403, 404, 409],
};

/** POST …/versions/:version/submit — draft → in review. */
export const submitVersion = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', versionParam), async (c) =>
      c.json(await versionAnswer(s.db, unwrap(await submitForReview(s.db, c.var.actor, refOf(c.req.valid('param')), s.clock())))),
    ),
  );

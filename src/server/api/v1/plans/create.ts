import { createPlanBodySchema } from '../../../../plans/core/content.js';
import { createPlan } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { links, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

const doc: OperationDoc = {
  summary: 'Start a plan (version 1, a draft)',
  tag: 'authoring',
  ok: { status: 201, description: 'The new draft; `Location` is its version', schema: versionAnswerSchema },
  errors: [400, 403, 409],
};

/** POST /api/v1/plans — an author starts a plan: version 1, a draft. */
export const createPlanOp = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('json', createPlanBodySchema), async (c) => {
      const ref = unwrap(await createPlan(s.db, c.var.actor, c.req.valid('json'), s.clock()));
      return c.json(await versionAnswer(s.db, ref), 201, { Location: links(ref).version });
    }),
  );

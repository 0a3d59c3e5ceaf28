import { draftBodySchema } from '../../../../plans/core/content.js';
import { editDraft as edit } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

const doc: OperationDoc = {
  summary: 'Edit a draft (the editor becomes one of its authors)',
  tag: 'authoring',
  ok: { description: 'The draft', schema: versionAnswerSchema },
  errors: [400, 403, 404, 409],
};

/** PUT /api/v1/plans/:planId/versions/:version — edit a draft (the editor becomes one of its authors). */
export const editDraft = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', versionParam), validate('json', draftBodySchema), async (c) =>
      c.json(await versionAnswer(s.db, unwrap(await edit(s.db, c.var.actor, refOf(c.req.valid('param')), c.req.valid('json'), s.clock())))),
    ),
  );

import { z } from 'zod';
import { draftBodySchema } from '../../../../plans/core/content.js';
import { createDraft } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { planIdParam, validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { links, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

/** A new draft may carry its content, or be `{}` to start from the current published version. */
const newDraftBody = z.union([draftBodySchema, z.strictObject({}).transform(() => undefined)]);

const doc: OperationDoc = {
  summary: 'New draft, from the current version (`{}`) or from the body',
  tag: 'authoring',
  ok: { status: 201, description: 'The new draft', schema: versionAnswerSchema },
  errors: [400, 403, 404, 409, 410],
};

/** POST /api/v1/plans/:planId/versions — a new draft. */
export const newDraft = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', planIdParam), validate('json', newDraftBody), async (c) => {
      const ref = unwrap(await createDraft(s.db, c.var.actor, c.req.valid('param').planId, c.req.valid('json'), s.clock()));
      return c.json(await versionAnswer(s.db, ref), 201, { Location: links(ref).version });
    }),
  );

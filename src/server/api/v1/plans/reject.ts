import { z } from 'zod';
import { reject } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

const commentBody = z.strictObject({ comment: z.string().trim().min(1).max(2000) });

const doc: OperationDoc = {
  summary: 'Send a version in review back to draft, with a comment',
  tag: 'authoring',
  ok: { description: 'A draft again', schema: versionAnswerSchema },
  errors: [400, 403, 404, 409],
};

/** POST …/versions/:version/reject {comment} — in review → draft, with the approver's comment. */
export const rejectVersion = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', versionParam), validate('json', commentBody), async (c) =>
      c.json(
        await versionAnswer(
          s.db,
          unwrap(await reject(s.db, c.var.actor, refOf(c.req.valid('param')), c.req.valid('json').comment, s.clock())),
        ),
      ),
    ),
  );

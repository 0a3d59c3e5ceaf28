import { z } from 'zod';
import { withdraw } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

const reasonBody = z.strictObject({ reason: z.string().trim().min(3).max(2000) });

const doc: OperationDoc = {
  summary: 'Withdraw a draft (author) or the published plan (approver)',
  description: "A withdrawn plan answers 410 with the team's contact.",
  tag: 'authoring',
  ok: { description: 'Withdrawn', schema: versionAnswerSchema },
  errors: [400, 403, 404, 409],
};

/** POST …/versions/:version/withdraw {reason} — a draft (author) or the published plan (approver). */
export const withdrawVersion = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', versionParam), validate('json', reasonBody), async (c) => {
      const ref = unwrap(
        await withdraw(s.db, c.var.actor, refOf(c.req.valid('param')), c.req.valid('json').reason, s.clock(), s.planEvents),
      );
      return c.json(await versionAnswer(s.db, ref));
    }),
  );

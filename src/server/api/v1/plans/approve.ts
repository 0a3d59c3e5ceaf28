import { z } from 'zod';
import { approve, contentHashSchema } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

const approveBody = z
  .strictObject({
    contentHash: contentHashSchema.meta({
      description:
        'The `contentHash` of the version as you read it (GET …/versions/:version). If the version has changed since, nothing is published (409, reason `content-changed`).',
    }),
  })
  .meta({ id: 'ApproveBody' });

const doc: OperationDoc = {
  summary: 'Approve a version in review (an approver who wrote none of it), naming the content read',
  description:
    'Published; the previous version is superseded. The body names the `contentHash` of the version the approver read: a version returned to draft and rewritten keeps its number, so an approval is for content, not for a number. Refusals carry a `reason`: 403 `four-eyes` (the caller wrote part of it); 409 `content-changed` (the content is not what was read: read it again), `stale-base` (the plan was published again since this version was written), `approval-race` (another approver published first), or `wrong-status` with `versionStatus` when it is no longer in review. Two approvers racing get one 200 and one 409.',
  tag: 'authoring',
  ok: { description: 'Published', schema: versionAnswerSchema },
  errors: [400, 403, 404, 409],
};

/** POST …/versions/:version/approve {contentHash} — in review → published, by an approver who wrote none of it. */
export const approveVersion = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', versionParam), validate('json', approveBody), async (c) => {
      const ref = unwrap(
        await approve(s.db, c.var.actor, refOf(c.req.valid('param')), c.req.valid('json').contentHash, s.clock(), s.planEvents),
      );
      return c.json(await versionAnswer(s.db, ref));
    }),
  );

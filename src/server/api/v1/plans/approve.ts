import { approve } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { versionAnswerSchema } from './answer.js';

const doc: OperationDoc = { summary: 'Approve a version in review (an approver who wrote none of it)', description: 'Published; the previous version is superseded. Two approvers racing get one 200 and one 409.', tag: 'authoring', ok: { description: 'Published', schema: versionAnswerSchema }, errors: [400, 403, 404, 409] };

/** POST …/versions/:version/approve — in review → published, by an approver who wrote none of it. */
export const approveVersion = (s: AppServices) =>
  documented(doc, api.createHandlers(validate('param', versionParam), (c) => {
    const ref = unwrap(approve(s.db, c.var.actor, refOf(c.req.valid('param')), s.clock()));
    // Published: findable by responders as soon as possible, not at the index worker's next poll.
    s.search.indexSoon();
    return c.json(versionAnswer(s.db, ref));
  }));

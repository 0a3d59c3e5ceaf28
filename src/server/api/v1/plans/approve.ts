import { approve } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';

/** POST …/versions/:version/approve — in review → published, by an approver who wrote none of it. */
export const approveVersion = (s: AppServices) =>
  api.createHandlers(validate('param', versionParam), (c) => {
    const ref = unwrap(approve(s.db, c.var.actor, refOf(c.req.valid('param')), s.clock()));
    // Published: findable by responders as soon as possible, not at the index worker's next poll.
    s.search.indexSoon();
    return c.json(versionAnswer(s.db, ref));
  });

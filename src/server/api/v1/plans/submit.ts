import { submitForReview } from '../../../../plans/versions/workflow.js';
import type { AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';
import { validate, versionParam } from '../../../validate.js';
import { api } from '../../factory.js';
import { refOf, versionAnswer } from './answer.js';

/** POST …/versions/:version/submit — draft → in review. */
export const submitVersion = (s: AppServices) =>
  api.createHandlers(validate('param', versionParam), (c) =>
    c.json(versionAnswer(s.db, unwrap(submitForReview(s.db, c.var.actor, refOf(c.req.valid('param')), s.clock())))),
  );

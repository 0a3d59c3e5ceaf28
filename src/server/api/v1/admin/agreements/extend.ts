import { extendAgreement as extend, extendAgreementSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';

/** POST /api/v1/admin/agreements/:ref/extend {to, reason} */
export const extendAgreement = (s: AppServices) =>
  api.createHandlers(validate('param', refParam), validate('json', extendAgreementSchema), async (c) =>
    c.json({ agreement: unwrap(await extend(governanceDeps(s), operator(c), c.req.valid('param').ref, c.req.valid('json'))) }),
  );

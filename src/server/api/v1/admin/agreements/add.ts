import { addAgreement as add } from '../../../../../plans/governance/governance.js';
import { newDsaSchema } from '../../../../../plans/organisations.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';

/** POST /api/v1/admin/agreements */
export const addAgreement = (s: AppServices) =>
  api.createHandlers(validate('json', newDsaSchema), async (c) =>
    c.json({ agreement: unwrap(await add(governanceDeps(s), operator(c), c.req.valid('json'))) }, 201),
  );

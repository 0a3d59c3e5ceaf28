import { extendAgreement as extend, extendAgreementSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { agreementAnswer } from '../shared.js';

const doc: OperationDoc = { summary: 'Extend an agreement', tag: 'admin', ok: { description: 'The agreement', schema: agreementAnswer }, errors: [400, 403, 404, 409, 503] };

/** POST /api/v1/admin/agreements/:ref/extend {to, reason} */
export const extendAgreement = (s: AppServices) =>
  documented(doc, api.createHandlers(validate('param', refParam), validate('json', extendAgreementSchema), async (c) =>
    c.json({ agreement: unwrap(await extend(governanceDeps(s), operator(c), c.req.valid('param').ref, c.req.valid('json'))) }),
  ));

import { addAgreement as add } from '../../../../../plans/governance/governance.js';
import { newDsaSchema } from '../../../../../plans/organisations.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { agreementAnswer } from '../shared.js';

const doc: OperationDoc = { summary: 'Record a data-sharing agreement (an admin of a party)', tag: 'admin', ok: { status: 201, description: 'The agreement', schema: agreementAnswer }, errors: [400, 403, 409, 503] };

/** POST /api/v1/admin/agreements */
export const addAgreement = (s: AppServices) =>
  documented(doc, api.createHandlers(validate('json', newDsaSchema), async (c) =>
    c.json({ agreement: unwrap(await add(governanceDeps(s), operator(c), c.req.valid('json'))) }, 201),
  ));

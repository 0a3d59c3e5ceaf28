import { endAgreement as end, reasonSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { agreementAnswer } from '../shared.js';

const doc: OperationDoc = { summary: 'End an agreement early: reads under it stop at once', tag: 'admin', ok: { description: 'The agreement', schema: agreementAnswer }, errors: [400, 403, 404, 409, 503] };

/** POST /api/v1/admin/agreements/:ref/end {reason} — ended early: reads under it stop at once. */
export const endAgreement = (s: AppServices) =>
  documented(doc, api.createHandlers(validate('param', refParam), validate('json', reasonSchema), async (c) =>
    c.json({ agreement: unwrap(await end(governanceDeps(s), operator(c), c.req.valid('param').ref, c.req.valid('json'))) }),
  ));

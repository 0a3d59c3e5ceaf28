import { endAgreement as end } from '../../../../../plans/governance/agreements.js';
import { reasonSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { agreementAnswer, governanceDeps, operator, refParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';

const doc: OperationDoc = {
  summary: 'End an agreement now (any one party): reads under it stop at once',
  description: "Withdrawing needs no other party's consent. A change waiting for acceptance lapses with it.",
  tag: 'admin',
  ok: { description: 'The agreement', schema: agreementAnswer },
  errors: [400, 403, 404, 409, 503],
};

/** POST /api/v1/admin/agreements/:ref/end {reason} — ended early: reads under it stop at once. */
export const endAgreement = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', refParam), validate('json', reasonSchema), async (c) =>
      c.json({ agreement: unwrap(await end(governanceDeps(s), operator(c), c.req.valid('param').ref, c.req.valid('json'))) }),
    ),
  );

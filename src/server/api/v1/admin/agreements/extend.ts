import { proposeExtension } from '../../../../../plans/governance/agreements.js';
import { extendAgreementSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, proposalAnswer, refParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';

const doc: OperationDoc = {
  summary: 'Propose extending an agreement',
  description: 'A change proposal for the end date: the agreement keeps its current dates until every party has accepted.',
  tag: 'admin',
  ok: { status: 201, description: 'The proposed change', schema: proposalAnswer },
  errors: [400, 403, 404, 409, 503],
};

/** POST /api/v1/admin/agreements/:ref/extend {to, reason} */
export const extendAgreement = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', refParam), validate('json', extendAgreementSchema), async (c) =>
      c.json(
        { proposal: unwrap(await proposeExtension(governanceDeps(s), operator(c), c.req.valid('param').ref, c.req.valid('json'))) },
        201,
      ),
    ),
  );

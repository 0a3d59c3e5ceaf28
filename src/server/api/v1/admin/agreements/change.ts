import { changeProposalSchema, proposeChange } from '../../../../../plans/governance/agreements.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, proposalAnswer, refParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';

const doc: OperationDoc = {
  summary: 'Propose a change to an agreement: dates, or added parties',
  description:
    'The agreement in force stays as it is until every party after the change (added ones included) has accepted. A party leaves by ending the agreement.',
  tag: 'admin',
  ok: { status: 201, description: 'The proposed change', schema: proposalAnswer },
  errors: [400, 403, 404, 409, 503],
};

/** POST /api/v1/admin/agreements/:ref/changes {parties?, validFrom?, validTo?, reason} */
export const proposeAgreementChange = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', refParam), validate('json', changeProposalSchema), async (c) =>
      c.json({ proposal: unwrap(await proposeChange(governanceDeps(s), operator(c), c.req.valid('param').ref, c.req.valid('json'))) }, 201),
    ),
  );

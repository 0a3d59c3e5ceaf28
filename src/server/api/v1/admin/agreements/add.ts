import { proposeAgreement } from '../../../../../plans/governance/agreements.js';
import { newDsaSchema } from '../../../../../plans/organisations.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, proposalAnswer } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';

const doc: OperationDoc = {
  summary: 'Propose a data-sharing agreement (an admin of a party)',
  description:
    "Creates a proposal, with your organisation's acceptance recorded. It binds nobody else: the agreement is in force only once every party's administrator has accepted it (`POST …/proposals/{id}/accept`).",
  tag: 'admin',
  ok: { status: 201, description: 'The proposal, waiting for the other parties', schema: proposalAnswer },
  errors: [400, 403, 409, 503],
};

/** POST /api/v1/admin/agreements — a proposal, not an agreement: see plans/governance/agreements.ts. */
export const addAgreement = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('json', newDsaSchema), async (c) =>
      c.json({ proposal: unwrap(await proposeAgreement(governanceDeps(s), operator(c), c.req.valid('json'))) }, 201),
    ),
  );

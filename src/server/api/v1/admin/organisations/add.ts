import { addOrganisationGoverned } from '../../../../../plans/governance/governance.js';
import { newOrganisationSchema } from '../../../../../plans/organisations.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { organisationAnswer } from '../shared.js';

const doc: OperationDoc = {
  summary:
    "Add an organisation: the service operator's act (403 `operator-only` for an organisation's administrator; `org add` at the command line)",
  tag: 'admin',
  ok: { status: 201, description: 'The organisation', schema: organisationAnswer },
  errors: [400, 403, 409, 503],
};

/** POST /api/v1/admin/organisations */
export const addOrganisation = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('json', newOrganisationSchema), async (c) =>
      c.json({ organisation: unwrap(await addOrganisationGoverned(governanceDeps(s), operator(c), c.req.valid('json'))) }, 201),
    ),
  );

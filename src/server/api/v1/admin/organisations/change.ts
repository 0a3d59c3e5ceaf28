import { changeOrganisation as change, organisationPatchSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, slugParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { organisationAnswer } from '../shared.js';

const doc: OperationDoc = {
  summary:
    "Change an organisation's record (its own admin): name, contact, token issuer and its organisation claim; `kind` is the operator's (403 `operator-only`)",
  tag: 'admin',
  ok: { description: 'The organisation', schema: organisationAnswer },
  errors: [400, 403, 404, 409, 503],
};

/** PATCH /api/v1/admin/organisations/:slug — name, contact, identity provider (kind only by the operator). */
export const changeOrganisation = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', slugParam), validate('json', organisationPatchSchema), async (c) =>
      c.json({ organisation: unwrap(await change(governanceDeps(s), operator(c), c.req.valid('param').slug, c.req.valid('json'))) }),
    ),
  );

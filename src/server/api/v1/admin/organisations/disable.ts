import { disableOrganisation as disable, reasonSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, slugParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { organisationAnswer } from '../shared.js';

const doc: OperationDoc = {
  summary: 'Disable an organisation: its tokens and sign-ins are refused at once',
  tag: 'admin',
  ok: { description: 'The organisation', schema: organisationAnswer },
  errors: [400, 403, 404, 409, 503],
};

/** POST /api/v1/admin/organisations/:slug/disable {reason} — its people are refused at once. */
export const disableOrganisation = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', slugParam), validate('json', reasonSchema), async (c) =>
      c.json({ organisation: unwrap(await disable(governanceDeps(s), operator(c), c.req.valid('param').slug, c.req.valid('json'))) }),
    ),
  );

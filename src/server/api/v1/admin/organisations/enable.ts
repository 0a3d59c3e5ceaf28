import { enableOrganisation as enable, reasonSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, slugParam } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { organisationAnswer } from '../shared.js';

const doc: OperationDoc = {
  summary: "Enable a disabled organisation again: the service operator's act (403 `operator-only` for an organisation's administrator)",
  tag: 'admin',
  ok: { description: 'The organisation', schema: organisationAnswer },
  errors: [400, 403, 404, 409, 503],
};

/**
 * POST /api/v1/admin/organisations/:slug/enable {reason}. The policy keeps it for the operator (the
 * command line, `org enable`), so through the API it answers why not rather than an unknown route.
 */
export const enableOrganisation = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('param', slugParam), validate('json', reasonSchema), async (c) =>
      c.json({ organisation: unwrap(await enable(governanceDeps(s), operator(c), c.req.valid('param').slug, c.req.valid('json'))) }),
    ),
  );

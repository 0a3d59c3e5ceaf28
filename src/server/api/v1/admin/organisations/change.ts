import { changeOrganisation as change, organisationPatchSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';

/** PATCH /api/v1/admin/organisations/:slug — name, contact, kind, identity provider. */
export const changeOrganisation = (s: AppServices) =>
  api.createHandlers(validate('param', slugParam), validate('json', organisationPatchSchema), async (c) =>
    c.json({ organisation: unwrap(await change(governanceDeps(s), operator(c), c.req.valid('param').slug, c.req.valid('json'))) }),
  );

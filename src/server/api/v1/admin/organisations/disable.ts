import { disableOrganisation as disable, reasonSchema } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';

/** POST /api/v1/admin/organisations/:slug/disable {reason} — its people are refused at once. */
export const disableOrganisation = (s: AppServices) =>
  api.createHandlers(validate('param', slugParam), validate('json', reasonSchema), async (c) =>
    c.json({ organisation: unwrap(await disable(governanceDeps(s), operator(c), c.req.valid('param').slug, c.req.valid('json'))) }),
  );

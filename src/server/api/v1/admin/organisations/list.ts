import { listOrganisationsView } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';

/** GET /api/v1/admin/organisations */
export const listOrganisations = (s: AppServices) =>
  api.createHandlers((c) => {
    requireAdmin(c);
    return c.json({ organisations: listOrganisationsView(s.db) });
  });

import { isoDay } from '../../../../../plans/core/clock.js';
import { sharingMatrix } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, refParam, requireAdmin, slugParam } from '../shared.js';

/** GET /api/v1/admin/agreements/matrix — who can see whose plans today. */
export const agreementMatrix = (s: AppServices) =>
  api.createHandlers((c) => {
    requireAdmin(c);
    return c.json(sharingMatrix(s.db, isoDay(s.clock())));
  });

import { governanceOverview } from '../../../../plans/governance/summary.js';
import type { AppServices } from '../../../context.js';
import { api } from '../../factory.js';
import { requireAdmin } from './shared.js';

/** GET /api/v1/admin/overview — per organisation, what the NHS review found missing. */
export const adminOverview = (s: AppServices) =>
  api.createHandlers((c) => {
    requireAdmin(c);
    return c.json(governanceOverview(s.db, s.clock()));
  });

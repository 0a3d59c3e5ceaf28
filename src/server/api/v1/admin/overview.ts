import { governanceOverview } from '../../../../plans/governance/summary.js';
import type { AppServices } from '../../../context.js';
import { api } from '../../factory.js';
import { requireAdmin } from './shared.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: 'Per organisation: agreements, overdue reviews, missing co-production, unreviewed emergency access',
  tag: 'admin',
  ok: { description: 'The overview', schema: z.looseObject({}) },
  errors: [403],
};

/** GET /api/v1/admin/overview — per organisation, what the NHS review found missing. */
export const adminOverview = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(async (c) => {
      requireAdmin(c);
      return c.json(await governanceOverview(s.db, s.clock()));
    }),
  );

import { isoDay } from '../../../../../plans/core/clock.js';
import { sharingMatrix } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { api } from '../../../factory.js';
import { requireAdmin } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: 'Who can see whose plans today',
  tag: 'admin',
  ok: { description: 'The sharing matrix', schema: z.looseObject({}) },
  errors: [403],
};

/** GET /api/v1/admin/agreements/matrix — who can see whose plans today. */
export const agreementMatrix = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(async (c) => {
      requireAdmin(c);
      return c.json(await sharingMatrix(s.db, isoDay(s.clock())));
    }),
  );

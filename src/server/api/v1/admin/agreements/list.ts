import { z } from 'zod';
import { isoDay } from '../../../../../plans/core/clock.js';
import { agreementStates, agreementViewSchema, listAgreements as list } from '../../../../../plans/governance/governance.js';

const agreementQuery = z.strictObject({ state: z.enum(agreementStates).optional() });
import type { AppServices } from '../../../../context.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { requireAdmin } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';

const doc: OperationDoc = {
  summary: 'Data-sharing agreements every party accepted, with parties, dates and state (proposals: …/proposals)',
  tag: 'admin',
  ok: { description: 'The agreements', schema: z.strictObject({ day: z.string(), agreements: z.array(agreementViewSchema) }) },
  errors: [400, 403],
};

/** GET /api/v1/admin/agreements?state= — with parties, dates and state today. */
export const listAgreements = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(validate('query', agreementQuery), async (c) => {
      requireAdmin(c);
      const day = isoDay(s.clock());
      return c.json({ day, agreements: await list(s.db, day, c.req.valid('query').state) });
    }),
  );

import { listOrganisationsView } from '../../../../../plans/governance/governance.js';
import type { AppServices } from '../../../../context.js';
import { api } from '../../../factory.js';
import { requireAdmin } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';
import { z } from 'zod';

const doc: OperationDoc = {
  summary: 'The register of organisations',
  tag: 'admin',
  ok: {
    description: 'Every organisation with its state',
    schema: z.strictObject({ organisations: z.array(z.looseObject({ slug: z.string() })) }),
  },
  errors: [403],
};

/** GET /api/v1/admin/organisations */
export const listOrganisations = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(async (c) => {
      requireAdmin(c);
      return c.json({ organisations: await listOrganisationsView(s.db) });
    }),
  );

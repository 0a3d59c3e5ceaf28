import { z } from 'zod';
import { isoDay } from '../../../../plans/core/clock.js';
import { externalRefSchema, slugSchema } from '../../../../plans/core/content.js';
import { concealedByReference } from '../../../../plans/policy.js';
import { NO_SUCH_PLAN } from '../../../../plans/versions/read.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppServices } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { requirePurpose } from '../../../purpose.js';
import { validate } from '../../../validate.js';
import { api } from '../../factory.js';
import { readOptions, served } from './read-shared.js';
import { refLookupLimit } from './ref-limit.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { planViewSchema } from '../../../../plans/versions/read.js';

const byRefQuery = z.strictObject({
  externalRef: externalRefSchema,
  /** Whose reference it is; defaults to the caller's own organisation (systems linking their own plans). */
  org: slugSchema.optional(),
});

const doc: OperationDoc = {
  summary: "Read the current published plan by the owning organisation's reference",
  description:
    "A caller who may not read the plan gets the same 404 as for an unknown reference (the access log records the real refusal). Rate-limited per person, counting different references, together with FHIR's CarePlan search by identifier (REF_LOOKUP_BURST, REF_LOOKUP_PER_HOUR).",
  tag: 'plans',
  purpose: 'required',
  emergency: true,
  ok: { description: 'The plan as this reader may see it', schema: planViewSchema },
  errors: [400, 404, 410, 429, 503],
};

/** GET /api/v1/plans?externalRef=&org= — the same read, by the owning organisation's own reference. */
export const getPlanByRef = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(
      refLookupLimit(s, 'api', (c) => ({ org: c.req.query('org') ?? c.var.actor.org, externalRef: c.req.query('externalRef') ?? '' })),
      apiTrail(s, 'view'),
      requirePurpose,
      validate('query', byRefQuery),
      async (c) => {
        const { externalRef, org } = c.req.valid('query');
        const actor = c.var.actor;
        const note = { query: { externalRef, org: org ?? actor.org } };
        c.set('access', note);
        const result = await s.reader.byExternalRef(actor, org ?? actor.org, externalRef, isoDay(s.clock()), readOptions(c));
        if (!result.ok && concealedByReference(result.code)) {
          const why = typeof result.extra?.reason === 'string' ? ` (${result.extra.reason})` : '';
          c.set('access', {
            ...note,
            planId: result.extra?.planId as string | undefined,
            denial: `${result.code}${why}: ${result.detail}`,
          });
          throw new AppError('not_found', NO_SUCH_PLAN);
        }
        return served(c, result);
      },
    ),
  );

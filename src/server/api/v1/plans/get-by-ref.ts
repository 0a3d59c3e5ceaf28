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

const byRefQuery = z.strictObject({
  externalRef: externalRefSchema,
  /** Whose reference it is; defaults to the caller's own organisation (systems linking their own plans). */
  org: slugSchema.optional(),
});

/** GET /api/v1/plans?externalRef=&org= — the same read, by the owning organisation's own reference. */
export const getPlanByRef = (s: AppServices) =>
  api.createHandlers(apiTrail(s, 'view'), requirePurpose, validate('query', byRefQuery), (c) => {
    const { externalRef, org } = c.req.valid('query');
    const actor = c.var.actor;
    const note = { query: { externalRef, org: org ?? actor.org } };
    c.set('access', note);
    const result = s.reader.byExternalRef(actor, org ?? actor.org, externalRef, isoDay(s.clock()), readOptions(c));
    if (!result.ok && concealedByReference(result.code)) {
      const why = typeof result.extra?.reason === 'string' ? ` (${result.extra.reason})` : '';
      c.set('access', { ...note, planId: result.extra?.planId as string | undefined, denial: `${result.code}${why}: ${result.detail}` });
      throw new AppError('not_found', NO_SUCH_PLAN);
    }
    return served(c, result);
  });

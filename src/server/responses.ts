import { z } from 'zod';
import { lawfulBases, locationSchema, planContentSchema, subjectSchema } from '../plans/core/content.js';
import { versionStatuses } from '../../db/schema/plans.js';

/**
 * Response shapes of the JSON API. Routes build their bodies from domain types; tests parse responses
 * with these so a drift between code and contract fails a test.
 */
export const problemResponse = z.looseObject({
  type: z.string().startsWith('/problems/'),
  title: z.string().min(1),
  status: z.number().int().min(400).max(599),
  detail: z.string().min(1),
  instance: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const planViewResponse = z.strictObject({
  planId: z.string(),
  externalRef: z.string(),
  owningOrg: z.strictObject({ slug: z.string(), name: z.string() }),
  version: z.number().int().min(1),
  versionId: z.number().int(),
  publishedAt: z.iso.datetime(),
  reviewBy: z.iso.date(),
  stale: z.boolean(),
  subject: subjectSchema,
  locations: z.array(locationSchema),
  content: planContentSchema.partial(),
  withheldSections: z.array(z.enum(Object.keys(planContentSchema.shape) as [string, ...string[]])),
  governance: z.strictObject({
    coProduced: z.boolean(),
    agreedBySubjectOn: z.iso.date().optional(),
    lawfulBasis: z.enum(lawfulBases),
  }),
  notice: z.string().min(1),
});

export const versionRefResponse = z.strictObject({
  planId: z.string(),
  version: z.number().int().min(1),
  status: z.enum(versionStatuses),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  links: z.strictObject({ plan: z.string(), version: z.string() }),
});

export const historyResponse = z.strictObject({
  planId: z.string(),
  externalRef: z.string(),
  owningOrg: z.string(),
  currentVersion: z.number().int().nullable(),
  withdrawn: z.boolean(),
  versions: z.array(z.looseObject({ version: z.number().int(), status: z.enum(versionStatuses), authors: z.array(z.string()) })),
  events: z.array(z.strictObject({ version: z.number().nullable(), action: z.string(), actor: z.string(), at: z.string(), comment: z.string().nullable(), contentHash: z.string().nullable() })),
});

export const diffResponse = z.strictObject({
  planId: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(z.strictObject({ section: z.string(), change: z.enum(['added', 'removed', 'changed']), before: z.unknown().optional(), after: z.unknown().optional() })),
  unchanged: z.array(z.string()),
});

export const healthResponse = z.strictObject({ status: z.literal('ok'), search: z.enum(['meilisearch', 'degraded']) });

import { z } from 'zod';
import type { Store } from '../../../db/runtime.js';
import { versionStatuses } from '../../../db/schema/plans.js';
import type { Actor } from '../core/actor.js';
import { fail, ok } from '../core/result.js';
import { authoriseHistory, authoriseVersionContent } from '../policy.js';
import { governanceSchema, locationSchema, planContentSchema, subjectSchema } from '../core/content.js';
import { findPlan, findVersion, versionsOf, workflowEventsOf, type VersionRow } from './store.js';

// Authoring reads: a plan's versions and workflow events, and one version in full, for the owning
// organisation's staff (policy.ts authoriseHistory). Not cached: these are office reads, not the hot path.

const nullableText = z.string().nullable();

/** One version without its content (who, when, why): the rows of a plan's history. */
export const versionSummarySchema = z.strictObject({
  version: z.number().int().min(1),
  status: z.enum(versionStatuses),
  changeSummary: nullableText,
  reviewBy: z.string(),
  authors: z.array(z.string()),
  /** sha256 of the version's canonical content: an approval must name it (workflow.ts approve). */
  contentHash: z.string(),
  createdAt: z.string(),
  submittedBy: nullableText,
  submittedAt: nullableText,
  approvedBy: nullableText,
  publishedAt: nullableText,
  supersededAt: nullableText,
  withdrawnBy: nullableText,
  withdrawnAt: nullableText,
  withdrawReason: nullableText,
});

/** GET …/versions: every version and workflow event, no content (auditors may read it). */
export const planHistorySchema = z
  .strictObject({
    planId: z.string(),
    externalRef: z.string(),
    owningOrg: z.string(),
    currentVersion: z.number().int().nullable(),
    withdrawn: z.boolean(),
    versions: z.array(versionSummarySchema),
    events: z.array(
      z.strictObject({
        version: z.number().int().nullable(),
        action: z.string(),
        actor: z.string(),
        at: z.string(),
        comment: nullableText,
        contentHash: nullableText,
      }),
    ),
  })
  .meta({ id: 'PlanHistory' });

export function versionSummary(v: VersionRow): z.output<typeof versionSummarySchema> {
  return {
    version: v.version,
    status: v.status,
    changeSummary: v.changeSummary,
    reviewBy: v.reviewBy,
    authors: v.authors,
    contentHash: v.contentHash,
    createdAt: v.createdAt,
    submittedBy: v.submittedBy,
    submittedAt: v.submittedAt,
    approvedBy: v.approvedBy,
    publishedAt: v.publishedAt,
    supersededAt: v.supersededAt,
    withdrawnBy: v.withdrawnBy,
    withdrawnAt: v.withdrawnAt,
    withdrawReason: v.withdrawReason,
  };
}

export async function planHistory(db: Store, actor: Actor, planId: string) {
  const plan = await findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseHistory(actor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  const [versions, events] = [await versionsOf(db, planId), await workflowEventsOf(db, planId)];
  const numberOf = new Map(versions.map((v) => [v.id, v.version]));
  return ok({
    planId,
    externalRef: plan.externalRef,
    owningOrg: plan.owningOrg,
    currentVersion: versions.find((v) => v.id === plan.currentVersionId)?.version ?? null,
    withdrawn: plan.withdrawnAt !== null,
    versions: versions.map(versionSummary),
    events: events.map((e) => ({
      version: numberOf.get(e.versionId) ?? null,
      action: e.action,
      actor: e.actor,
      at: e.at,
      comment: e.comment,
      contentHash: e.contentHash,
    })),
  });
}

/** GET …/versions/:version: one version in full, any status. */
export const versionDetailSchema = versionSummarySchema
  .extend({
    planId: z.string(),
    externalRef: z.string(),
    versionId: z.number().int(),
    subject: subjectSchema,
    locations: z.array(locationSchema),
    plan: planContentSchema,
    governance: governanceSchema,
  })
  .meta({ id: 'PlanVersion' });

/** One version in full, any status: for the people writing and approving it (not auditors: policy.ts). */
export async function readVersion(db: Store, actor: Actor, planId: string, version: number) {
  const plan = await findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseVersionContent(actor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  const v = await findVersion(db, planId, version);
  if (!v) return fail('not_found', `plan has no version ${version}`);
  return ok({
    planId,
    externalRef: plan.externalRef,
    versionId: v.id,
    ...versionSummary(v),
    subject: v.subject,
    locations: v.locations,
    plan: v.content,
    governance: v.governance,
  });
}

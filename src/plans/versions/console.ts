import { desc, eq } from 'drizzle-orm';
import { schema, type Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import { fail, ok, type Result } from '../core/result.js';
import { authoriseVersionContent } from '../policy.js';
import { findPlan, findVersionById, recordOf, type VersionRow } from './store.js';

/**
 * A plan as the console works on it: its latest version in full (the open draft, the one in review, or
 * the published one), the version responders see, and the approver's last return comment if the
 * draft came back. Authors and approvers of the owning trust only (policy.ts).
 */
export function consolePlan(db: Db, actor: Actor, planId: string) {
  const plan = findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseVersionContent(actor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  const latest = db.select().from(schema.planVersions).where(eq(schema.planVersions.planId, planId)).orderBy(desc(schema.planVersions.version)).get()!;
  const current = plan.currentVersionId === null ? undefined : findVersionById(db, plan.currentVersionId);
  const last = db.select().from(schema.workflowEvents).where(eq(schema.workflowEvents.versionId, latest.id)).orderBy(desc(schema.workflowEvents.id)).get();
  const returned = latest.status === 'draft' && last?.action === 'rejected' ? { by: last.actor, at: last.at, comment: last.comment } : undefined;
  return ok({ planId, externalRef: plan.externalRef, owningOrg: plan.owningOrg, latest, record: recordOf(latest), current, returned });
}
export type ConsolePlan = Extract<ReturnType<typeof consolePlan>, { ok: true }>['value'];

/** The open draft to edit, or why there is none (in review, or nothing open: start a new draft first). */
export function openDraftOf(p: ConsolePlan): Result<VersionRow> {
  if (p.latest.status === 'draft') return ok(p.latest);
  if (p.latest.status === 'in-review') return fail('conflict', 'this version is waiting for review; it can be changed once it is returned', { reason: 'in-review' });
  return fail('conflict', 'there is no open draft: start a new draft from the published version', { reason: 'no-draft' });
}

import type { Store } from '../../../db/runtime.js';
import type { Actor } from '../core/actor.js';
import { fail, ok, type Result } from '../core/result.js';
import { authoriseVersionContent } from '../policy.js';
import { findPlan, findVersionById, lastWorkflowEvent, latestVersion, recordOf, type VersionRow } from './store.js';

/**
 * A plan as the console works on it: its latest version in full (the open draft, the one in review, or
 * the published one), the version responders see, and the approver's last return comment if the
 * draft came back. Authors and approvers of the owning trust only (policy.ts).
 */
export async function consolePlan(db: Store, actor: Actor, planId: string) {
  const plan = await findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseVersionContent(actor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  const latest = (await latestVersion(db, planId))!;
  const current = plan.currentVersionId === null ? undefined : await findVersionById(db, plan.currentVersionId);
  const last = await lastWorkflowEvent(db, latest.id);
  const returned =
    latest.status === 'draft' && last?.action === 'rejected' ? { by: last.actor, at: last.at, comment: last.comment } : undefined;
  return ok({ planId, externalRef: plan.externalRef, owningOrg: plan.owningOrg, latest, record: recordOf(latest), current, returned });
}
export type ConsolePlan = Extract<Awaited<ReturnType<typeof consolePlan>>, { ok: true }>['value'];

/** The open draft to edit, or why there is none (in review, or nothing open: start a new draft first). */
export function openDraftOf(p: ConsolePlan): Result<VersionRow> {
  if (p.latest.status === 'draft') return ok(p.latest);
  if (p.latest.status === 'in-review')
    return fail('conflict', 'this version is waiting for review; it can be changed once it is returned', { reason: 'in-review' });
  return fail('conflict', 'there is no open draft: start a new draft from the published version', { reason: 'no-draft' });
}

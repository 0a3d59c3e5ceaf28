import type { Store } from '../../../db/runtime.js';
import type { Actor } from '../core/actor.js';
import { fail, ok, reasonOf } from '../core/result.js';
import { authoriseApproval, authoriseReviewQueue } from '../policy.js';
import { diffRecords, wholeRecord } from './diff.js';
import { consolePlan } from './console.js';
import { findVersion, findVersionById, recordOf } from './store.js';
import { withWords } from './word-diff.js';

/**
 * What an approver reads before deciding: the proposal, the published version it was written from, each
 * changed section word by word, or every section in full when nothing was published before (the approval
 * names this content's hash, so the page must show all of it). Approvers of the owning trust only; any
 * version number (a stale link shows what that version now is).
 */
export async function reviewOf(db: Store, actor: Actor, planId: string, version: number) {
  const queue = authoriseReviewQueue(actor);
  if (!queue.ok) return queue;
  const p = await consolePlan(db, actor, planId);
  if (!p.ok) return p;
  const proposal = await findVersion(db, planId, version);
  if (!proposal) return fail('not_found', `plan has no version ${version}`);
  const base = proposal.baseVersionId === null ? undefined : await findVersionById(db, proposal.baseVersionId);
  const diff = base ? diffRecords(recordOf(base), recordOf(proposal)) : undefined;
  const current = p.value.current?.id ?? null;
  const approval = authoriseApproval(actor, { owningOrg: p.value.owningOrg, currentVersionId: current }, proposal);
  return ok({
    plan: p.value,
    proposal,
    base,
    changes: withWords(diff ? diff.changes : wholeRecord(recordOf(proposal))),
    unchanged: diff?.unchanged ?? [],
    /** The page offers approval only when policy.ts would allow it; otherwise it says why (`four-eyes`, `stale-base`). */
    mayApprove: approval.ok,
    notApprovable: reasonOf(approval),
  });
}
export type Review = Extract<Awaited<ReturnType<typeof reviewOf>>, { ok: true }>['value'];

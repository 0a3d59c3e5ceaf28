import { z } from 'zod';
import type { Body, Store } from '../../../db/runtime.js';
import { authoriseApproval, authoriseWithdrawal, authoriseWrite } from '../policy.js';
import type { Actor } from '../core/actor.js';
import type { CreatePlanBody, DraftBody, PlanRecord } from '../core/content.js';
import { fail, ok, type Failure, type Result } from '../core/result.js';
import type { PlanEvents } from './events.js';
import {
  enqueueIndexSyncIn,
  findPlanByRefIn,
  findPlanIn,
  findVersionByIdIn,
  findVersionIn,
  insertPlanIn,
  insertVersionIn,
  lockPlan,
  lockPlanRef,
  logWorkflowIn,
  moveStatusIn,
  newPlanId,
  nextVersionNumberIn,
  openVersionIn,
  publishVersion,
  recordOf,
  transaction,
  versionColumnsOf,
  withdrawPlanIn,
  type PlanRow,
  type Tx,
  type VersionRow,
} from './store.js';

/**
 * The publishing workflow: draft → in-review → published → superseded, or withdrawn.
 * Every transition is a compare-and-set on the version's status inside one transaction that first takes
 * the plan's lock (store.ts lockPlan), so two people (or two processes, or two nodes) acting on
 * the same version at once cannot both succeed.
 */

export type VersionRef = { planId: string; version: number };

/** A version's content hash as shown with it (store.ts recordHash): what an approval names. */
export const contentHashSchema = z
  .string({ error: 'give the contentHash shown with the version you read' })
  .regex(/^[0-9a-f]{64}$/, { error: 'a contentHash is 64 lowercase hexadecimal characters, as shown with the version' });

const splitBody = ({ changeSummary, ...record }: DraftBody): { record: PlanRecord; changeSummary: string | null } => ({
  record,
  changeSummary: changeSummary ?? null,
});

/** A new draft version, written by `actor`, and the workflow event that says so. */
function* insertDraft(
  tx: Tx,
  actor: Actor,
  v: { planId: string; version: number; record: PlanRecord; changeSummary: string | null; baseVersionId: number | null },
  at: string,
): Body<void> {
  const columns = versionColumnsOf(v.record);
  const id = yield* insertVersionIn(tx, {
    planId: v.planId,
    version: v.version,
    status: 'draft',
    ...columns,
    changeSummary: v.changeSummary,
    authors: [actor.sub],
    baseVersionId: v.baseVersionId,
    createdBy: actor.sub,
    createdAt: at,
    updatedAt: at,
  });
  yield* logWorkflowIn(tx, {
    planId: v.planId,
    versionId: id,
    action: 'created',
    actor: actor.sub,
    actorOrg: actor.org,
    at,
    contentHash: columns.contentHash,
  });
}

export async function createPlan(db: Store, actor: Actor, body: CreatePlanBody, now: Date): Promise<Result<VersionRef>> {
  const allowed = authoriseWrite(actor, actor.org, 'author');
  if (!allowed.ok) return allowed;
  const { externalRef, ...draft } = body;
  const { record, changeSummary } = splitBody(draft);
  return transaction(db, function* (tx) {
    yield* lockPlanRef(actor.org, externalRef);
    if (yield* findPlanByRefIn(tx, actor.org, externalRef)) {
      return fail('conflict', `${actor.org} already has a plan with externalRef "${externalRef}"`, { reason: 'external-ref-taken' });
    }
    const at = now.toISOString();
    const planId = newPlanId();
    yield* insertPlanIn(tx, { id: planId, owningOrg: actor.org, externalRef, createdAt: at, updatedAt: at });
    yield* insertDraft(tx, actor, { planId, version: 1, record, changeSummary: changeSummary ?? 'First version', baseVersionId: null }, at);
    return ok({ planId, version: 1 });
  });
}

/** A new draft from the current published version (or from `body` when given). One open draft per plan. */
export function createDraft(db: Store, actor: Actor, planId: string, body: DraftBody | undefined, now: Date): Promise<Result<VersionRef>> {
  return transaction(db, function* (tx) {
    yield* lockPlan(planId);
    const plan = yield* findPlanIn(tx, planId);
    if (!plan) return fail('not_found', 'no such plan');
    const allowed = authoriseWrite(actor, plan.owningOrg, 'author');
    if (!allowed.ok) return allowed;
    const open = yield* openVersionIn(tx, planId);
    if (open) {
      return fail('conflict', `version ${open.version} is still ${open.status}: finish or withdraw it first`, {
        reason: 'open-version',
        openVersion: open.version,
      });
    }
    const base = plan.currentVersionId === null ? undefined : yield* findVersionByIdIn(tx, plan.currentVersionId);
    const fromBody = body ? splitBody(body) : undefined;
    const record = fromBody?.record ?? (base ? recordOf(base) : undefined);
    if (!record) return fail('invalid', 'this plan has no published version to start from: send the content');
    const at = now.toISOString();
    const version = yield* nextVersionNumberIn(tx, planId);
    yield* insertDraft(
      tx,
      actor,
      { planId, version, record, changeSummary: fromBody?.changeSummary ?? null, baseVersionId: base?.id ?? null },
      at,
    );
    return ok({ planId, version });
  });
}

/** Loads plan and version and checks the actor may act on them in `role`. */
function* loadForChange(
  tx: Tx,
  actor: Actor,
  ref: VersionRef,
  role: 'author' | 'approver',
): Body<Result<{ plan: PlanRow; version: VersionRow }>> {
  const plan = yield* findPlanIn(tx, ref.planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseWrite(actor, plan.owningOrg, role);
  if (!allowed.ok) return allowed;
  const version = yield* findVersionIn(tx, ref.planId, ref.version);
  if (!version) return fail('not_found', `plan has no version ${ref.version}`);
  return ok({ plan, version });
}

const moveStatus = (tx: Tx, version: VersionRow, from: VersionRow['status'], set: Parameters<typeof moveStatusIn>[3]) =>
  moveStatusIn(tx, version.id, from, set);

/** The version is not (or no longer) in the state the step needs: someone else moved it, or it never was. */
const wrongStatus = (v: VersionRow, wanted: string) =>
  fail('conflict', `version ${v.version} is ${v.status}; this needs it to be ${wanted}`, {
    reason: 'wrong-status',
    versionStatus: v.status,
  });

type WorkflowAction = 'edited' | 'submitted' | 'approved' | 'rejected';
type Loaded = { tx: Tx; plan: PlanRow; version: VersionRow; at: string };
/** A failure aborts the step; an edit answers the new content's hash, so its event records what it wrote. */
type Changed = Failure | { contentHash: string } | undefined;

/**
 * One workflow step: in one transaction holding the plan's lock, load and authorise, apply `change` (which
 * returns a failure to abort), and record who did it and the content hash the step concerned.
 */
function transition(
  db: Store,
  actor: Actor,
  ref: VersionRef,
  role: 'author' | 'approver',
  action: WorkflowAction,
  now: Date,
  change: (c: Loaded) => Body<Changed>,
  comment?: string,
): Promise<Result<VersionRef>> {
  return transaction(db, function* (tx) {
    yield* lockPlan(ref.planId);
    const loaded = yield* loadForChange(tx, actor, ref, role);
    if (!loaded.ok) return loaded;
    const at = now.toISOString();
    const changed = yield* change({ tx, ...loaded.value, at });
    if (changed && 'ok' in changed) return changed;
    const contentHash = changed?.contentHash ?? loaded.value.version.contentHash;
    yield* logWorkflowIn(tx, {
      planId: ref.planId,
      versionId: loaded.value.version.id,
      action,
      actor: actor.sub,
      actorOrg: actor.org,
      at,
      comment,
      contentHash,
    });
    return ok(ref);
  });
}

export function editDraft(db: Store, actor: Actor, ref: VersionRef, body: DraftBody, now: Date): Promise<Result<VersionRef>> {
  return transition(db, actor, ref, 'author', 'edited', now, function* ({ tx, version, at }) {
    if (version.status !== 'draft') return wrongStatus(version, 'draft');
    const { record, changeSummary } = splitBody(body);
    const authors = version.authors.includes(actor.sub) ? version.authors : [...version.authors, actor.sub];
    const columns = versionColumnsOf(record);
    const set = { ...columns, changeSummary: changeSummary ?? version.changeSummary, authors, updatedAt: at };
    return (yield* moveStatus(tx, version, 'draft', set)) ? { contentHash: columns.contentHash } : wrongStatus(version, 'draft');
  });
}

export function submitForReview(db: Store, actor: Actor, ref: VersionRef, now: Date): Promise<Result<VersionRef>> {
  return transition(db, actor, ref, 'author', 'submitted', now, function* ({ tx, version, at }) {
    return (yield* moveStatus(tx, version, 'draft', { status: 'in-review', submittedBy: actor.sub, submittedAt: at, updatedAt: at }))
      ? undefined
      : wrongStatus(version, 'draft');
  });
}

/**
 * Four-eyes approval: an approver of the owning organisation who wrote none of this version publishes it,
 * if the plan has not moved on since the version was written (policy.ts authoriseApproval: `four-eyes`,
 * `stale-base`).
 *
 * The approval names the content it is for (`contentHash`, the hash shown with the version the approver
 * read), not just a version number: a version can go back to draft, be rewritten and come back under the
 * same number, and an approval of the number alone would publish text nobody reviewed. A different hash is
 * a conflict (`content-changed`), and the current hash is deliberately not in the refusal: the approver
 * has to read the version again to get it.
 */
export async function approve(
  db: Store,
  actor: Actor,
  ref: VersionRef,
  contentHash: string,
  now: Date,
  events?: PlanEvents,
): Promise<Result<VersionRef>> {
  const result = await transition(db, actor, ref, 'approver', 'approved', now, function* ({ tx, plan, version }) {
    if (version.status !== 'in-review') return wrongStatus(version, 'in-review');
    const allowed = authoriseApproval(actor, plan, version);
    if (!allowed.ok) return allowed;
    if (version.contentHash !== contentHash) {
      return fail('conflict', `version ${version.version} changed after you read it: read it again before deciding`, {
        reason: 'content-changed',
      });
    }
    const published = yield* publishVersion(tx, {
      plan,
      version,
      contentHash,
      approvedBy: actor.sub,
      expectedCurrent: plan.currentVersionId,
      now,
    });
    return published ? undefined : fail('conflict', 'another approver published this plan at the same moment', { reason: 'approval-race' });
  });
  if (result.ok) events?.onIndexChange?.();
  return result;
}

export function reject(db: Store, actor: Actor, ref: VersionRef, comment: string, now: Date): Promise<Result<VersionRef>> {
  const change = function* ({ tx, version, at }: Loaded) {
    return (yield* moveStatus(tx, version, 'in-review', { status: 'draft', updatedAt: at }))
      ? undefined
      : wrongStatus(version, 'in-review');
  };
  return transition(db, actor, ref, 'approver', 'rejected', now, change, comment);
}

/**
 * Withdraw a version (who may: policy.ts authoriseWithdrawal). Withdrawing the published version takes
 * the plan out of responders' reach and out of the index.
 */
export async function withdraw(
  db: Store,
  actor: Actor,
  ref: VersionRef,
  reason: string,
  now: Date,
  events?: PlanEvents,
): Promise<Result<VersionRef>> {
  let unpublished = false;
  const result = await transaction(db, function* (tx) {
    unpublished = false; // (PostgreSQL may run the body again after a deadlock)
    yield* lockPlan(ref.planId);
    const plan = yield* findPlanIn(tx, ref.planId);
    if (!plan) return fail('not_found', 'no such plan');
    const version = yield* findVersionIn(tx, ref.planId, ref.version);
    const allowed = authoriseWithdrawal(actor, plan.owningOrg, version?.status);
    if (!allowed.ok) return allowed;
    if (!version) return fail('not_found', `plan has no version ${ref.version}`);
    if (version.status === 'superseded' || version.status === 'withdrawn') {
      return wrongStatus(version, 'draft, in-review or published');
    }
    const at = now.toISOString();
    const moved = yield* moveStatus(tx, version, version.status, {
      status: 'withdrawn',
      withdrawnBy: actor.sub,
      withdrawnAt: at,
      withdrawReason: reason,
      updatedAt: at,
    });
    if (!moved) return fail('conflict', 'the version changed while withdrawing it: reload and try again', { reason: 'withdrawal-race' });
    if (version.status === 'published') {
      yield* withdrawPlanIn(tx, plan.id, at);
      yield* enqueueIndexSyncIn(tx, plan.id, now);
      unpublished = true;
    }
    yield* logWorkflowIn(tx, {
      planId: plan.id,
      versionId: version.id,
      action: 'withdrawn',
      actor: actor.sub,
      actorOrg: actor.org,
      at,
      comment: reason,
    });
    return ok(ref);
  });
  if (result.ok && unpublished) events?.onIndexChange?.();
  return result;
}

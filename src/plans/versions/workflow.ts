import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '../../../db/index.js';
import { authoriseApproval, authoriseWithdrawal, authoriseWrite } from '../policy.js';
import type { Actor } from '../core/actor.js';
import type { CreatePlanBody, DraftBody, PlanRecord } from '../core/content.js';
import { fail, ok, type Failure, type Result } from '../core/result.js';
import {
  enqueueIndexSync,
  findPlan,
  findPlanByRef,
  findVersion,
  findVersionById,
  logWorkflow,
  newPlanId,
  nextVersionNumber,
  openVersion,
  publishVersion,
  recordOf,
  versionColumnsOf,
  type PlanRow,
  type Queryable,
  type Tx,
  type VersionRow,
} from './store.js';

/**
 * The publishing workflow: draft → in-review → published → superseded, or withdrawn.
 * Every transition is a compare-and-set on the version's status inside an IMMEDIATE transaction, so two
 * people (or two processes) acting on the same version at once cannot both succeed.
 */

const { plans, planVersions } = schema;
const immediate = { behavior: 'immediate' } as const;

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
function insertDraft(
  tx: Tx,
  actor: Actor,
  v: { planId: string; version: number; record: PlanRecord; changeSummary: string | null; baseVersionId: number | null },
  at: string,
): void {
  const columns = versionColumnsOf(v.record);
  const { id } = tx
    .insert(planVersions)
    .values({
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
    })
    .returning({ id: planVersions.id })
    .get();
  logWorkflow(tx, { planId: v.planId, versionId: id, action: 'created', actor: actor.sub, actorOrg: actor.org, at, contentHash: columns.contentHash });
}

export function createPlan(db: Db, actor: Actor, body: CreatePlanBody, now: Date): Result<VersionRef> {
  const allowed = authoriseWrite(actor, actor.org, 'author');
  if (!allowed.ok) return allowed;
  const { externalRef, ...draft } = body;
  const { record, changeSummary } = splitBody(draft);
  return db.transaction((tx) => {
    if (findPlanByRef(tx, actor.org, externalRef)) {
      return fail('conflict', `${actor.org} already has a plan with externalRef "${externalRef}"`, { reason: 'external-ref-taken' });
    }
    const at = now.toISOString();
    const planId = newPlanId();
    tx.insert(plans).values({ id: planId, owningOrg: actor.org, externalRef, createdAt: at, updatedAt: at }).run();
    insertDraft(tx, actor, { planId, version: 1, record, changeSummary: changeSummary ?? 'First version', baseVersionId: null }, at);
    return ok({ planId, version: 1 });
  }, immediate);
}

/** A new draft from the current published version (or from `body` when given). One open draft per plan. */
export function createDraft(db: Db, actor: Actor, planId: string, body: DraftBody | undefined, now: Date): Result<VersionRef> {
  return db.transaction((tx) => {
    const plan = findPlan(tx, planId);
    if (!plan) return fail('not_found', 'no such plan');
    const allowed = authoriseWrite(actor, plan.owningOrg, 'author');
    if (!allowed.ok) return allowed;
    const open = openVersion(tx, planId);
    if (open) {
      return fail('conflict', `version ${open.version} is still ${open.status}: finish or withdraw it first`, {
        reason: 'open-version',
        openVersion: open.version,
      });
    }
    const base = plan.currentVersionId === null ? undefined : findVersionById(tx, plan.currentVersionId);
    const fromBody = body ? splitBody(body) : undefined;
    const record = fromBody?.record ?? (base ? recordOf(base) : undefined);
    if (!record) return fail('invalid', 'this plan has no published version to start from: send the content');
    const at = now.toISOString();
    const version = nextVersionNumber(tx, planId);
    insertDraft(tx, actor, { planId, version, record, changeSummary: fromBody?.changeSummary ?? null, baseVersionId: base?.id ?? null }, at);
    return ok({ planId, version });
  }, immediate);
}

/** Loads plan and version and checks the actor may act on them in `role`. */
function loadForChange(
  db: Queryable,
  actor: Actor,
  ref: VersionRef,
  role: 'author' | 'approver',
): Result<{ plan: PlanRow; version: VersionRow }> {
  const plan = findPlan(db, ref.planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseWrite(actor, plan.owningOrg, role);
  if (!allowed.ok) return allowed;
  const version = findVersion(db, ref.planId, ref.version);
  if (!version) return fail('not_found', `plan has no version ${ref.version}`);
  return ok({ plan, version });
}

function moveStatus(
  db: Queryable,
  version: VersionRow,
  from: VersionRow['status'],
  set: Partial<typeof planVersions.$inferInsert>,
): boolean {
  const res = db
    .update(planVersions)
    .set(set)
    .where(and(eq(planVersions.id, version.id), eq(planVersions.status, from)))
    .run();
  return res.changes === 1;
}

/** The version is not (or no longer) in the state the step needs: someone else moved it, or it never was. */
const wrongStatus = (v: VersionRow, wanted: string) =>
  fail('conflict', `version ${v.version} is ${v.status}; this needs it to be ${wanted}`, { reason: 'wrong-status', versionStatus: v.status });

type WorkflowAction = 'edited' | 'submitted' | 'approved' | 'rejected';
type Loaded = { tx: Tx; plan: PlanRow; version: VersionRow; at: string };
/** A failure aborts the step; an edit answers the new content's hash, so its event records what it wrote. */
type Changed = Failure | { contentHash: string } | undefined;

/**
 * One workflow step: in an IMMEDIATE transaction, load and authorise, apply `change` (which returns a
 * failure to abort), and record who did it and the content hash the step concerned.
 */
function transition(
  db: Db,
  actor: Actor,
  ref: VersionRef,
  role: 'author' | 'approver',
  action: WorkflowAction,
  now: Date,
  change: (c: Loaded) => Changed,
  comment?: string,
): Result<VersionRef> {
  return db.transaction((tx) => {
    const loaded = loadForChange(tx, actor, ref, role);
    if (!loaded.ok) return loaded;
    const at = now.toISOString();
    const changed = change({ tx, ...loaded.value, at });
    if (changed && 'ok' in changed) return changed;
    const contentHash = changed?.contentHash ?? loaded.value.version.contentHash;
    logWorkflow(tx, { planId: ref.planId, versionId: loaded.value.version.id, action, actor: actor.sub, actorOrg: actor.org, at, comment, contentHash });
    return ok(ref);
  }, immediate);
}

export function editDraft(db: Db, actor: Actor, ref: VersionRef, body: DraftBody, now: Date): Result<VersionRef> {
  return transition(db, actor, ref, 'author', 'edited', now, ({ tx, version, at }) => {
    if (version.status !== 'draft') return wrongStatus(version, 'draft');
    const { record, changeSummary } = splitBody(body);
    const authors = version.authors.includes(actor.sub) ? version.authors : [...version.authors, actor.sub];
    const columns = versionColumnsOf(record);
    const set = { ...columns, changeSummary: changeSummary ?? version.changeSummary, authors, updatedAt: at };
    return moveStatus(tx, version, 'draft', set) ? { contentHash: columns.contentHash } : wrongStatus(version, 'draft');
  });
}

export function submitForReview(db: Db, actor: Actor, ref: VersionRef, now: Date): Result<VersionRef> {
  return transition(db, actor, ref, 'author', 'submitted', now, ({ tx, version, at }) =>
    moveStatus(tx, version, 'draft', { status: 'in-review', submittedBy: actor.sub, submittedAt: at, updatedAt: at })
      ? undefined
      : wrongStatus(version, 'draft'),
  );
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
export function approve(db: Db, actor: Actor, ref: VersionRef, contentHash: string, now: Date): Result<VersionRef> {
  return transition(db, actor, ref, 'approver', 'approved', now, ({ tx, plan, version }) => {
    if (version.status !== 'in-review') return wrongStatus(version, 'in-review');
    const allowed = authoriseApproval(actor, plan, version);
    if (!allowed.ok) return allowed;
    if (version.contentHash !== contentHash) {
      return fail('conflict', `version ${version.version} changed after you read it: read it again before deciding`, { reason: 'content-changed' });
    }
    const published = publishVersion(tx, { plan, version, contentHash, approvedBy: actor.sub, expectedCurrent: plan.currentVersionId, now });
    return published ? undefined : fail('conflict', 'another approver published this plan at the same moment', { reason: 'approval-race' });
  });
}

export function reject(db: Db, actor: Actor, ref: VersionRef, comment: string, now: Date): Result<VersionRef> {
  const change = ({ tx, version, at }: Loaded) =>
    moveStatus(tx, version, 'in-review', { status: 'draft', updatedAt: at }) ? undefined : wrongStatus(version, 'in-review');
  return transition(db, actor, ref, 'approver', 'rejected', now, change, comment);
}

/**
 * Withdraw a version (who may: policy.ts authoriseWithdrawal). Withdrawing the published version takes
 * the plan out of responders' reach and out of the index.
 */
export function withdraw(db: Db, actor: Actor, ref: VersionRef, reason: string, now: Date): Result<VersionRef> {
  return db.transaction((tx) => {
    const plan = findPlan(tx, ref.planId);
    if (!plan) return fail('not_found', 'no such plan');
    const version = findVersion(tx, ref.planId, ref.version);
    const allowed = authoriseWithdrawal(actor, plan.owningOrg, version?.status);
    if (!allowed.ok) return allowed;
    if (!version) return fail('not_found', `plan has no version ${ref.version}`);
    if (version.status === 'superseded' || version.status === 'withdrawn') {
      return wrongStatus(version, 'draft, in-review or published');
    }
    const at = now.toISOString();
    const moved = moveStatus(tx, version, version.status, {
      status: 'withdrawn',
      withdrawnBy: actor.sub,
      withdrawnAt: at,
      withdrawReason: reason,
      updatedAt: at,
    });
    if (!moved) return fail('conflict', 'the version changed while withdrawing it: reload and try again', { reason: 'withdrawal-race' });
    if (version.status === 'published') {
      tx.update(plans).set({ currentVersionId: null, withdrawnAt: at, updatedAt: at }).where(eq(plans.id, plan.id)).run();
      enqueueIndexSync(tx, plan.id, now);
    }
    logWorkflow(tx, { planId: plan.id, versionId: version.id, action: 'withdrawn', actor: actor.sub, actorOrg: actor.org, at, comment: reason });
    return ok(ref);
  }, immediate);
}

import type { Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import { fail, ok, type Result } from '../core/result.js';
import { getOrganisation } from '../organisations.js';
import { authorisePersonCopy } from '../policy.js';
import { findPlan, findPlanIn, findVersionById, findVersionByIdIn, lockPlan, recordOf, transaction } from '../versions/store.js';
import { personCopyPdf } from './pdf.js';
import { findPersonCopy, insertPersonCopyIn, latestPersonCopy, type PersonCopyRow } from './store.js';

/**
 * The person's own copy of their plan (operational guide §54: the person holds an up-to-date copy of
 * their most recent plan, on paper or as a summary without identifying details). Printing one records
 * which version they hold, so the console can say when a newer version makes their copy out of date.
 */

export type PersonCopy = {
  copyId: number;
  planId: string;
  version: number;
  versionId: number;
  withoutIdentifiers: boolean;
  printedBy: string;
  printedAt: string;
};

const view = (r: PersonCopyRow): PersonCopy => ({
  copyId: r.id,
  planId: r.planId,
  version: r.version,
  versionId: r.versionId,
  withoutIdentifiers: r.withoutIdentifiers,
  printedBy: r.printedBy,
  printedAt: r.printedAt,
});

async function copyPlan(db: Db, actor: Actor, planId: string) {
  const plan = await findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authorisePersonCopy(actor, plan.owningOrg);
  return allowed.ok ? ok(plan) : allowed;
}

/** Records a copy of the published version for the person; the PDF is rendered from the record (personCopyDocument). */
export async function printPersonCopy(
  db: Db,
  actor: Actor,
  planId: string,
  opts: { withoutIdentifiers: boolean },
  now: Date,
): Promise<Result<PersonCopy>> {
  const found = await copyPlan(db, actor, planId);
  if (!found.ok) return found;
  return transaction(db, function* (tx) {
    // Read inside the transaction, under the plan's lock: a withdrawal or a new publication in between
    // decides what is printed.
    yield* lockPlan(planId);
    const plan = (yield* findPlanIn(tx, planId))!;
    const current = plan.currentVersionId;
    if (current === null) {
      return fail(
        'conflict',
        plan.withdrawnAt
          ? 'this plan has been withdrawn: there is no plan to give the person'
          : "publish the plan before printing the person's copy",
        {
          reason: plan.withdrawnAt ? 'withdrawn' : 'not-published',
        },
      );
    }
    const version = (yield* findVersionByIdIn(tx, current))!;
    const row = yield* insertPersonCopyIn(tx, {
      planId,
      versionId: version.id,
      version: version.version,
      withoutIdentifiers: opts.withoutIdentifiers,
      printedBy: actor.sub,
      printedAt: now.toISOString(),
    });
    return ok(view(row));
  });
}

export type PersonCopyStatus = {
  /** The copy the person holds (the last printed), if any. */
  holds?: PersonCopy;
  /** The version responders see now, if the plan is published. */
  current?: { version: number; publishedAt: string | null };
  /** A newer version was published after the person's copy was printed. */
  outOfDate: boolean;
};

/** Which copy the person holds and whether it is still the plan responders see. */
export async function personCopyStatus(db: Db, actor: Actor, planId: string): Promise<Result<PersonCopyStatus>> {
  const found = await copyPlan(db, actor, planId);
  if (!found.ok) return found;
  const held = await latestPersonCopy(db, planId);
  const v = found.value.currentVersionId === null ? undefined : await findVersionById(db, found.value.currentVersionId);
  const current = v && { version: v.version, publishedAt: v.publishedAt };
  return ok({ holds: held && view(held), current, outOfDate: !!held && !!current && current.version > held.version });
}

/** The PDF of a copy already recorded: the version it names, as it was printed (a re-download records nothing). */
export async function personCopyDocument(
  db: Db,
  actor: Actor,
  planId: string,
  copyId: number,
): Promise<Result<{ copy: PersonCopy; pdf: Uint8Array }>> {
  const found = await copyPlan(db, actor, planId);
  if (!found.ok) return found;
  const row = await findPersonCopy(db, planId, copyId);
  if (!row) return fail('not_found', 'no such copy of this plan');
  const version = (await findVersionById(db, row.versionId))!;
  const owner = (await getOrganisation(db, found.value.owningOrg))!;
  const pdf = await personCopyPdf({
    record: recordOf(version),
    externalRef: found.value.externalRef,
    version: version.version,
    publishedAt: version.publishedAt ?? version.createdAt,
    printedAt: row.printedAt,
    withoutIdentifiers: row.withoutIdentifiers,
    owner: { name: owner.name, contact: owner.contact ?? null },
  });
  return ok({ copy: view(row), pdf });
}

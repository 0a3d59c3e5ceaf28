import { eq } from 'drizzle-orm';
import { schema, type Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import { fail, ok, type Result } from '../core/result.js';
import { getOrganisation } from '../organisations.js';
import { authorisePersonCopy } from '../policy.js';
import { findPlan, findVersionById, recordOf } from '../versions/store.js';
import { personCopyPdf } from './pdf.js';
import { findPersonCopy, insertPersonCopy, latestPersonCopy, type PersonCopyRow } from './store.js';

/**
 * The person's own copy of their plan (operational guide §54: the person holds an up-to-date copy of
 * their most recent plan, on paper or as a summary without identifying details). Printing one records
 * which version they hold, so the console can say when a newer version makes their copy out of date.
 */

export type PersonCopy = { copyId: number; planId: string; version: number; versionId: number; withoutIdentifiers: boolean; printedBy: string; printedAt: string };

const view = (r: PersonCopyRow): PersonCopy => ({
  copyId: r.id,
  planId: r.planId,
  version: r.version,
  versionId: r.versionId,
  withoutIdentifiers: r.withoutIdentifiers,
  printedBy: r.printedBy,
  printedAt: r.printedAt,
});

function copyPlan(db: Db, actor: Actor, planId: string) {
  const plan = findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authorisePersonCopy(actor, plan.owningOrg);
  return allowed.ok ? ok(plan) : allowed;
}

/** Records a copy of the published version for the person; the PDF is rendered from the record (personCopyDocument). */
export function printPersonCopy(db: Db, actor: Actor, planId: string, opts: { withoutIdentifiers: boolean }, now: Date): Result<PersonCopy> {
  const found = copyPlan(db, actor, planId);
  if (!found.ok) return found;
  return db.transaction((tx) => {
    // Read inside the transaction: a withdrawal or a new publication in between decides what is printed.
    const plan = tx.select({ current: schema.plans.currentVersionId, withdrawnAt: schema.plans.withdrawnAt }).from(schema.plans).where(eq(schema.plans.id, planId)).get()!;
    if (plan.current === null) {
      return fail('conflict', plan.withdrawnAt ? 'this plan has been withdrawn: there is no plan to give the person' : "publish the plan before printing the person's copy", {
        reason: plan.withdrawnAt ? 'withdrawn' : 'not-published',
      });
    }
    const version = findVersionById(tx, plan.current)!;
    const row = insertPersonCopy(tx, {
      planId,
      versionId: version.id,
      version: version.version,
      withoutIdentifiers: opts.withoutIdentifiers,
      printedBy: actor.sub,
      printedAt: now.toISOString(),
    });
    return ok(view(row));
  }, { behavior: 'immediate' });
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
export function personCopyStatus(db: Db, actor: Actor, planId: string): Result<PersonCopyStatus> {
  const found = copyPlan(db, actor, planId);
  if (!found.ok) return found;
  const held = latestPersonCopy(db, planId);
  const v = found.value.currentVersionId === null ? undefined : findVersionById(db, found.value.currentVersionId);
  const current = v && { version: v.version, publishedAt: v.publishedAt };
  return ok({ holds: held && view(held), current, outOfDate: !!held && !!current && current.version > held.version });
}

/** The PDF of a copy already recorded: the version it names, as it was printed (a re-download records nothing). */
export async function personCopyDocument(db: Db, actor: Actor, planId: string, copyId: number): Promise<Result<{ copy: PersonCopy; pdf: Uint8Array }>> {
  const found = copyPlan(db, actor, planId);
  if (!found.ok) return found;
  const row = findPersonCopy(db, planId, copyId);
  if (!row) return fail('not_found', 'no such copy of this plan');
  const version = findVersionById(db, row.versionId)!;
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

// Published and withdrawn plans written straight through the store, with the change-log entries a
// publish and a withdrawal write: for the search stores' suites on both dialects.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { one, run } from '../../db/runtime.js';
import type { ImportRecord } from '../../src/plans/core/content.js';
import { buildSearchDoc, type SearchDoc } from '../../src/search/document.js';

export const AT = '2026-11-23T10:00:00.000Z';
export const planIdFor = (i: number) => `SRCH${String(i).padStart(12, '0')}`;
export const docOf = (rec: ImportRecord, i: number): SearchDoc =>
  buildSearchDoc({
    planId: planIdFor(i),
    externalRef: rec.externalRef,
    owningOrg: rec.owningOrg,
    subject: rec.subject,
    locations: rec.locations,
  });

/**
 * A published plan written straight through the store (the importer runs on SQLite only so far): the
 * plan, its published version as current, and the change-log entry a publish writes.
 */
export async function publish(db: Db, rec: ImportRecord, i: number, subject: unknown = rec.subject) {
  const { organisations, plans, planVersions, searchOutbox } = db.t;
  const planId = planIdFor(i);
  await db.exec(
    db.q
      .insert(organisations)
      .values({ slug: rec.owningOrg, name: rec.owningOrg, kind: 'mental-health', createdAt: AT })
      .onConflictDoNothing(),
  );
  await db.tx(function* (q) {
    yield* run(
      q.insert(plans).values({ id: planId, owningOrg: rec.owningOrg, externalRef: rec.externalRef, createdAt: AT, updatedAt: AT }),
    );
    const { id } = yield* one(
      q
        .insert(planVersions)
        .values({
          planId,
          version: 1,
          status: 'published',
          subject: subject as ImportRecord['subject'],
          locations: rec.locations,
          content: rec.plan,
          governance: { ...rec.governance, coProduced: false } as never,
          contentHash: 'c'.repeat(64),
          reviewBy: '2027-06-01',
          authors: ['author.a'],
          createdBy: 'author.a',
          createdAt: AT,
          updatedAt: AT,
          publishedAt: AT,
        })
        .returning({ id: planVersions.id }),
    );
    yield* run(q.update(plans).set({ currentVersionId: id }).where(eq(plans.id, planId)));
    yield* run(q.insert(searchOutbox).values({ planId, createdAt: AT }));
  });
  return planId;
}

export async function withdrawn(db: Db, planId: string) {
  const { plans, searchOutbox } = db.t;
  await db.tx(function* (q) {
    yield* run(q.update(plans).set({ currentVersionId: null, withdrawnAt: AT }).where(eq(plans.id, planId)));
    yield* run(q.insert(searchOutbox).values({ planId, createdAt: AT }));
  });
}

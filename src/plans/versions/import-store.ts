// The importer's statements (importer.ts decides what each record needs; these write it), for both
// dialects. The rows are the ones the workflow writes (store.ts): a version inserted as published is the
// same row the workflow's in-review insert plus publish update leaves.
import { and, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import { all, one, run, type Body, type Store } from '../../../db/runtime.js';
import type { PlanRecord } from '../core/content.js';
import type { Tx } from './store.js';

/** A plan already stored under an organisation's reference: what an import of it has to know. */
export type ImportedBefore = {
  planId: string;
  currentVersionId: number | null;
  withdrawnAt: string | null;
  /** The content hash of the published version, or null when there is none. */
  currentHash: string | null;
  nextVersion: number;
};

/** The plans one organisation already holds under these references, by reference: one statement for a batch. */
export function* importedBeforeIn(tx: Tx, owningOrg: string, externalRefs: string[]): Body<Map<string, ImportedBefore>> {
  const { q, t } = tx;
  const { plans, planVersions } = t;
  const highest = q.select({ n: max(planVersions.version) }).from(planVersions).where(eq(planVersions.planId, plans.id));
  const rows = yield* all(
    q
      .select({
        externalRef: plans.externalRef,
        planId: plans.id,
        currentVersionId: plans.currentVersionId,
        withdrawnAt: plans.withdrawnAt,
        currentHash: planVersions.contentHash,
        highest: sql<number | null>`${highest}`,
      })
      .from(plans)
      .leftJoin(planVersions, eq(planVersions.id, plans.currentVersionId))
      .where(and(eq(plans.owningOrg, owningOrg), inArray(plans.externalRef, externalRefs))),
  );
  return new Map(rows.map(({ externalRef, highest, ...r }) => [externalRef, { ...r, nextVersion: Number(highest ?? 0) + 1 }]));
}

const ph = <N extends string>(name: N) => sql.placeholder(name);
/** A placeholder where drizzle's types take only values or SQL (an update's `set`). */
const phSql = <T>(name: string) => sql<T>`${sql.placeholder(name)}`;

/**
 * The per-record writes, prepared once per handle: building each through drizzle and preparing it again
 * for every record (on SQLite an insert is compiled with its table's triggers) was most of an import's
 * time, about six times the rest.
 */
function prepare(db: Store) {
  const { plans, planVersions, searchOutbox, workflowEvents } = db.t;
  type VersionInsert = Omit<Store['t']['planVersions']['$inferInsert'], 'id' | 'status'>;
  const versionColumns: (keyof VersionInsert)[] = [
    'planId', 'version', 'subject', 'locations', 'content', 'governance', 'contentHash', 'reviewBy', 'changeSummary', 'authors',
    'baseVersionId', 'createdBy', 'createdAt', 'updatedAt', 'submittedBy', 'submittedAt', 'approvedBy', 'publishedAt',
  ];
  const versionValues = Object.fromEntries(versionColumns.map((c) => [c, ph(c)])) as unknown as VersionInsert;
  return {
    insertPlan: db.prepared<{ id: string; owningOrg: string; externalRef: string; at: string }, unknown>('import_insert_plan', (q) =>
      q.insert(plans).values({ id: ph('id'), owningOrg: ph('owningOrg'), externalRef: ph('externalRef'), createdAt: ph('at'), updatedAt: ph('at') }),
    ),
    // Inserted as published: the same row the workflow's in-review insert plus publish update leaves.
    insertVersion: db.prepared<VersionInsert, { id: number }>('import_insert_version', (q) =>
      q
        .insert(planVersions)
        .values({ ...versionValues, status: 'published' })
        .returning({ id: planVersions.id }),
    ),
    // Compare-and-set on the pointer, as publishVersion does: from no version, or from the one read.
    pointFirst: db.prepared<{ versionId: number; at: string; planId: string }, unknown>('import_point_first', (q) =>
      q
        .update(plans)
        .set({ currentVersionId: phSql<number>('versionId'), withdrawnAt: null, updatedAt: phSql<string>('at') })
        .where(and(eq(plans.id, ph('planId')), isNull(plans.currentVersionId))),
    ),
    pointNext: db.prepared<{ versionId: number; at: string; planId: string; current: number }, unknown>('import_point_next', (q) =>
      q
        .update(plans)
        .set({ currentVersionId: phSql<number>('versionId'), withdrawnAt: null, updatedAt: phSql<string>('at') })
        .where(and(eq(plans.id, ph('planId')), eq(plans.currentVersionId, ph('current')))),
    ),
    supersede: db.prepared<{ at: string; id: number }, unknown>('import_supersede', (q) =>
      q
        .update(planVersions)
        .set({ status: 'superseded', supersededAt: phSql<string>('at'), updatedAt: phSql<string>('at') })
        .where(and(eq(planVersions.id, ph('id')), eq(planVersions.status, 'published'))),
    ),
    enqueueIndexSync: db.prepared<{ planId: string; at: string }, unknown>('import_enqueue_index_sync', (q) =>
      q.insert(searchOutbox).values({ planId: ph('planId'), createdAt: ph('at'), nextAttemptAt: ph('at') }),
    ),
    logImported: db.prepared<{ planId: string; versionId: number; actor: string; actorOrg: string; at: string; contentHash: string }, unknown>(
      'import_log_imported',
      (q) =>
        q.insert(workflowEvents).values({
          planId: ph('planId'),
          versionId: ph('versionId'),
          action: 'imported',
          actor: ph('actor'),
          actorOrg: ph('actorOrg'),
          at: ph('at'),
          contentHash: ph('contentHash'),
        }),
    ),
  };
}
export type ImportStatements = ReturnType<typeof prepare>;

const prepared = new WeakMap<Store, ImportStatements>();
/** The import's statements for this handle, prepared on first use. */
export function importStatements(db: Store): ImportStatements {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepare(db)));
  return s;
}

/**
 * Publishes an imported record as a new version of its plan (creating the plan when `before` is absent):
 * inserts the version as published, moves the plan's pointer from the version `before` says is current
 * (compare-and-set, as publishVersion does), supersedes that one, queues the index sync and records the
 * import. Throws if the plan changed since `before` was read, so the batch rolls back.
 */
export function* publishImportedIn(
  tx: Tx,
  s: ImportStatements,
  r: {
    before: ImportedBefore | undefined;
    planId: string;
    owningOrg: string;
    externalRef: string;
    record: PlanRecord;
    contentHash: string;
    importedBy: string;
    approvedBy: string;
    now: Date;
  },
): Body<void> {
  const { q } = tx;
  const at = r.now.toISOString();
  const planId = r.planId;
  if (!r.before) yield* run(s.insertPlan.in(q, { id: planId, owningOrg: r.owningOrg, externalRef: r.externalRef, at }));
  const current = r.before?.currentHash != null ? r.before.currentVersionId : null;
  const inserted = yield* one(
    s.insertVersion.in(q, {
      planId,
      version: r.before?.nextVersion ?? 1,
      subject: r.record.subject,
      locations: r.record.locations,
      content: r.record.plan,
      governance: r.record.governance,
      contentHash: r.contentHash,
      reviewBy: r.record.governance.reviewBy,
      changeSummary: current !== null ? 'Updated by import' : 'Imported',
      authors: [r.importedBy],
      baseVersionId: current,
      createdBy: r.importedBy,
      createdAt: at,
      updatedAt: at,
      submittedBy: r.importedBy,
      submittedAt: at,
      approvedBy: r.approvedBy,
      publishedAt: at,
    }),
  );
  const versionId = inserted!.id;
  const moved = yield* run(
    current === null ? s.pointFirst.in(q, { versionId, at, planId }) : s.pointNext.in(q, { versionId, at, planId, current }),
  );
  if (moved !== 1) throw new Error(`plan ${planId} changed during import`);
  if (current !== null) yield* run(s.supersede.in(q, { at, id: current }));
  yield* run(s.enqueueIndexSync.in(q, { planId, at }));
  yield* run(s.logImported.in(q, { planId, versionId, actor: r.importedBy, actorOrg: r.owningOrg, at, contentHash: r.contentHash }));
}

// The importer's statements (importer.ts decides what each record needs; these write it), for both
// dialects. The rows are the ones the workflow writes (store.ts): a version inserted as published is the
// same row the workflow's in-review insert plus publish update leaves.
import type Database from 'better-sqlite3';
import { and, eq, inArray, isNull, max, or, sql } from 'drizzle-orm';
import { all, one, run, type Body, type Store } from '../../../db/runtime.js';
import type { PlanRecord } from '../core/content.js';
import { appendSearchLogIn, type Tx } from './store.js';

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
  const highest = q
    .select({ n: max(planVersions.version) })
    .from(planVersions)
    .where(eq(planVersions.planId, plans.id));
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

/** One record to publish: a new plan (`before` absent) or a new version of a stored one. */
export type ImportWrite = {
  before: ImportedBefore | undefined;
  planId: string;
  owningOrg: string;
  externalRef: string;
  record: PlanRecord;
  contentHash: string;
  approvedBy: string;
};

export type PublishImported = (tx: Tx, writes: ImportWrite[], importedBy: string, now: Date) => Body<void>;

/**
 * Publishes imported records, each as a new version of its plan (creating the plans that are new). For
 * each record: the version inserted as published, the plan's pointer moved from the version `before` says
 * is current (compare-and-set, as publishVersion does), that one superseded, the index sync queued and the
 * import recorded. The plans must all differ. Throws if any plan changed since `before` was read, so the
 * batch rolls back.
 */
export function importWriter(db: Store): PublishImported {
  return db.sqlite ? recordWiseOn(db.sqlite.client) : setWise;
}

/**
 * A few statements for all the records rather than several per record: on PostgreSQL every statement is a
 * round trip, and 10,000 plans one by one took minutes. Each batch's rows travel as one JSON parameter
 * unpacked by `jsonb_to_recordset`: drizzle's builder spent about 4 s of CPU on 10,000 plans binding
 * some 200,000 values one by one, where this costs one `JSON.stringify` per batch.
 */
const setWise: PublishImported = function* (tx, writes, importedBy, now) {
  if (!writes.length) return;
  const { q, t } = tx;
  const { plans, planVersions } = t;
  const at = now.toISOString();
  const baseOf = (w: ImportWrite) => (w.before?.currentHash != null ? w.before.currentVersionId : null);
  const json = (rows: unknown[]) => JSON.stringify(rows);

  const created = writes.filter((w) => !w.before);
  if (created.length) {
    const rows = json(created.map((w) => ({ id: w.planId, org: w.owningOrg, ref: w.externalRef })));
    yield* run(sql`INSERT INTO plans (id, owning_org, external_ref, created_at, updated_at)
      SELECT r.id, r.org, r.ref, ${at}, ${at} FROM jsonb_to_recordset(${rows}::jsonb) AS r(id text, org text, ref text)`);
  }
  const rows = json(
    writes.map((w) => ({
      plan_id: w.planId,
      version: w.before?.nextVersion ?? 1,
      subject: w.record.subject,
      locations: w.record.locations,
      content: w.record.plan,
      governance: w.record.governance,
      content_hash: w.contentHash,
      review_by: w.record.governance.reviewBy,
      change_summary: baseOf(w) !== null ? 'Updated by import' : 'Imported',
      base_version_id: baseOf(w),
      approved_by: w.approvedBy,
    })),
  );
  const inserted = yield* all<{ id: number; planId: string }>(sql`
    INSERT INTO plan_versions (plan_id, version, status, subject, locations, content, governance, content_hash, review_by,
      change_summary, authors, base_version_id, created_by, created_at, updated_at, submitted_by, submitted_at, approved_by, published_at)
    SELECT r.plan_id, r.version, 'published', r.subject, r.locations, r.content, r.governance, r.content_hash, r.review_by,
      r.change_summary, ${json([importedBy])}::jsonb, r.base_version_id, ${importedBy}, ${at}, ${at}, ${importedBy}, ${at}, r.approved_by, ${at}
    FROM jsonb_to_recordset(${rows}::jsonb) AS r(plan_id text, version integer, subject jsonb, locations jsonb, content jsonb,
      governance jsonb, content_hash text, review_by text, change_summary text, base_version_id integer, approved_by text)
    RETURNING id, plan_id AS "planId"`);
  const versionOf = new Map(inserted.map((r) => [r.planId, r.id]));
  const ids = inserted.map((r) => r.id);

  // Each plan's pointer moves to its new version only while it still names the version that one was
  // written from (none, for a first version).
  const moved = yield* run(
    q
      .update(plans)
      .set({ currentVersionId: sql`${planVersions.id}`, withdrawnAt: null, updatedAt: at })
      .from(planVersions)
      .where(
        and(
          inArray(planVersions.id, ids),
          eq(planVersions.planId, plans.id),
          or(
            eq(plans.currentVersionId, planVersions.baseVersionId),
            and(isNull(plans.currentVersionId), isNull(planVersions.baseVersionId)),
          ),
        ),
      ),
  );
  if (moved !== writes.length) throw new Error(`${writes.length - moved} of the batch's plans changed during the import`);
  const superseded = writes.map(baseOf).filter((id): id is number => id !== null);
  if (superseded.length) {
    yield* run(
      q
        .update(planVersions)
        .set({ status: 'superseded', supersededAt: at, updatedAt: at })
        .where(and(inArray(planVersions.id, superseded), eq(planVersions.status, 'published'))),
    );
  }
  yield* appendSearchLogIn(
    tx,
    writes.map((w) => w.planId),
    at,
  );
  const events = json(
    writes.map((w) => ({ plan_id: w.planId, version_id: versionOf.get(w.planId)!, org: w.owningOrg, hash: w.contentHash })),
  );
  yield* run(sql`INSERT INTO workflow_events (plan_id, version_id, action, actor, actor_org, at, content_hash)
    SELECT r.plan_id, r.version_id, 'imported', ${importedBy}, r.org, ${at}, r.hash
    FROM jsonb_to_recordset(${events}::jsonb) AS r(plan_id text, version_id integer, org text, hash text)`);
};

// SQLite: no round trips, so record by record through statements prepared once per connection. drizzle's
// building of the set-wise statements cost about 8 µs a value, 4.4 s of CPU for 10,000 plans against 1.7 s
// here. JSON columns are JSON.stringify of the value, as drizzle's json mode stores them, so either path
// reads the other's rows.
function prepareOn(client: Database.Database) {
  return {
    insertPlan: client.prepare<[string, string, string, string, string]>(
      'INSERT INTO plans (id, owning_org, external_ref, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    ),
    insertVersion: client.prepare<unknown[], { id: number }>(
      `INSERT INTO plan_versions (plan_id, version, status, subject, locations, content, governance, content_hash, review_by,
         change_summary, authors, base_version_id, created_by, created_at, updated_at, submitted_by, submitted_at, approved_by, published_at)
       VALUES (?, ?, 'published', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    ),
    // `IS` matches both a version id and NULL.
    movePointer: client.prepare<[number, string, string, number | null]>(
      'UPDATE plans SET current_version_id = ?, withdrawn_at = NULL, updated_at = ? WHERE id = ? AND current_version_id IS ?',
    ),
    supersede: client.prepare<[string, string, number]>(
      "UPDATE plan_versions SET status = 'superseded', superseded_at = ?, updated_at = ? WHERE id = ? AND status = 'published'",
    ),
    enqueueIndexSync: client.prepare<[string, string]>('INSERT INTO search_outbox (plan_id, created_at) VALUES (?, ?)'),
    logImported: client.prepare<[string, number, string, string, string, string]>(
      "INSERT INTO workflow_events (plan_id, version_id, action, actor, actor_org, at, content_hash) VALUES (?, ?, 'imported', ?, ?, ?, ?)",
    ),
  };
}

const preparedOn = new WeakMap<Database.Database, PublishImported>();
function recordWiseOn(client: Database.Database): PublishImported {
  let writer = preparedOn.get(client);
  if (writer) return writer;
  const st = prepareOn(client);
  // Yielded like any statement, so they run inside the transaction driving the body (one connection).
  const exec = (s: Database.Statement<unknown[]>, ...args: unknown[]) => ({ run: () => s.run(...args) });
  writer = function* (_tx, writes, importedBy, now) {
    const at = now.toISOString();
    const authors = JSON.stringify([importedBy]);
    for (const w of writes) {
      const base = w.before?.currentHash != null ? w.before.currentVersionId : null;
      if (!w.before) yield* run(exec(st.insertPlan, w.planId, w.owningOrg, w.externalRef, at, at));
      const inserted = yield* one({
        get: () =>
          st.insertVersion.get(
            w.planId,
            w.before?.nextVersion ?? 1,
            JSON.stringify(w.record.subject),
            JSON.stringify(w.record.locations),
            JSON.stringify(w.record.plan),
            JSON.stringify(w.record.governance),
            w.contentHash,
            w.record.governance.reviewBy,
            base !== null ? 'Updated by import' : 'Imported',
            authors,
            base,
            importedBy,
            at,
            at,
            importedBy,
            at,
            w.approvedBy,
            at,
          )!,
      });
      if ((yield* run(exec(st.movePointer, inserted.id, at, w.planId, base))) !== 1)
        throw new Error(`plan ${w.planId} changed during the import`);
      if (base !== null) yield* run(exec(st.supersede, at, at, base));
      yield* run(exec(st.enqueueIndexSync, w.planId, at));
      yield* run(exec(st.logImported, w.planId, inserted.id, importedBy, w.owningOrg, at, w.contentHash));
    }
  };
  preparedOn.set(client, writer);
  return writer;
}

import type Database from 'better-sqlite3';
import type { ImportRecord, PlanRecord } from '../core/content.js';
import { newPlanId, recordHash } from './store.js';

/**
 * The importer's reads and writes as statements prepared once per connection. Building each query through
 * drizzle and preparing it again for every record was two thirds of an import's time (10,000 plans: about
 * 15 of 24 s). The rows are the ones the workflow writes (store.ts): JSON columns are
 * JSON.stringify of the value, as drizzle's json mode stores them, so either path reads the other's rows.
 */

export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'skipped-withdrawn';

type Existing = { id: string; currentVersionId: number | null; withdrawnAt: string | null; currentHash: string | null };

function prepare(sqlite: Database.Database) {
  return {
    byRef: sqlite.prepare<[string, string], Existing>(
      `SELECT p.id, p.current_version_id AS currentVersionId, p.withdrawn_at AS withdrawnAt, v.content_hash AS currentHash
         FROM plans p LEFT JOIN plan_versions v ON v.id = p.current_version_id
        WHERE p.owning_org = ? AND p.external_ref = ?`,
    ),
    insertPlan: sqlite.prepare<[string, string, string, string, string]>(
      'INSERT INTO plans (id, owning_org, external_ref, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    ),
    nextVersion: sqlite.prepare<[string], number>('SELECT coalesce(max(version), 0) + 1 FROM plan_versions WHERE plan_id = ?').pluck(),
    // Inserted as published: the same row the workflow's in-review insert plus publish update leaves.
    insertVersion: sqlite.prepare<unknown[]>(
      `INSERT INTO plan_versions (plan_id, version, status, subject, locations, content, governance, content_hash, review_by,
         change_summary, authors, base_version_id, created_by, created_at, updated_at, submitted_by, submitted_at, approved_by, published_at)
       VALUES (?, ?, 'published', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Compare-and-set on the pointer, as publishVersion does: `IS` matches both a version id and NULL.
    movePointer: sqlite.prepare<[number, string, string, number | null]>(
      'UPDATE plans SET current_version_id = ?, withdrawn_at = NULL, updated_at = ? WHERE id = ? AND current_version_id IS ?',
    ),
    supersede: sqlite.prepare<[string, string, number]>(
      "UPDATE plan_versions SET status = 'superseded', superseded_at = ?, updated_at = ? WHERE id = ? AND status = 'published'",
    ),
    enqueueIndexSync: sqlite.prepare<[string, string, string]>('INSERT INTO search_outbox (plan_id, created_at, next_attempt_at) VALUES (?, ?, ?)'),
    logImported: sqlite.prepare<[string, number, string, string, string, string]>(
      "INSERT INTO workflow_events (plan_id, version_id, action, actor, actor_org, at, content_hash) VALUES (?, ?, 'imported', ?, ?, ?, ?)",
    ),
  };
}

const prepared = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

/**
 * Imports one valid record; call inside a transaction. Idempotent on (owningOrg, externalRef): the same
 * content is a no-op, changed content publishes a new version, supersedes the old one and queues the
 * index sync, as approving a draft does.
 */
export function createRecordImporter(sqlite: Database.Database, importedBy: string) {
  let s = prepared.get(sqlite);
  if (!s) prepared.set(sqlite, (s = prepare(sqlite)));
  const st = s;
  const authors = JSON.stringify([importedBy]);
  return (record: ImportRecord, now: Date): ImportOutcome => {
    const { externalRef, owningOrg, status: _status, ...rest } = record;
    const planRecord: PlanRecord = rest;
    const hash = recordHash(planRecord);
    const plan = st.byRef.get(owningOrg, externalRef);
    if (plan?.currentHash === hash) return 'unchanged';
    // Withdrawal was someone's decision about this person; a migration file must not quietly undo it.
    if (plan?.withdrawnAt) return 'skipped-withdrawn';
    const at = now.toISOString();
    const planId = plan?.id ?? newPlanId();
    if (!plan) st.insertPlan.run(planId, owningOrg, externalRef, at, at);
    const current = plan?.currentHash != null ? plan.currentVersionId : null;
    const { lastInsertRowid } = st.insertVersion.run(
      planId,
      plan ? st.nextVersion.get(planId)! : 1,
      JSON.stringify(planRecord.subject),
      JSON.stringify(planRecord.locations),
      JSON.stringify(planRecord.plan),
      JSON.stringify(planRecord.governance),
      hash,
      planRecord.governance.reviewBy,
      current !== null ? 'Updated by import' : 'Imported',
      authors,
      current,
      importedBy,
      at,
      at,
      importedBy,
      at,
      record.governance.approvedBy ?? 'not recorded in source system',
      at,
    );
    const versionId = Number(lastInsertRowid);
    if (st.movePointer.run(versionId, at, planId, current).changes !== 1) {
      throw new Error(`plan ${planId} changed during import`);
    }
    if (current !== null) st.supersede.run(at, at, current);
    st.enqueueIndexSync.run(planId, at, at);
    st.logImported.run(planId, versionId, importedBy, owningOrg, at, hash);
    return current !== null ? 'updated' : 'created';
  };
}

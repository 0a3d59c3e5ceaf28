import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../db/index.js';
import type { ImportRecord } from '../../../src/plans/core/content.js';
import { ensureDemoOrganisations } from '../../../src/plans/demo/demo.js';
import { syntheticRecords } from '../../../src/plans/demo/synthetic.js';
import { validateImportFile } from '../../../src/plans/versions/import-check.js';
import { BATCH, importFile } from '../../../src/plans/versions/importer.js';
import { cli } from '../../cli/helpers.js';
import { databaseFile, openDatabase, tempDir } from '../../helpers.js';

/**
 * What batching the import (BATCH records per transaction, records kept from the check pass) could
 * break: files of several batches, on real SQLite files, through the importer and the CLI.
 */

const now = () => new Date('2026-11-23T10:00:00Z');
const records = (n: number): ImportRecord[] => [...syntheticRecords(n, { seed: 99, owningOrgs: ['southbank-mh', 'northgate-mh'], today: '2026-11-23' })];
/** Two whole batches and half of a third. */
const N = 2 * BATCH + BATCH / 2;
const ref = (line: number) => `SYN-${String(line).padStart(6, '0')}`;

function writeNdjson(dir: string, lines: unknown[]): string {
  const file = path.join(dir, 'plans.ndjson');
  fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

function withDb<T>(dir: string, use: (db: Db) => T): T {
  const db = openDatabase(databaseFile(dir));
  try {
    return use(db);
  } finally {
    db.$client.close();
  }
}

async function withDbAsync<T>(dir: string, use: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(databaseFile(dir));
  try {
    return await use(db);
  } finally {
    db.$client.close();
  }
}

async function fresh(): Promise<string> {
  const dir = tempDir();
  await withDbAsync(dir, (db) => ensureDemoOrganisations(db, now()));
  return dir;
}

/** Every table an imported record writes to, and the read cache's change counter. */
function counts(dir: string) {
  return withDb(dir, (db) => {
    const n = (sql: string) => db.$client.prepare(sql).pluck().get() as number;
    return {
      plans: n('SELECT count(*) FROM plans'),
      published: n("SELECT count(*) FROM plan_versions WHERE status = 'published'"),
      superseded: n("SELECT count(*) FROM plan_versions WHERE status = 'superseded'"),
      versions: n('SELECT count(*) FROM plan_versions'),
      pointing: n("SELECT count(*) FROM plans p JOIN plan_versions v ON v.id = p.current_version_id AND v.status = 'published'"),
      outbox: n('SELECT count(*) FROM search_outbox'),
      workflow: n("SELECT count(*) FROM workflow_events WHERE action = 'imported'"),
      epoch: n('SELECT n FROM read_cache_epoch'),
    };
  });
}

async function importIn(dir: string, file: string, keep?: number) {
  return withDbAsync(dir, async (db) => {
    const checked = await validateImportFile(db, file, undefined, { keep });
    return { checked, ...(await importFile(db, file, checked, { importedBy: 'test-import', now })) };
  });
}

describe('import in batches', () => {
  it('a bad line in the middle of a file of several batches imports nothing', async () => {
    const dir = await fresh();
    const lines: unknown[] = records(N);
    const bad = BATCH + BATCH / 2;
    const r = lines[bad - 1] as ImportRecord;
    lines[bad - 1] = { ...r, subject: { ...r.subject, dateOfBirth: '1990-02-30' } };
    const res = await cli(['import', writeNdjson(dir, lines)], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`line ${bad}: subject.dateOfBirth: must be a date as YYYY-MM-DD`);
    expect(res.stderr).toContain(`1 of ${lines.length} lines are invalid; nothing was imported`);
    expect(counts(dir)).toMatchObject({ plans: 0, versions: 0, outbox: 0, workflow: 0 });
  }, 60_000);

  it('re-importing the same file is a no-op: no new versions, outbox rows or workflow events', async () => {
    const dir = await fresh();
    const file = writeNdjson(dir, records(N));
    const first = await importIn(dir, file);
    expect(first.summary).toMatchObject({ created: N, updated: 0, unchanged: 0 });
    const after = counts(dir);
    expect(after).toMatchObject({ plans: N, published: N, versions: N, pointing: N, outbox: N, workflow: N });

    const again = await importIn(dir, file);
    expect(again.stopped).toBeUndefined();
    expect(again.summary).toMatchObject({ created: 0, updated: 0, unchanged: N });
    // Nothing written at all: not even the read cache is told of a change.
    expect(counts(dir)).toEqual(after);
  });

  it('a changed record publishes exactly one new version, supersedes the old one and queues one index sync', async () => {
    const dir = await fresh();
    const all = records(BATCH + BATCH / 2);
    await importIn(dir, writeNdjson(dir, all));
    const before = counts(dir);
    const changed = BATCH + 10;
    const original = all[changed - 1]!.plan.summary;
    all[changed - 1] = { ...all[changed - 1]!, plan: { ...all[changed - 1]!.plan, summary: 'A changed summary for the responder.' } };
    const res = await importIn(dir, writeNdjson(dir, all));
    expect(res.summary).toMatchObject({ created: 0, updated: 1, unchanged: BATCH + BATCH / 2 - 1 });
    expect(counts(dir)).toMatchObject({
      plans: before.plans,
      versions: before.versions + 1,
      published: before.published,
      superseded: 1,
      pointing: before.plans,
      outbox: before.outbox + 1,
      workflow: before.workflow + 1,
    });
    withDb(dir, (db) => {
      const versions = db.$client
        .prepare(
          `SELECT v.id, v.version, v.status, v.base_version_id AS base, v.change_summary AS summary, json_extract(v.content, '$.summary') AS text,
                  p.current_version_id = v.id AS current
             FROM plan_versions v JOIN plans p ON p.id = v.plan_id WHERE p.external_ref = ? ORDER BY v.version`,
        )
        .all(ref(changed)) as { id: number; version: number; status: string; base: number | null; summary: string; text: string; current: number }[];
      expect(versions.map(({ id: _, ...v }) => v)).toEqual([
        { version: 1, status: 'superseded', base: null, summary: 'Imported', text: original, current: 0 },
        { version: 2, status: 'published', base: versions[0]!.id, summary: 'Updated by import', text: 'A changed summary for the responder.', current: 1 },
      ]);
    });
  });

  it('a record that fails at insert time rolls back its whole batch; earlier batches stay, and running it again finishes', async () => {
    const dir = await fresh();
    const file = writeNdjson(dir, records(N));
    const failing = BATCH + BATCH / 2;
    // A constraint the check pass cannot see, hit after the record's plan and version rows are written.
    withDb(dir, (db) =>
      db.$client.exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON search_outbox
        WHEN NEW.plan_id = (SELECT id FROM plans WHERE external_ref = '${ref(failing)}')
        BEGIN SELECT RAISE(ABORT, 'provoked failure'); END`),
    );
    const res = await cli(['import', file], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`import stopped at line ${failing} ("${ref(failing)}"): provoked failure`);
    expect(res.stderr).toContain(`committed: the ${BATCH} records before line ${BATCH + 1} (${BATCH} new, 0 updated, 0 unchanged)`);
    // Every committed record is whole (plan, published version, pointer, outbox row, workflow event); of
    // the failing batch, the failing record included, nothing is left.
    expect(counts(dir)).toMatchObject({ plans: BATCH, published: BATCH, versions: BATCH, pointing: BATCH, outbox: BATCH, workflow: BATCH });
    withDb(dir, (db) => {
      expect(db.$client.prepare('SELECT max(external_ref) FROM plans').pluck().get()).toBe(ref(BATCH));
      db.$client.exec('DROP TRIGGER test_refuse');
    });

    const again = await cli(['import', file], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${N - BATCH} new, 0 updated, ${BATCH} unchanged`);
    expect(counts(dir)).toMatchObject({ plans: N, versions: N, pointing: N, outbox: N, workflow: N });
  }, 60_000);

  it('records kept from the check and lines read again import alike, invalid lines skipped', async () => {
    const lines: unknown[] = records(BATCH + BATCH / 2);
    lines[199] = '{"externalRef": "broken"';
    lines[BATCH + 99] = { ...(lines[BATCH + 99] as ImportRecord), owningOrg: 'nowhere' };
    const hashes = async (keep: number) => {
      const dir = await fresh();
      const res = await importIn(dir, writeNdjson(dir, lines), keep);
      expect(res.checked.invalidLines).toEqual(new Set([200, BATCH + 100]));
      expect(res.summary).toMatchObject({ created: BATCH + BATCH / 2 - 2, lines: BATCH + BATCH / 2 - 2 });
      return withDb(dir, (db) => db.$client.prepare('SELECT p.external_ref, v.content_hash FROM plans p JOIN plan_versions v ON v.plan_id = p.id ORDER BY 1').raw().all());
    };
    const allKept = await hashes(Infinity);
    expect(await hashes(BATCH / 2)).toEqual(allKept);
    expect(await hashes(0)).toEqual(allKept);
  });

  it('a line that changed between the check and the import stops the import there', async () => {
    const dir = await fresh();
    const lines = records(300);
    const file = writeNdjson(dir, lines);
    const res = await withDbAsync(dir, async (db) => {
      const checked = await validateImportFile(db, file, undefined, { keep: 100 });
      writeNdjson(dir, [...lines.slice(0, 150), '{"edited": true}', ...lines.slice(151)]);
      return importFile(db, file, checked, { importedBy: 'test-import', now });
    });
    expect(res.stopped).toMatchObject({ line: 151, firstLineNotImported: 151 });
    expect(res.stopped!.message).toMatch(/file changed during the import/);
    expect(counts(dir)).toMatchObject({ plans: 150, versions: 150, outbox: 150 });
  });
});

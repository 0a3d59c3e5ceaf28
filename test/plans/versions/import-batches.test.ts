import fs from 'node:fs';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ImportRecord } from '../../../src/plans/core/content.js';
import { ensureDemoOrganisations } from '../../../src/plans/demo/demo.js';
import { syntheticRecords } from '../../../src/plans/demo/synthetic.js';
import { validateImportFile } from '../../../src/plans/versions/import-check.js';
import { BATCH, importFile } from '../../../src/plans/versions/importer.js';
import { findPlanByRef, versionsOf } from '../../../src/plans/versions/store.js';
import { cli } from '../../cli/helpers.js';
import { tempDir, withStoreAt } from '../../helpers.js';

/**
 * What batching the import (BATCH records per transaction, records kept from the check pass) could
 * break: files of several batches, on real stores (a SQLite file, a PostgreSQL database), through the importer and the CLI.
 */

const now = () => new Date('2026-11-23T10:00:00Z');
const records = (n: number): ImportRecord[] => [
  ...syntheticRecords(n, { seed: 99, owningOrgs: ['southbank-mh', 'northgate-mh'], today: '2026-11-23' }),
];
/** Two whole batches and half of a third. */
const N = 2 * BATCH + BATCH / 2;
const ref = (line: number) => `SYN-${String(line).padStart(6, '0')}`;

function writeNdjson(dir: string, lines: unknown[]): string {
  const file = path.join(dir, 'plans.ndjson');
  fs.writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return file;
}

async function fresh(): Promise<string> {
  const dir = tempDir();
  await withStoreAt(dir, (db) => ensureDemoOrganisations(db, now()));
  return dir;
}

/** Every table an imported record writes to, and the read cache's change counter. */
function counts(dir: string) {
  return withStoreAt(dir, async (db) => {
    const n = async (q: SQL) => Number((await db.one<{ n: number | string }>(q))!.n);
    return {
      plans: await n(sql`SELECT count(*) AS n FROM plans`),
      published: await n(sql`SELECT count(*) AS n FROM plan_versions WHERE status = 'published'`),
      superseded: await n(sql`SELECT count(*) AS n FROM plan_versions WHERE status = 'superseded'`),
      versions: await n(sql`SELECT count(*) AS n FROM plan_versions`),
      pointing: await n(
        sql`SELECT count(*) AS n FROM plans p JOIN plan_versions v ON v.id = p.current_version_id AND v.status = 'published'`,
      ),
      outbox: await n(sql`SELECT count(*) AS n FROM search_outbox`),
      workflow: await n(sql`SELECT count(*) AS n FROM workflow_events WHERE action = 'imported'`),
      epoch: await n(sql`SELECT n FROM read_cache_epoch`),
    };
  });
}

async function importIn(dir: string, file: string, keep?: number) {
  return withStoreAt(dir, async (db) => {
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
    expect(await counts(dir)).toMatchObject({ plans: 0, versions: 0, outbox: 0, workflow: 0 });
  }, 60_000);

  it('re-importing the same file is a no-op: no new versions, outbox rows or workflow events', async () => {
    const dir = await fresh();
    const file = writeNdjson(dir, records(N));
    const first = await importIn(dir, file);
    expect(first.summary).toMatchObject({ created: N, updated: 0, unchanged: 0 });
    const after = await counts(dir);
    expect(after).toMatchObject({ plans: N, published: N, versions: N, pointing: N, outbox: N, workflow: N });

    const again = await importIn(dir, file);
    expect(again.stopped).toBeUndefined();
    expect(again.summary).toMatchObject({ created: 0, updated: 0, unchanged: N });
    // Nothing written at all: not even the read cache is told of a change.
    expect(await counts(dir)).toEqual(after);
  });

  it('a changed record publishes exactly one new version, supersedes the old one and queues one index sync', async () => {
    const dir = await fresh();
    const all = records(BATCH + BATCH / 2);
    await importIn(dir, writeNdjson(dir, all));
    const before = await counts(dir);
    const changed = BATCH + 10;
    const original = all[changed - 1]!.plan.summary;
    all[changed - 1] = { ...all[changed - 1]!, plan: { ...all[changed - 1]!.plan, summary: 'A changed summary for the responder.' } };
    const res = await importIn(dir, writeNdjson(dir, all));
    expect(res.summary).toMatchObject({ created: 0, updated: 1, unchanged: BATCH + BATCH / 2 - 1 });
    expect(await counts(dir)).toMatchObject({
      plans: before.plans,
      versions: before.versions + 1,
      published: before.published,
      superseded: 1,
      pointing: before.plans,
      outbox: before.outbox + 1,
      workflow: before.workflow + 1,
    });
    await withStoreAt(dir, async (db) => {
      const plan = (await findPlanByRef(db, all[changed - 1]!.owningOrg, ref(changed)))!;
      const versions = (await versionsOf(db, plan.id)).map((v) => ({
        id: v.id,
        version: v.version,
        status: v.status,
        base: v.baseVersionId,
        summary: v.changeSummary,
        text: v.content.summary,
        current: plan.currentVersionId === v.id,
      }));
      expect(versions.map(({ id: _, ...v }) => v)).toEqual([
        { version: 1, status: 'superseded', base: null, summary: 'Imported', text: original, current: false },
        {
          version: 2,
          status: 'published',
          base: versions[0]!.id,
          summary: 'Updated by import',
          text: 'A changed summary for the responder.',
          current: true,
        },
      ]);
    });
  });

  it('a record that fails at insert time rolls back its whole batch; earlier batches stay, and running it again finishes', async () => {
    const dir = await fresh();
    const file = writeNdjson(dir, records(N));
    const failing = BATCH + BATCH / 2;
    // A constraint the check pass cannot see, hit after the record's plan and version rows are written.
    const which = `(SELECT id FROM plans WHERE external_ref = '${ref(failing)}')`;
    await withStoreAt(dir, async (db) => {
      if (db.kind === 'sqlite') {
        await db.exec(
          sql.raw(`CREATE TRIGGER test_refuse BEFORE INSERT ON search_outbox WHEN NEW.plan_id = ${which}
          BEGIN SELECT RAISE(ABORT, 'provoked failure'); END`),
        );
      } else {
        await db.exec(
          sql.raw(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.plan_id = ${which} THEN RAISE EXCEPTION 'provoked failure'; END IF; RETURN NEW; END $$`),
        );
        await db.exec(sql`CREATE TRIGGER test_refuse BEFORE INSERT ON search_outbox FOR EACH ROW EXECUTE FUNCTION test_refuse()`);
      }
    });
    const res = await cli(['import', file], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`import stopped at line ${failing} ("${ref(failing)}"): provoked failure`);
    expect(res.stderr).toContain(`committed: the ${BATCH} records before line ${BATCH + 1} (${BATCH} new, 0 updated, 0 unchanged)`);
    // Every committed record is whole (plan, published version, pointer, outbox row, workflow event); of
    // the failing batch, the failing record included, nothing is left.
    expect(await counts(dir)).toMatchObject({
      plans: BATCH,
      published: BATCH,
      versions: BATCH,
      pointing: BATCH,
      outbox: BATCH,
      workflow: BATCH,
    });
    await withStoreAt(dir, async (db) => {
      expect(await db.one(sql`SELECT max(external_ref) AS ref FROM plans`)).toEqual({ ref: ref(BATCH) });
      await db.exec(db.kind === 'sqlite' ? sql`DROP TRIGGER test_refuse` : sql`DROP TRIGGER test_refuse ON search_outbox`);
    });

    const again = await cli(['import', file], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${N - BATCH} new, 0 updated, ${BATCH} unchanged`);
    expect(await counts(dir)).toMatchObject({ plans: N, versions: N, pointing: N, outbox: N, workflow: N });
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
      return withStoreAt(dir, (db) =>
        db.many(sql`SELECT p.external_ref, v.content_hash FROM plans p JOIN plan_versions v ON v.plan_id = p.id ORDER BY 1`),
      );
    };
    const allKept = await hashes(Infinity);
    expect(await hashes(BATCH / 2)).toEqual(allKept);
    expect(await hashes(0)).toEqual(allKept);
  });

  it('a line that changed between the check and the import stops the import there', async () => {
    const dir = await fresh();
    const lines = records(300);
    const file = writeNdjson(dir, lines);
    const res = await withStoreAt(dir, async (db) => {
      const checked = await validateImportFile(db, file, undefined, { keep: 100 });
      writeNdjson(dir, [...lines.slice(0, 150), '{"edited": true}', ...lines.slice(151)]);
      return importFile(db, file, checked, { importedBy: 'test-import', now });
    });
    expect(res.stopped).toMatchObject({ line: 151, firstLineNotImported: 151 });
    expect(res.stopped!.message).toMatch(/file changed during the import/);
    expect(await counts(dir)).toMatchObject({ plans: 150, versions: 150, outbox: 150 });
  });
});

// The versions aggregate's statements on both stores (versions/store.ts, import-store.ts): the workflow,
// the importer, the console's lists, history, the responder's read path and its cache, and the person's
// copy, through the domain as the routes call it, on a SQLite file and on a PostgreSQL database.
import { describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../db/index.js';
import type { Actor } from '../../../src/plans/core/actor.js';
import { printPersonCopy, personCopyStatus } from '../../../src/plans/copies/copies.js';
import { ensureDemoOrganisations } from '../../../src/plans/demo/demo.js';
import { importRecords } from '../../../src/plans/versions/importer.js';
import { planHistory } from '../../../src/plans/versions/history.js';
import { authorHome, reviewQueue } from '../../../src/plans/versions/queues.js';
import { createPlanReader } from '../../../src/plans/versions/read.js';
import { findPlanByRef, findVersion } from '../../../src/plans/versions/store.js';
import { approve, createDraft, createPlan, editDraft, submitForReview, withdraw } from '../../../src/plans/versions/workflow.js';
import { dialects, importRecordFrom, openDatabase, planBody, tempDir, testClock, testStore, who, type Dialect } from '../../helpers.js';

const mh = (w: (typeof who)[keyof typeof who]): Actor => ({ ...w, orgKind: 'mental-health' });
const author = mh(who.author);
const author2 = mh(who.author2);
const approver = mh(who.approver);
const approver2 = mh(who.approver2);
const officer: Actor = { ...who.officer, orgKind: 'police' };
const day = '2026-11-23';

async function store(dialect: Dialect) {
  const clock = testClock();
  const db = await testStore(dialect);
  await ensureDemoOrganisations(db, clock());
  return { db, clock };
}

/** A second handle on the same database: another process, or another node. */
async function secondHandle(db: Db): Promise<Db> {
  return db.pg ? openStore({ dataDir: tempDir(), databaseUrl: db.pg.url }) : openDatabase(db.sqlite!.file);
}

const unwrap = <T>(r: { ok: true; value: T } | { ok: false; detail: string }): T => {
  if (!r.ok) throw new Error(r.detail);
  return r.value;
};

describe.each(dialects)('versions on %s', (dialect) => {
  it('writes, reviews, publishes, revises and withdraws a plan; history, queues and the read path follow', async () => {
    const { db, clock } = await store(dialect);
    let nudged = 0;
    const events = { onIndexChange: () => void nudged++ };
    const reader = createPlanReader(db);

    const v1 = unwrap(await createPlan(db, author, planBody(), clock()));
    expect(await createPlan(db, author2, planBody(), clock())).toMatchObject({ ok: false, code: 'conflict' });
    const { externalRef: _r, ...body } = planBody({ summary: 'Edited by a second author.' });
    unwrap(await editDraft(db, author2, v1, body, clock()));
    unwrap(await submitForReview(db, author, v1, clock()));
    const queue = unwrap(await reviewQueue(db, approver, clock()));
    expect(queue).toEqual([
      expect.objectContaining({ planId: v1.planId, version: 1, authors: ['author.a', 'author.b'], firstVersion: true, mayApprove: true }),
    ]);
    expect(await reader.byId(officer, v1.planId, day)).toMatchObject({ ok: false, code: 'not_found' });

    const hash1 = (await findVersion(db, v1.planId, 1))!.contentHash;
    unwrap(await approve(db, approver, v1, hash1, clock(), events));
    expect(nudged).toBe(1);
    const read1 = unwrap(await reader.byId(officer, v1.planId, day));
    expect(read1.view).toMatchObject({ version: 1, content: { summary: 'Edited by a second author.' } });
    expect(read1.view.content.diagnosis).toBeUndefined(); // withheld from the police

    clock.set('2026-11-24T10:00:00Z');
    const v2 = unwrap(await createDraft(db, author, v1.planId, undefined, clock()));
    expect(v2.version).toBe(2);
    expect(await createDraft(db, author, v1.planId, undefined, clock())).toMatchObject({ ok: false, code: 'conflict' });
    unwrap(await editDraft(db, author, v2, { ...body, plan: { ...body.plan, summary: 'Version two.' } }, clock()));
    unwrap(await submitForReview(db, author, v2, clock()));
    const [review] = unwrap(await reviewQueue(db, approver, clock()));
    expect(review).toMatchObject({ version: 2, firstVersion: false, change: { sections: 1 } });
    unwrap(await approve(db, approver, v2, (await findVersion(db, v1.planId, 2))!.contentHash, clock(), events));
    expect(unwrap(await reader.byId(officer, v1.planId, day)).view).toMatchObject({ version: 2, content: { summary: 'Version two.' } });
    expect(unwrap(await reader.byExternalRef(officer, 'southbank-mh', 'SB-000001', day)).view.version).toBe(2);

    const history = unwrap(await planHistory(db, approver, v1.planId));
    expect(history.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
    ]);
    expect(history.events.map((e) => [e.version, e.action])).toEqual([
      [1, 'created'],
      [1, 'edited'],
      [1, 'submitted'],
      [1, 'approved'],
      [2, 'created'],
      [2, 'edited'],
      [2, 'submitted'],
      [2, 'approved'],
    ]);

    const copy = unwrap(await printPersonCopy(db, author, v1.planId, { withoutIdentifiers: true }, clock()));
    expect(copy).toMatchObject({ version: 2, withoutIdentifiers: true });
    expect(unwrap(await personCopyStatus(db, author, v1.planId))).toMatchObject({ holds: { copyId: copy.copyId }, outOfDate: false });

    unwrap(await createPlan(db, author, planBody({ externalRef: 'SB-DRAFT', givenNames: 'Bryn' }), clock()));
    const home = unwrap(await authorHome(db, author, { q: '', filter: 'all' }, clock()));
    expect(home.items.map((i) => [i.externalRef, i.state, i.latestVersion, i.currentVersion])).toEqual([
      ['SB-DRAFT', 'draft', 1, null],
      ['SB-000001', 'published', 2, 2],
    ]);
    expect(home.items[1]!.lastTouched).toMatchObject({ by: 'approver.a', action: 'approved' });

    unwrap(await withdraw(db, approver, v2, 'Person moved away', clock(), events));
    expect(nudged).toBe(3);
    expect(await reader.byId(officer, v1.planId, day)).toMatchObject({ ok: false, code: 'gone' });
    expect(unwrap(await authorHome(db, author, { q: 'sb-0', filter: 'withdrawn' }, clock())).items.map((i) => i.externalRef)).toEqual([
      'SB-000001',
    ]);
  });

  it('two approvers on two handles approving one version at once: exactly one publishes', async () => {
    const { db, clock } = await store(dialect);
    const other = await secondHandle(db);
    try {
      const ref = unwrap(await createPlan(db, author, planBody(), clock()));
      unwrap(await submitForReview(db, author, ref, clock()));
      const hash = (await findVersion(db, ref.planId, 1))!.contentHash;
      const results = await Promise.all([approve(db, approver, ref, hash, clock()), approve(other, approver2, ref, hash, clock())]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({ code: 'conflict' });
      const history = unwrap(await planHistory(db, approver, ref.planId));
      expect(history.events.filter((e) => e.action === 'approved')).toHaveLength(1);
      expect(history.currentVersion).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('imports in batches: new plans, an unchanged re-import writes nothing, a change supersedes, a repeat in one call sees the first', async () => {
    const { db } = await store(dialect);
    const now = () => new Date('2026-11-23T10:00:00Z');
    const records = Array.from({ length: 7 }, (_, i) =>
      importRecordFrom(planBody({ externalRef: `SB-IMP-${i}`, familyName: `Importperson${i}` })),
    );
    let nudged = 0;
    const opts = { importedBy: 'test-import', now, events: { onIndexChange: () => void nudged++ } };
    expect(await importRecords(db, records, opts)).toMatchObject({ created: 7, updated: 0, unchanged: 0 });
    expect(nudged).toBe(1);
    expect(await importRecords(db, records, opts)).toMatchObject({ created: 0, unchanged: 7 });
    expect(nudged).toBe(1);

    const changed = importRecordFrom(planBody({ externalRef: 'SB-IMP-3', familyName: 'Importperson3', summary: 'Changed at source.' }));
    const again = importRecordFrom(planBody({ externalRef: 'SB-IMP-3', familyName: 'Importperson3', summary: 'Changed twice.' }));
    expect(await importRecords(db, [changed, again, records[4]!], opts)).toMatchObject({ created: 0, updated: 2, unchanged: 1 });
    const plan = (await findPlanByRef(db, 'southbank-mh', 'SB-IMP-3'))!;
    const history = unwrap(await planHistory(db, approver, plan.id));
    expect(history.versions.map((v) => [v.version, v.status, v.changeSummary])).toEqual([
      [1, 'superseded', 'Imported'],
      [2, 'superseded', 'Updated by import'],
      [3, 'published', 'Updated by import'],
    ]);
    expect(history.events.map((e) => e.action)).toEqual(['imported', 'imported', 'imported']);
    const reader = createPlanReader(db);
    expect(unwrap(await reader.byId(officer, plan.id, day)).view.content.summary).toBe('Changed twice.');

    // A withdrawn plan in a migration file is reported and skipped, never republished.
    unwrap(await withdraw(db, approver, { planId: plan.id, version: 3 }, 'Duplicate record', new Date('2026-11-23T11:00:00Z')));
    expect(await importRecords(db, [records[3]!], opts)).toMatchObject({ 'skipped-withdrawn': 1 });
    expect(await reader.byId(officer, plan.id, day)).toMatchObject({ ok: false, code: 'gone' });
  });

  it('the read cache drops what it holds when another handle changes a plan', async () => {
    const { db, clock } = await store(dialect);
    await importRecords(db, [importRecordFrom(planBody())], { importedBy: 'test-import', now: clock });
    const planId = (await findPlanByRef(db, 'southbank-mh', 'SB-000001'))!.id;
    const reader = createPlanReader(db);
    expect((await reader.byId(officer, planId, day)).ok).toBe(true);
    expect(await reader.byExternalRef(officer, 'southbank-mh', 'SB-000002', day)).toMatchObject({ ok: false, code: 'not_found' });
    const other = await secondHandle(db);
    try {
      unwrap(await withdraw(other, approver, { planId, version: 1 }, 'Withdrawn elsewhere', clock()));
      await importRecords(other, [importRecordFrom(planBody({ externalRef: 'SB-000002' }))], { importedBy: 'test-import', now: clock });
    } finally {
      await other.close();
    }
    // The next read is in a later turn of the event loop, as every request after a commit elsewhere is.
    await new Promise((r) => setImmediate(r));
    expect(await reader.byId(officer, planId, day)).toMatchObject({ ok: false, code: 'gone' });
    expect((await reader.byExternalRef(officer, 'southbank-mh', 'SB-000002', day)).ok).toBe(true);
  });
});

// The search's stores on both dialects: the outbox worker and the fallback behave the same on SQLite and
// PostgreSQL, and PostgreSQL's fallback ranks candidates by the score FTS5 gives them.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import type { SearchDoc } from '../../src/search/document.js';
import { createFallbackStore, type FallbackStore } from '../../src/search/fallback.js';
import { firstLetterKeys, phoneticCodes } from '../../src/search/phonetic.js';
import { createIndexSync } from '../../src/search/sync.js';
import { variantTable } from '../../src/search/variants.js';
import { generatePeople, toImportRecord } from '../../scripts/eval-search/generate.js';
import { dialects, testStore } from '../helpers.js';
import { cast, person } from './helpers.js';
import { docOf, publish, withdrawn } from './store-writes.js';

const ids = (docs: SearchDoc[]) => docs.map((d) => d.externalRef);
const everyone = { owners: ['southbank-mh', 'northgate-mh'] };

describe.each(dialects)('search stores on %s', (dialect) => {
  it('the fallback keeps one row per plan: put replaces, drop removes, clear empties; term counts follow', async () => {
    const db = await testStore(dialect);
    const fallback = createFallbackStore(db);
    const docs = cast.map(docOf);
    await fallback.putAll(docs);
    expect(await fallback.count()).toBe(cast.length);
    const smiths = cast.filter((r) => r.subject.familyName === 'Smith').length;
    expect(smiths).toBe(3);
    expect(await fallback.docFrequencies(['smith', 'okonkwo', 'nobodyhasthis', 'bad term!'])).toEqual(
      new Map([
        ['smith', 3],
        ['okonkwo', 2],
      ]),
    );

    // A plan's new document replaces its old one, in the caller's transaction.
    const renamed = docOf(person({ ref: 'S-JS1', given: 'John', family: 'Smythe-Quorn', dob: '1970-01-01' }), 7);
    expect(renamed.id).toBe(docs[7]!.id);
    await db.tx((q) => fallback.write(q, [renamed], []));
    expect(await fallback.count()).toBe(cast.length);
    expect(await fallback.docFrequencies(['smith', 'quorn'])).toEqual(
      new Map([
        ['smith', 2],
        ['quorn', 1],
      ]),
    );
    expect(ids(await fallback.candidates(['quorn'], undefined, everyone, 10))).toEqual(['S-JS1']);

    await db.tx((q) => fallback.write(q, [], [renamed.id, 'no-such-plan']));
    expect(await fallback.count()).toBe(cast.length - 1);
    expect(await fallback.candidates(['quorn'], undefined, everyone, 10)).toEqual([]);

    await fallback.clear();
    expect(await fallback.count()).toBe(0);
    expect(await fallback.docFrequencies(['okonkwo'])).toEqual(new Map());
  });

  it('fallback candidates: any term within the scope and dates given, best match first; a prefix; no terms → everyone in scope', async () => {
    const db = await testStore(dialect);
    const fallback = createFallbackStore(db);
    await fallback.putAll(cast.map(docOf));
    const south = { owners: ['southbank-mh'] };
    expect(ids(await fallback.candidates(['smith'], undefined, south, 10)).sort()).toEqual(['S-JS1', 'S-JS2', 'S-JS3']);
    expect(ids(await fallback.candidates(['smith'], undefined, { ...south, dob: '1988' }, 10))).toEqual(['S-JS2']);
    expect(ids(await fallback.candidates(['smith'], undefined, { ...south, dob: '1995-12-12' }, 10))).toEqual(['S-JS3']);
    expect(ids(await fallback.candidates(['smith'], undefined, { ...south, dobAnyOf: ['1970-01-01', '1995-12-12'] }, 10)).sort()).toEqual([
      'S-JS1',
      'S-JS3',
    ]);
    expect(ids(await fallback.candidates(['smith'], undefined, { ...south, dobAnyOf: ['1970-01', '1988-08'] }, 10)).sort()).toEqual([
      'S-JS1',
      'S-JS2',
    ]);
    // Another trust's plan is found only within a scope that has it; an empty scope finds nobody.
    expect(ids(await fallback.candidates(['llewellyn'], undefined, south, 10))).toEqual([]);
    expect(ids(await fallback.candidates(['llewellyn'], undefined, { owners: ['northgate-mh'] }, 10))).toEqual(['S-NOR']);
    expect(await fallback.candidates(['smith'], undefined, { owners: [] }, 10)).toEqual([]);
    // Both words of a name outrank one of them; a family name (weight 4 in names) outranks a variant.
    expect(
      ids(await fallback.candidates(['siobhan', 'quillfeather'], undefined, south, 10))
        .slice(0, 2)
        .sort(),
    ).toEqual(['S-PR1', 'S-PR2']);
    expect(ids(await fallback.candidates(['siobhan', 'quillfeather'], undefined, south, 10))).toContain('S-SIO');
    // The last word may be a prefix (two letters at least); terms that are not our keys are dropped.
    expect(ids(await fallback.candidates([], 'penning', south, 10))).toEqual(['S-ROB']);
    expect(ids(await fallback.candidates(['"robert" OR x', 'nosuchname'], 'p', south, 10))).toEqual([]);
    // Nothing to match: everyone the filter leaves, up to the limit, in a stable order.
    const all = ids(await fallback.candidates([], undefined, south, 1000));
    expect(all).toHaveLength(cast.filter((r) => r.owningOrg === 'southbank-mh').length);
    expect(ids(await fallback.candidates([], undefined, south, 3))).toEqual(all.slice(0, 3));
    expect(ids(await fallback.candidates(['bad!'], undefined, { ...south, dob: '1980' }, 10)).sort()).toEqual(['S-ROB', 'S-SL1', 'S-SL4']);
  });

  it('the index worker applies the log from its cursor: indexes published plans, drops withdrawn ones, parks what it cannot build, and rebuilds', async () => {
    const db = await testStore(dialect);
    const fallback = createFallbackStore(db);
    const sync = createIndexSync({ db, fallback, logger: silentLogger() });
    // Built (empty) first, so what follows goes through the log rather than a rebuild.
    await sync.reconcile();
    expect(sync.counters().rebuilds).toBe(1);
    const records = cast.slice(0, 6);
    const planIds = await Promise.all(records.map((r, i) => publish(db, r, i)));
    // No date of birth: its document cannot be built.
    const { dateOfBirth: _dob, ...noDob } = cast[6]!.subject;
    const broken = await publish(db, cast[6]!, 6, noDob);
    expect(await sync.pending()).toBe(7);

    expect(await sync.drain()).toBe(7);
    expect([await sync.pending(), await sync.parked(), await fallback.count()]).toEqual([0, 1, 6]);
    const [parkedBefore] = await sync.parkedRows();
    expect(parkedBefore).toEqual({
      id: expect.any(Number),
      planId: broken,
      parkedAt: expect.any(String),
      reason: 'unreadable record (TypeError)',
    });
    expect(ids(await fallback.candidates(['pennington'], undefined, everyone, 10))).toEqual(['S-ROB']);

    await withdrawn(db, planIds[0]!);
    await sync.drain();
    expect(await fallback.candidates(['pennington'], undefined, everyone, 10)).toEqual([]);
    expect(await fallback.count()).toBe(5);

    // Replaying every entry is harmless; a retried parked plan is parked again (nothing fixed it).
    await db.exec(sql`UPDATE search_cursors SET position = 0`);
    expect(await sync.retryParked()).toBe(1);
    await sync.drain();
    expect([await sync.pending(), await sync.parked(), await fallback.count()]).toEqual([0, 1, 5]);

    // A rebuild covers every row written before it, the parked one too, and parks anew what it cannot build.
    await fallback.clear();
    expect(await sync.rebuild()).toEqual({ indexed: 5, parked: 1 });
    const [parked] = await sync.parkedRows();
    expect(parked!.planId).toBe(broken);
    expect(parked!.id).toBeGreaterThan(parkedBefore!.id);
    expect([await sync.pending(), await sync.parked(), await fallback.count()]).toEqual([0, 1, 5]);
    // A start-up reconcile leaves it so, without another rebuild (the cursor is current).
    await sync.reconcile();
    expect([await sync.pending(), await sync.parked(), await fallback.count()]).toEqual([0, 1, 5]);
    expect(sync.counters().rebuilds).toBe(2);
  });

  it('a nudge staging the same plans as a pass in flight neither fails nor leaves two rows for a plan', async () => {
    const db = await testStore(dialect);
    const fallback = createFallbackStore(db);
    const warnings: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void warnings.push(line) });
    const sync = createIndexSync({ db, fallback, logger });
    await sync.reconcile();
    const people = generatePeople(60, 3).map(toImportRecord);
    for (const [i, r] of people.entries()) await publish(db, r, i);
    for (let round = 0; round < 3; round++) {
      const pass = sync.drain();
      await Promise.all([sync.nudge(), sync.nudge()]);
      await pass;
      await db.exec(sql`UPDATE search_cursors SET position = 0 WHERE position > 0`);
    }
    await sync.drain();
    expect(warnings).toEqual([]);
    expect(await fallback.count()).toBe(people.length);
    const rows = await db.many<{ n: number }>(sql`SELECT count(*) AS n FROM search_fallback GROUP BY plan_id HAVING count(*) > 1`);
    expect(rows).toEqual([]);
  });
});

/** The terms the degraded search asks for (candidates.ts): the words, their variants, codes and tails. */
function termsOf(q: string): string[] {
  const table = variantTable();
  const words = q
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => /^[a-z]{2,}$/.test(w));
  return [
    ...new Set([
      ...words,
      ...words.flatMap((w) => [...(table.get(w)?.keys() ?? [])]),
      ...words.flatMap(phoneticCodes),
      ...words.flatMap(firstLetterKeys),
    ]),
  ];
}

describe('the PostgreSQL fallback ranks as FTS5 does', () => {
  it('over a synthetic population: the same plans found, in the order of their FTS5 score', async () => {
    const sqlite = await testStore('sqlite');
    const pg = await testStore('pg');
    const people = generatePeople(600, 5);
    const records = people.map(toImportRecord);
    const docs = records.map(docOf);
    const stores: [Db, FallbackStore][] = [sqlite, pg].map((db) => [db, createFallbackStore(db)]);
    for (const [, f] of stores) for (let i = 0; i < docs.length; i += 200) await f.putAll(docs.slice(i, i + 200));
    const byId = new Map(docs.map((d) => [d.id, d]));

    let compared = 0;
    for (const p of people.filter((_, i) => i % 7 === 0)) {
      for (const q of [`${p.given[0]} ${p.family}`, p.family, `${p.preferred ?? p.given[0]!.slice(0, 3)} ${p.family.slice(0, 4)}`]) {
        const terms = termsOf(q);
        if (!terms.length) continue;
        const prefix = q.split(' ').at(-1)!.toLowerCase();
        const stem = /^[a-z]{2,}$/.test(prefix) ? prefix : undefined;
        // FTS5's own score for every plan the query matches (lower is better), as the reference.
        const match = [...terms.map((t) => `"${t}"`), ...(stem ? [`"${stem}"*`] : [])].join(' OR ');
        const scored = await sqlite.many<{ id: string; s: number }>(
          sql`SELECT f.plan_id AS id, bm25(search_fts, 4.0, 2.0, 1.0, 1.0) AS s FROM search_fts JOIN search_fallback f ON f.rowid = search_fts.rowid WHERE search_fts MATCH ${match}`,
        );
        const score = new Map(scored.map((r) => [r.id, r.s]));
        const [fromSqlite, fromPg] = await Promise.all(stores.map(([, f]) => f.candidates(terms, stem, everyone, 40)));
        expect(fromPg!.length, q).toBe(fromSqlite!.length);
        const pgScores = fromPg!.map((d) => score.get(d.id));
        // Every plan PostgreSQL offers is one FTS5 matches, best first by FTS5's score; a tie at the cut
        // may take either of the tied plans, so the scores are compared, not the plans.
        for (const [i, s] of pgScores.entries()) {
          expect(s, `${q}: ${byId.get(fromPg![i]!.id)?.name}`).toBeDefined();
          if (i) expect(s!).toBeGreaterThanOrEqual(pgScores[i - 1]! - 1e-9);
        }
        fromSqlite!.forEach((d, i) => expect(pgScores[i]!, q).toBeCloseTo(score.get(d.id)!, 9));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  }, 120_000);
});

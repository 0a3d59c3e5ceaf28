import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { acceptancesOfTerms } from '../../../src/plans/governance/agreement-store.js';
import { agreementQueries } from '../../../src/plans/organisations.js';
import { openDatabase, tempDir } from '../../helpers.js';

/**
 * Agreements already in a database when proposals arrived (issue 20) stay in force, recorded as accepted
 * by every party: the migration's hand-written backfill.
 */
describe('the agreement-proposals migration', () => {
  it("keeps existing agreements in force and records every party's acceptance of them", async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'migrations');
    fs.cpSync(path.join(import.meta.dirname, '../../../db/migrations'), folder, { recursive: true });
    const journalFile = path.join(folder, 'meta/_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const mine = journal.entries.findIndex((e) => e.tag.endsWith('_agreement_proposals'));
    expect(mine).toBeGreaterThan(0);
    fs.writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, mine) }));

    const file = path.join(dir, 'plans.sqlite');
    const before = new Database(file);
    migrate(drizzle(before), { migrationsFolder: folder });
    const at = '2026-01-05T09:00:00.000Z';
    for (const [slug, kind] of [
      ['east-police', 'police'],
      ['east-mh', 'mental-health'],
      ['east-ed', 'emergency-department'],
    ]) {
      before
        .prepare('INSERT INTO organisations (slug, name, kind, created_at) VALUES (?, ?, ?, ?)')
        .run(slug, `${slug} (synthetic)`, kind, at);
    }
    const id = before
      .prepare(
        "INSERT INTO data_sharing_agreements (reference, valid_from, valid_to, created_at) VALUES ('OLD-1', '2026-01-01', '2027-12-31', ?)",
      )
      .run(at).lastInsertRowid;
    for (const p of ['east-police', 'east-mh', 'east-ed'])
      before.prepare('INSERT INTO dsa_parties (dsa_id, org_slug) VALUES (?, ?)').run(id, p);
    before.close();

    const db = openDatabase(file);
    expect(await agreementQueries(db).agreementInForce('east-police', 'east-mh', '2026-06-01')).toBe('OLD-1');
    const proposals = await db.many(sql`SELECT reference, kind, parties, state, proposed_by_org AS "by" FROM dsa_proposals`);
    expect(proposals).toEqual([
      { reference: 'OLD-1', kind: 'new', parties: '["east-ed","east-mh","east-police"]', state: 'accepted', by: '(migration)' },
    ]);
    expect((await acceptancesOfTerms(db, 'OLD-1')).map((d) => [d.org, d.decision, d.via])).toEqual([
      ['east-ed', 'accepted', 'migration'],
      ['east-mh', 'accepted', 'migration'],
      ['east-police', 'accepted', 'migration'],
    ]);
    await db.close();
  });
});

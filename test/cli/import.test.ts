import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { cli, cliHere } from './helpers.js';
import { accessEvents, countRows, importRecordFrom, planBody, storeAt, tempDir, withStoreAt } from '../helpers.js';

function writeNdjson(dir: string, lines: unknown[]): string {
  const file = path.join(dir, 'plans.ndjson');
  fs.writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return file;
}
const record = (ref: string, overrides: Parameters<typeof planBody>[0] = {}) =>
  importRecordFrom(planBody({ externalRef: ref, ...overrides }));

function count(dir: string) {
  return withStoreAt(dir, async (db) => ({
    plans: await countRows(db, 'plans'),
    published: await countRows(db, 'plan_versions', sql`status = 'published'`),
    superseded: await countRows(db, 'plan_versions', sql`status = 'superseded'`),
  }));
}

async function setUp() {
  const dir = tempDir();
  expect((await cliHere(['org', 'add', 'southbank-mh', '--name', 'Southbank MH', '--kind', 'mental-health'], dir)).code).toBe(0);
  return dir;
}

describe('cli import', () => {
  it('imports valid records, then is idempotent: unchanged is a no-op, changed supersedes', async () => {
    const dir = await setUp();
    const file = writeNdjson(dir, [record('R-1'), record('R-2', { givenNames: 'Ngozi', familyName: 'Okafor' })]);
    const first = await cli(['import', file], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2 new, 0 updated, 0 unchanged/);
    expect(await count(dir)).toEqual({ plans: 2, published: 2, superseded: 0 });

    expect((await cli(['import', file], dir)).stdout).toMatch(/0 new, 0 updated, 2 unchanged/);
    writeNdjson(dir, [record('R-1', { summary: 'A changed summary.' }), record('R-2', { givenNames: 'Ngozi', familyName: 'Okafor' })]);
    expect((await cli(['import', file], dir)).stdout).toMatch(/0 new, 1 updated, 1 unchanged/);
    expect(await count(dir)).toEqual({ plans: 2, published: 2, superseded: 1 });
  });

  it('is a governance event: who, which file, how many lines, for which organisations, and the outcome; no personal data', async () => {
    const dir = await setUp();
    const file = writeNdjson(dir, [record('R-1'), record('R-2', { givenNames: 'Ngozi', familyName: 'Okafor' }), '{"not":"a record"}']);
    const r = await cliHere(['import', file, '--skip-invalid'], dir);
    expect(r.code, r.stderr).toBe(0);
    const db = await storeAt(dir);
    const events = (await accessEvents(db)).filter((e) => e.action === 'governance');
    await db.close();
    expect(events.map((e) => [e.query!.op, e.outcome, e.channel])).toEqual([
      ['organisation.add', 'allowed', 'cli'],
      ['plans.import', 'allowed', 'cli'],
      ['plans.import-result', 'allowed', 'cli'],
    ]);
    expect(events[1]).toMatchObject({
      actorOrg: '(cli)',
      query: { target: 'plans.ndjson', orgs: ['southbank-mh'], changes: { lines: 3, valid: 2, invalid: 1 } },
    });
    expect(events[1]!.actorSub).toMatch(/^cli:.+/);
    expect(events[2]!.query).toMatchObject({ changes: { created: 2, updated: 0, unchanged: 0, invalidSkipped: 1 } });
    const text = JSON.stringify(events);
    for (const personal of ['Okafor', 'Ngozi', 'Aoife', 'R-1', dir]) expect(text).not.toContain(personal);
    const verified = await cliHere(['verify-audit'], dir);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('reports every bad line by number and field, and imports nothing', async () => {
    const dir = await setUp();
    const bad1 = { ...record('R-2'), subject: { ...record('R-2').subject, dateOfBirth: '1990-13-45' } };
    const bad2 = { ...record('R-3'), favouriteColour: 'green' };
    const bad3 = { ...record('R-4'), owningOrg: 'nowhere' };
    const bad4 = { ...record('R-5'), subject: { ...record('R-5').subject, nhsNumber: '9434765918' } };
    const file = writeNdjson(dir, [
      record('R-1'),
      bad1,
      '{not json',
      bad2,
      bad3,
      record('R-1'),
      bad4,
      { externalRef: 'R-6', owningOrg: 'southbank-mh' },
    ]);
    const res = await cliHere(['import', file], dir);
    expect(res.code).toBe(1);
    const lines = res.stderr.split('\n');
    expect(lines).toContain('line 2: subject.dateOfBirth: must be a date as YYYY-MM-DD');
    expect(lines.some((l) => l.startsWith('line 3: (line): not valid JSON'))).toBe(true);
    expect(lines).toContain('line 4: (record): unknown field(s): favouriteColour');
    expect(lines).toContain('line 5: owningOrg: no organisation "nowhere" (add it with: org add)');
    expect(lines).toContain('line 6: externalRef: "R-1" already appears on line 1');
    expect(lines.some((l) => /^line 7: subject\.nhsNumber: .*modulus 11/.test(l))).toBe(true);
    expect(
      lines
        .filter((l) => l.startsWith('line 8: '))
        .map((l) => l.split(':')[1]!.trim())
        .sort(),
    ).toEqual(['governance', 'plan', 'subject']);
    expect(res.stderr).toMatch(/7 of 8 lines are invalid; nothing was imported/);
    expect((await count(dir)).plans).toBe(0);
  });

  it('reports a lone surrogate (ill-formed Unicode) by line and field, in any field, and imports nothing', async () => {
    const dir = await setUp();
    const r = (ref: string) => record(ref);
    const file = writeNdjson(dir, [
      record('R-1'),
      record('R-2', { givenNames: 'Ann\ud800' }),
      { ...r('R-3'), plan: { ...r('R-3').plan, whatToAvoid: ['Crowding', 'Sirens\udc00'] } },
      { ...r('R-4'), governance: { ...r('R-4').governance, approvedBy: 'Dr \ud83d' } },
      // Written by hand, as another system might: the escape is in the file's text.
      JSON.stringify(record('R-5')).replace('"Lambeth"', '"Lamb\\ud800eth"'),
    ]);
    const res = await cliHere(['import', file], dir);
    expect(res.code).toBe(1);
    const lines = res.stderr.split('\n');
    const wf = 'must be well-formed Unicode text';
    expect(lines.find((l) => l.startsWith('line 2: '))).toContain(`line 2: subject.givenNames: ${wf}`);
    expect(lines.find((l) => l.startsWith('line 3: '))).toContain(`line 3: plan.whatToAvoid.1: ${wf}`);
    expect(lines.find((l) => l.startsWith('line 4: '))).toContain(`line 4: governance.approvedBy: ${wf}`);
    expect(lines.find((l) => l.startsWith('line 5: '))).toContain(`line 5: subject.homeArea: ${wf}`);
    expect(res.stderr).toMatch(/4 of 5 lines are invalid; nothing was imported/);
    expect((await count(dir)).plans).toBe(0);
  });

  it('--skip-invalid imports the good lines and still reports the bad ones', async () => {
    const dir = await setUp();
    const file = writeNdjson(dir, [record('R-1'), '{"externalRef": 5}', record('R-3')]);
    const res = await cliHere(['import', file, '--skip-invalid'], dir);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^line 2: externalRef/m);
    expect(res.stdout).toMatch(/imported 2 of 3 lines.*1 invalid skipped/);
    expect((await count(dir)).plans).toBe(2);
  });

  it('does not republish a plan that its trust withdrew', async () => {
    const dir = await setUp();
    const file = writeNdjson(dir, [record('R-1')]);
    await cliHere(['import', file], dir);
    await withStoreAt(dir, async (db) => {
      await db.exec(sql`UPDATE plan_versions SET status = 'withdrawn'`);
      await db.exec(sql`UPDATE plans SET current_version_id = NULL, withdrawn_at = '2026-11-01T00:00:00Z'`);
    });
    writeNdjson(dir, [record('R-1', { summary: 'changed after withdrawal' })]);
    expect((await cliHere(['import', file], dir)).stdout).toMatch(/1 skipped because the plan was withdrawn/);
  });

  it('gives clear errors for unknown commands, bad options and missing files', async () => {
    const dir = tempDir();
    const unknown = await cli(['frobnicate'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command: frobnicate/);
    const badKind = await cli(['org', 'add', 'x-police', '--name', 'X', '--kind', 'navy'], dir);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toMatch(/kind: Invalid option/);
    expect((await cli(['import', path.join(dir, 'nope.ndjson')], dir)).stderr).toMatch(/no such file/);
    const dsa = await cli(['dsa', 'add', 'DSA-1', '--parties', 'a,b', '--from', '2026-01-01', '--to', '2025-01-01'], dir);
    expect(dsa.stderr).toMatch(/validTo: validTo must not be before validFrom/);
  });
});

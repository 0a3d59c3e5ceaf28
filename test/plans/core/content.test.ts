import { describe, expect, it } from 'vitest';
import { importRecordSchema, planRecordSchema } from '../../../src/plans/core/content.js';
import { isValidNhsNumber, withNhsCheckDigit } from '../../../src/plans/core/nhs.js';
import { syntheticRecords } from '../../../src/plans/demo/synthetic.js';
import { importRecordFrom, planBody } from '../../helpers.js';

describe('NHS number (modulus 11)', () => {
  it('accepts numbers whose check digit is right and rejects the rest', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('9434765918')).toBe(false); // wrong check digit
    expect(isValidNhsNumber('943476591')).toBe(false); // nine digits
    expect(isValidNhsNumber('94347659190')).toBe(false);
    expect(isValidNhsNumber('94347x5919')).toBe(false);
    // Check value 10 is never issued: no digit completes these nine.
    const impossible = Array.from({ length: 2000 }, (_, i) => String(400_000_000 + i)).find((n) => withNhsCheckDigit(n) === null);
    expect(impossible).toBeDefined();
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`${impossible}${d}`)).toBe(false);
  });

  it('normalises spaced numbers in the record and names the field when wrong', () => {
    const body = planBody();
    const parsed = planRecordSchema.parse({
      subject: body.subject,
      locations: body.locations,
      plan: body.plan,
      governance: body.governance,
    });
    expect(parsed.subject.nhsNumber).toBe('9434765919');
    const bad = planRecordSchema.safeParse({ ...body, externalRef: undefined, subject: { ...body.subject, nhsNumber: '943 476 5918' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toContain('subject.nhsNumber');
  });
});

describe('plan record schema', () => {
  // The web forms and every other caller of the domain get this from the schema's text building block.
  it('refuses a lone surrogate in any text field, naming it', () => {
    const { externalRef: _r, changeSummary: _c, ...body } = planBody();
    for (const [path, record] of [
      ['subject.givenNames', { ...body, subject: { ...body.subject, givenNames: 'Ann\ud800' } }],
      ['plan.summary', { ...body, plan: { ...body.plan, summary: 'Calm \udc00 voice.' } }],
      ['plan.careTeam.0.name', { ...body, plan: { ...body.plan, careTeam: [{ name: '\udbff' }] } }],
    ] as const) {
      const parsed = planRecordSchema.safeParse(record);
      expect(parsed.success, path).toBe(false);
      expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        [path, expect.stringContaining('well-formed Unicode')],
      ]);
    }
    expect(planRecordSchema.safeParse({ ...body, subject: { ...body.subject, givenNames: 'Ann 🌊' } }).success).toBe(true);
  });

  it('requires what CONTRACTS §3 requires and nothing more', () => {
    const minimal = {
      externalRef: 'MIN-1',
      owningOrg: 'southbank-mh',
      subject: { givenNames: 'Cerys', familyName: 'Pritchard', dateOfBirth: '1984-02-29' },
      plan: { summary: 'Short.' },
      governance: { lawfulBasis: 'public-task', reviewBy: '2027-01-01' },
    };
    expect(importRecordSchema.safeParse(minimal).success).toBe(true);
    for (const path of [
      'externalRef',
      'owningOrg',
      'subject.givenNames',
      'subject.familyName',
      'subject.dateOfBirth',
      'plan.summary',
      'governance.lawfulBasis',
      'governance.reviewBy',
    ]) {
      const copy = structuredClone(minimal) as any;
      const keys = path.split('.');
      delete keys.slice(0, -1).reduce((o, k) => o[k], copy)[keys.at(-1)!];
      const res = importRecordSchema.safeParse(copy);
      expect(res.success, path).toBe(false);
      expect(res.error!.issues[0]!.path.join('.')).toBe(path);
    }
  });

  it('rejects unknown fields at every level, impossible dates, and a summary too long to read in a crisis', () => {
    const rec = importRecordFrom(planBody());
    const cases: [unknown, string][] = [
      [{ ...rec, extra: 1 }, ''],
      [{ ...rec, subject: { ...rec.subject, shoeSize: 9 } }, 'subject'],
      [{ ...rec, plan: { ...rec.plan, whatHelps: ['ok'], secret: 'x' } }, 'plan'],
      [{ ...rec, subject: { ...rec.subject, dateOfBirth: '1990-02-30' } }, 'subject.dateOfBirth'],
      [{ ...rec, subject: { ...rec.subject, dateOfBirth: '2999-01-01' } }, 'subject.dateOfBirth'],
      [{ ...rec, plan: { ...rec.plan, summary: 'x'.repeat(701) } }, 'plan.summary'],
      [{ ...rec, governance: { ...rec.governance, agreedBySubjectOn: undefined } }, 'governance.agreedBySubjectOn'],
      [{ ...rec, locations: [{ label: 'Nowhere', lat: 95, lng: 0 }] }, 'locations.0.lat'],
    ];
    for (const [value, path] of cases) {
      const res = importRecordSchema.safeParse(value);
      expect(res.success, path).toBe(false);
      expect(res.error!.issues[0]!.path.join('.')).toBe(path);
    }
  });

  it('synthetic records are valid records, varied, and repeatable for a seed', () => {
    const a = [...syntheticRecords(300, { seed: 7, owningOrgs: ['southbank-mh'], today: '2026-11-23' })];
    const b = [...syntheticRecords(300, { seed: 7, owningOrgs: ['southbank-mh'], today: '2026-11-23' })];
    expect(a).toEqual(b);
    for (const r of a) expect(importRecordSchema.safeParse(r).success).toBe(true);
    expect(a.some((r) => r.subject.familyName.includes('-'))).toBe(true);
    expect(a.some((r) => r.subject.familyName.includes("'"))).toBe(true);
    expect(a.some((r) => r.subject.aliases.length > 0)).toBe(true);
    expect(new Set(a.map((r) => r.subject.familyName)).size).toBeGreaterThan(60);
  });
});

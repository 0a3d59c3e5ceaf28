import { describe, expect, it } from 'vitest';
import { DOB_FUTURE, DOB_UNREADABLE, parseDob } from '../../../src/server/web/dob.js';

const TODAY = '2026-11-23';
const read = (s: string) => {
  const r = parseDob(s, TODAY);
  return r.ok ? r.value : r.detail;
};

describe('parseDob: a date of birth as people type it', () => {
  it.each([
    ['23/04/1989', '1989-04-23'],
    ['23-04-1989', '1989-04-23'],
    ['23.4.89', '1989-04-23'],
    ['23 Apr 1989', '1989-04-23'],
    ['23 april 1989', '1989-04-23'],
    ['23rd April 1989', '1989-04-23'],
    ['23-Apr-89', '1989-04-23'],
    ['April 23, 1989', '1989-04-23'],
    ['1989-04-23', '1989-04-23'],
    ['1989/4/23', '1989-04-23'],
    ['  23 / 04 / 1989 '.replace(/ \/ /g, '/'), '1989-04-23'],
    ['1989', '1989'],
    ['Apr 1989', '1989-04'],
    ['Sept 1989', '1989-09'],
    ['04/1989', '1989-04'],
    ['1989-04', '1989-04'],
    ['2/2/85', '1985-02-02'],
  ])('%s → %s', (typed, iso) => expect(read(typed)).toBe(iso));

  it('two-digit years take the century that puts the birth in the past', () => {
    expect(read('1.1.26')).toBe('2026-01-01');
    expect(read('24.11.26')).toBe('1926-11-24');
    expect(read('23.11.26')).toBe('2026-11-23');
    expect(read('1.1.30')).toBe('1930-01-01');
  });

  it('an empty field is no date; nonsense, impossible and future dates are one clear message', () => {
    expect(parseDob('  ', TODAY)).toEqual({ ok: true, value: undefined });
    for (const bad of ['31/02/1989', '1989-13-01', 'tomorrow', '23 Foo 1989', '12345', '1/2', '<b>1990</b>', '1900', 'ma 1989']) {
      expect(read(bad), bad).toBe(DOB_UNREADABLE);
    }
    expect(read('2027')).toBe(DOB_FUTURE);
    expect(read('24/11/2026')).toBe(DOB_FUTURE);
    expect(read('Dec 2026')).toBe(DOB_FUTURE);
  });
});

import { describe, expect, it } from 'vitest';
import { slipBetween, slipsOf } from '../../src/search/dob-slip.js';

describe('date-of-birth slips', () => {
  it('lists only real dates one slip away, few enough for an engine filter', () => {
    const slips = slipsOf('1980-10-03');
    expect(slips.size).toBeLessThan(100);
    expect(slips.has('1980-10-03')).toBe(false);
    for (const d of slips.keys()) expect(Number.isNaN(Date.parse(`${d}T00:00:00Z`)), d).toBe(false);
    expect(slipsOf('1980-02-28').has('1980-02-29')).toBe(true);
    expect(slipsOf('1981-02-28').has('1981-02-29')).toBe(false);
  });

  it('names the likelier slip when one change could be read two ways', () => {
    expect(slipBetween('1981-10-03', '1980-10-03')?.kind).toBe('year-off-by-one'); // also one digit
    expect(slipBetween('1980-01-10', '1980-10-01')?.kind).toBe('day-month-swapped'); // also transposed digits
    expect(slipBetween('2045-06-07', '1945-06-07')?.kind).toBe('wrong-century');
    expect(slipBetween('1980-10-03', '1955-01-01')).toBeUndefined();
    expect(slipBetween('1979', '1980-10-03')).toMatchObject({
      kind: 'year-off-by-one',
      says: 'date of birth 1980 on record, 1979 given: year off by one?',
    });
  });
});

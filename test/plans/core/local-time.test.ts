import { describe, expect, it } from 'vitest';
import { localDayEnd, localDayStart, longDate, readableDate, readableDateTime } from '../../../src/plans/core/local-time.js';

describe('dates and times as people read them (London time, the zone said)', () => {
  it('shows GMT in winter and BST in summer, and the London day of a late-evening instant', () => {
    expect(readableDateTime('2026-12-01T21:28:00.000Z')).toBe('1 Dec 2026, 21:28 GMT');
    expect(readableDateTime('2027-07-01T13:05:00.000Z')).toBe('1 Jul 2027, 14:05 BST');
    // 23:30 UTC on 30 June is already 1 July in London.
    expect(readableDate('2027-06-30T23:30:00.000Z')).toBe('1 Jul 2027');
    expect(longDate('2027-06-30T23:30:00.000Z')).toBe('1 July 2027');
  });

  it('keeps a stored date as it is, as precise as typed', () => {
    expect(readableDate('2027-03-28')).toBe('28 Mar 2027');
    expect(readableDate('1989-04')).toBe('Apr 1989');
    expect(readableDate('1989')).toBe('1989');
    expect(readableDate('2027-09-05')).toBe('5 Sep 2027');
  });

  it('bounds a London day in UTC, across the clock changes', () => {
    expect(localDayStart('2027-07-01')).toBe('2027-06-30T23:00:00.000Z');
    expect(localDayEnd('2027-07-01')).toBe('2027-07-01T22:59:59.999Z');
    expect(localDayStart('2027-12-01')).toBe('2027-12-01T00:00:00.000Z');
    // 28 March 2027: the clocks go forward at 01:00 UTC; the day starts at GMT midnight, ends at BST midnight.
    expect(localDayStart('2027-03-28')).toBe('2027-03-28T00:00:00.000Z');
    expect(localDayEnd('2027-03-28')).toBe('2027-03-28T22:59:59.999Z');
  });
});

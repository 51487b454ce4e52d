import { describe, expect, it } from 'vitest';
import { nextDelay, parseRetryAfter, retryDelay, verdictOf } from './retry-policy.js';

describe('verdictOf', () => {
  it.each([
    [200, false, 'succeeded'], [204, false, 'succeeded'], [299, false, 'succeeded'],
    [410, false, 'gone'], [410, true, 'gone'],
    [301, false, 'retry'], [302, false, 'retry'], [308, false, 'retry'],
    [408, false, 'retry'], [425, false, 'retry'], [429, false, 'retry'],
    [500, false, 'retry'], [502, false, 'retry'], [503, false, 'retry'], [504, false, 'retry'],
    [400, false, 'rejected'], [401, false, 'rejected'], [404, false, 'rejected'], [422, false, 'rejected'],
    [400, true, 'retry'], [404, true, 'retry'],
    [null, false, 'retry'],
  ] as const)('status %s (retryOn4xx %s) → %s', (status, retryOn4xx, verdict) => {
    expect(verdictOf({ status }, retryOn4xx)).toBe(verdict);
  });
});

describe('nextDelay', () => {
  const schedule = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

  it.each([
    [1, 0.5, 5_000], [2, 0.5, 300_000], [7, 0.5, 36_000_000],
    [1, 0, 4_000], [1, 0.999999, 6_000], [3, 0, 1_440_000],
  ])('after %d attempts with random %s waits %d ms', (made, random, expected) => {
    expect(nextDelay(schedule, made, random)).toBe(expected);
  });

  it('stops when the schedule is spent: its length is the number of automatic attempts', () => {
    expect(nextDelay(schedule, 8, 0.5)).toBeNull();
    expect(nextDelay([0], 1, 0.5)).toBeNull();
  });

  it.each([
    [1, 1, 5_000], // Retry-After shorter than the schedule: the schedule wins
    [1, 60, 60_000], // longer: honoured
    [1, 7_200, 7_200_000], // two hours: within the cap (the schedule's longest entry, 10 h)
    [1, 86_400 * 30, 36_000_000], // a month: cut to the cap
  ])('after %d attempts with Retry-After %d s waits %d ms', (made, retryAfter, expected) => {
    expect(nextDelay(schedule, made, 0.5, retryAfter)).toBe(expected);
  });

  it('honours Retry-After up to an hour even with a millisecond test schedule', () => {
    expect(nextDelay([0, 10, 10], 1, 0.5, 1)).toBe(1_000);
    expect(nextDelay([0, 10, 10], 1, 0.5, 7_200)).toBe(3_600_000);
  });
});

describe('retryDelay', () => {
  it.each([
    [0, 100, 5_000, 100], // the first failure after a success
    [100, 100, 5_000, 200],
    [2_000, 100, 5_000, 4_000],
    [4_000, 100, 5_000, 5_000], // doubling stops at the bound
    [5_000, 100, 5_000, 5_000],
    [0, 500, 10_000, 500],
    [-1, 200, 5_000, 200], // nothing sensible to double: start again
  ])('after %d ms (first %d, max %d) waits %d ms', (previous, first, max, expected) => {
    expect(retryDelay(previous, { first, max })).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  it.each([
    ['120', 120], [' 5 ', 5], ['Thu, 01 Jan 2026 00:01:00 GMT', 60], ['Wed, 31 Dec 2025 00:00:00 GMT', 0],
    ['soon', null], ['-5', null], [undefined, null], ['', null],
  ])('%j → %j', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { bucketAt, burstOf, capacityOf, refund, startWithinMs, takeTokens } from './rate-limit.js';

/** The most of these times (ms) within any one sliding second. */
function mostInAnySecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('burstOf', () => {
  it.each([[1, 2], [10, 2], [20, 2], [21, 4], [500, 50], [10_000, 1_000]])('rate %i/s → burst %i', (rate, burst) => {
    expect(burstOf(rate)).toBe(burst);
  });
});

describe('capacityOf', () => {
  it.each([[1, 1], [10, 1], [20, 1], [21, 2], [500, 25], [10_000, 500]])('rate %i/s → holds at most %i', (rate, capacity) => {
    expect(capacityOf(rate)).toBe(capacity);
    expect(capacityOf(rate)).toBeLessThanOrEqual(burstOf(rate));
  });
});

describe('bucketAt', () => {
  it.each([
    ['a new bucket starts empty', null, 10, 1_000, { tokens: 0, at: 1_000 }],
    ['accrues at the rate', { tokens: 0, at: 0 }, 500, 20, { tokens: 10, at: 20 }],
    ['up to its capacity and the fraction toward the next', { tokens: 0, at: 0 }, 500, 10_000, { tokens: 25.99, at: 10_000 }],
    ['keeps fractions', { tokens: 0, at: 0 }, 10, 50, { tokens: 0.5, at: 50 }],
    ['a paused bucket holds until its time', { tokens: 0, at: 5_000 }, 10, 1_000, { tokens: 0, at: 5_000 }],
  ] as const)('%s', (_what, bucket, rate, now, expected) => {
    expect(bucketAt(bucket, rate, now)).toEqual(expected);
  });
});

describe('takeTokens', () => {
  it.each([
    ['an empty new bucket grants nothing, and says when one token is there', null, 10, 0, 5, 0, 0, 100],
    ['grants what it holds, whole tokens only', { tokens: 3.7, at: 0 }, 10, 0, 5, 3, 0.7, 30],
    ['grants all it is asked for without a next time', { tokens: 25, at: 0 }, 500, 0, 16, 16, 9, null],
    ['asks to come back for at most a bucketful', { tokens: 0, at: 0 }, 500, 0, 200, 0, 0, 50],
    ['a paused bucket grants nothing until after its pause', { tokens: 0, at: 2_000 }, 10, 0, 1, 0, 0, 2_100],
    ['a float sum a hair under one is one', { tokens: 0.9999999999, at: 0 }, 10, 0, 1, 1, 0, null],
  ] as const)('%s', (_what, bucket, rate, now, want, granted, tokens, nextAt) => {
    const g = takeTokens(bucket, rate, now, want);
    expect(g.granted).toBe(granted);
    expect(g.bucket.tokens).toBeCloseTo(tokens, 9);
    expect(g.nextAt).toBe(nextAt);
  });

  it('a claim a little late loses nothing: the rate holds', () => {
    // One worker claiming 7 ms after each token is whole, at 20/s: 100 starts in 5 s, not 88.
    let bucket = null as ReturnType<typeof takeTokens>['bucket'] | null;
    let starts = 0;
    for (let now = 0; now < 5_000;) {
      const g = takeTokens(bucket, 20, now, 1);
      bucket = g.bucket;
      starts += g.granted;
      now = (g.nextAt ?? now) + 7; // granted all it asked: the next claim comes when its request ends
    }
    expect(starts).toBeGreaterThanOrEqual(98);
  });

  it('never starts more than rate + burst in any one second, even with a claim\'s worth sent late', () => {
    for (const rate of [1, 10, 37, 500]) {
      let bucket = null as ReturnType<typeof takeTokens>['bucket'] | null;
      const starts: number[] = [];
      for (let now = 0; now < 5_000; now += 3) {
        const g = takeTokens(bucket, rate, now, 1_000);
        bucket = g.bucket;
        // One claim in ten leaves 150 ms late (a stalled worker), after the ones granted later.
        const late = (now / 3) % 10 === 0 ? 150 : 0;
        for (let i = 0; i < g.granted; i++) starts.push(now + late);
      }
      expect(mostInAnySecond(starts), `rate ${rate}`).toBeLessThanOrEqual(rate + burstOf(rate));
      expect(starts.length, `rate ${rate}`).toBeGreaterThanOrEqual(Math.floor(rate * 4.99));
    }
  });
});

describe('refund', () => {
  it('gives back unused tokens', () => {
    expect(refund({ tokens: 1, at: 5 }, 2)).toEqual({ tokens: 3, at: 5 });
    expect(refund({ tokens: 1, at: 5 }, 0)).toEqual({ tokens: 1, at: 5 });
  });
});

describe('startWithinMs', () => {
  it.each([[1, 1_000], [10, 100], [20, 50], [21, 95], [500, 50], [10_000, 50]])('rate %i/s → start within %i ms of the token', (rate, ms) => {
    expect(startWithinMs(rate)).toBe(ms);
  });

  it('starts delayed by up to that margin never exceed rate + burst in any one second', () => {
    for (const rate of [1, 10, 20, 21, 500]) {
      let bucket = null as ReturnType<typeof takeTokens>['bucket'] | null;
      const starts: number[] = [];
      for (let now = 0; now < 5_000; now += 1) {
        const g = takeTokens(bucket, rate, now, 1_000);
        bucket = g.bucket;
        // The worst case: every start as late as allowed, except those that could bunch with the next claim's.
        for (let i = 0; i < g.granted; i++) starts.push(now + (i % 2 === 0 ? startWithinMs(rate) : 0));
      }
      expect(mostInAnySecond(starts), `rate ${rate}`).toBeLessThanOrEqual(rate + burstOf(rate));
    }
  });
});


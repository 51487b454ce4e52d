import { describe, expect, it } from 'vitest';
import { bucketAt, burstOf, refund, takeTokens } from './rate-limit.js';

describe('burstOf', () => {
  it.each([[1, 1], [9, 1], [10, 1], [11, 2], [500, 50], [10_000, 1_000]])('rate %i/s → burst %i', (rate, burst) => {
    expect(burstOf(rate)).toBe(burst);
  });
});

describe('bucketAt', () => {
  it.each([
    ['a new bucket starts empty', null, 10, 1_000, { tokens: 0, at: 1_000 }],
    ['accrues at the rate', { tokens: 0, at: 0 }, 500, 20, { tokens: 10, at: 20 }],
    ['up to the burst', { tokens: 0, at: 0 }, 500, 10_000, { tokens: 50, at: 10_000 }],
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
    ['grants all it is asked for without a next time', { tokens: 50, at: 0 }, 500, 0, 16, 16, 34, null],
    ['asks to come back for at most a burst', { tokens: 0, at: 0 }, 500, 0, 200, 0, 0, 100],
    ['a paused bucket grants nothing until after its pause', { tokens: 0, at: 2_000 }, 10, 0, 1, 0, 0, 2_100],
    ['a float sum a hair under one is one', { tokens: 0.9999999999, at: 0 }, 10, 0, 1, 1, 0, null],
  ] as const)('%s', (_what, bucket, rate, now, want, granted, tokens, nextAt) => {
    const g = takeTokens(bucket, rate, now, want);
    expect(g.granted).toBe(granted);
    expect(g.bucket.tokens).toBeCloseTo(tokens, 9);
    expect(g.nextAt).toBe(nextAt);
  });

  it('never starts more than rate + burst in any one second, claiming as often as it likes', () => {
    for (const rate of [1, 10, 37, 500]) {
      let bucket = null as ReturnType<typeof takeTokens>['bucket'] | null;
      const starts: number[] = [];
      for (let now = 0; now < 5_000; now += 3) {
        const g = takeTokens(bucket, rate, now, 1_000);
        bucket = g.bucket;
        for (let i = 0; i < g.granted; i++) starts.push(now);
      }
      let most = 0;
      for (let i = 0, j = 0; i < starts.length; i++) {
        while (starts[i]! - starts[j]! >= 1_000) j++;
        most = Math.max(most, i - j + 1);
      }
      expect(most, `rate ${rate}`).toBeLessThanOrEqual(rate + burstOf(rate));
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

import { describe, expect, it } from 'vitest';
import { HookdError } from '../../domain/errors.js';
import { createRateLimiter, take } from './rate-limit.js';

describe('token bucket', () => {
  it.each([
    // tokens, elapsed ms, rate, burst → wait seconds, tokens after
    [5, 0, 100, 200, 0, 4],
    [0, 0, 100, 200, 0.01, 0],
    [0, 10, 100, 200, 0, 0],
    [0, 5, 100, 200, 0.005, 0.5],
    [199.5, 1_000, 100, 200, 0, 199],
    [0, 500, 1, 10, 0.5, 0.5],
  ])('%d tokens, %d ms later, rate %d burst %d → wait %d s', (tokens, elapsed, rate, burst, wait, after) => {
    const bucket = { tokens, at: 1_000 };
    expect(take(bucket, 1_000 + elapsed, rate, burst)).toBeCloseTo(wait, 6);
    expect(bucket.tokens).toBeCloseTo(after, 6);
  });
});

describe('rate limiter', () => {
  it('lets a burst through, then answers 429 with Retry-After, per key', () => {
    let now = 0;
    const limiter = createRateLimiter({ rate: 2, burst: 3 }, () => now);
    for (let i = 0; i < 3; i++) limiter.check('a');
    let error: unknown;
    try {
      limiter.check('a');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HookdError);
    expect((error as HookdError).code).toBe('rate_limited');
    expect((error as HookdError).retryAfter).toBe(1);
    limiter.check('b');
    now += 500;
    limiter.check('a');
  });
});

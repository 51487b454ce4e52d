import { describe, expect, it } from 'vitest';
import { backoffDelay, BACKOFF, parseRetryAfter, shouldRetry, withinBudget } from '../src/retry.js';

describe('shouldRetry', () => {
  it.each<[string, { status: number; code: string; retryAfter?: number }, boolean, boolean]>([
    // failure, safe (GET or keyed), expected
    ['429 on a keyed write', { status: 429, code: 'rate_limited', retryAfter: 1 }, true, true],
    ['429 on an unkeyed write: the rate limit answered before the route ran', { status: 429, code: 'rate_limited' }, false, true],
    ['503 when safe', { status: 503, code: 'store_unavailable', retryAfter: 1 }, true, true],
    ['503 when not safe', { status: 503, code: 'store_unavailable' }, false, false],
    ['500 when safe', { status: 500, code: 'internal' }, true, true],
    ['502 from a proxy when safe', { status: 502, code: 'http_error' }, true, true],
    ['501 is never temporary', { status: 501, code: 'http_error' }, true, false],
    ['no answer when safe', { status: 0, code: 'network_error' }, true, true],
    ['timeout when safe', { status: 0, code: 'timeout' }, true, true],
    ['no answer when not safe: it may have been applied', { status: 0, code: 'network_error' }, false, false],
    ['aborted by the caller', { status: 0, code: 'aborted' }, true, false],
    ['409 while the key\'s first request still runs', { status: 409, code: 'idempotency_conflict', retryAfter: 1 }, true, true],
    ['409: the key was used for another request', { status: 409, code: 'idempotency_conflict' }, true, false],
    ['409 conflict (too many endpoints)', { status: 409, code: 'conflict' }, true, false],
    ['400', { status: 400, code: 'validation_failed' }, true, false],
    ['404', { status: 404, code: 'not_found' }, true, false],
    ['412', { status: 412, code: 'precondition_failed' }, true, false],
  ])('%s', (_name, failure, safe, expected) => {
    expect(shouldRetry(failure, safe)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it.each<[number, number | undefined, number, number]>([
    // retry, Retry-After ms, random, expected ms
    [0, undefined, 0, BACKOFF.first / 2],
    [0, undefined, 0.999999, BACKOFF.first],
    [1, undefined, 0.5, 750],
    [2, undefined, 0, 1000],
    [10, undefined, 1, BACKOFF.max],
    [10, undefined, 0, BACKOFF.max / 2],
    [0, 3000, 0.5, 3000],
    [3, 1000, 0.5, 3000],
    [5, 0, 0.5, 7500],
  ])('retry %i, Retry-After %s, random %s → %i ms', (retry, retryAfter, random, expected) => {
    expect(backoffDelay(retry, retryAfter, () => random)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-15T12:00:00Z');
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['', undefined],
    ['0', 0],
    ['1', 1000],
    [' 120 ', 120_000],
    ['Thu, 15 Jan 2026 12:00:30 GMT', 30_000],
    ['Thu, 15 Jan 2026 11:59:00 GMT', 0],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
  ])('%j → %s ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('withinBudget', () => {
  it.each<[number, number, number, number, boolean]>([
    [0, 0, 500, 60_000, true],
    [0, 59_500, 500, 60_000, true],
    [0, 59_501, 500, 60_000, false],
    [0, 0, 1, 0, false],
    [0, 0, 0, 0, false],
  ])('started %i, now %i, wait %i, budget %i → %s', (started, now, delay, budget, expected) => {
    expect(withinBudget(started, now, delay, budget)).toBe(expected);
  });
});

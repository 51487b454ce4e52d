/**
 * API rate limits (docs/security.md): a token bucket per workspace key, `rate` tokens a second up
 * to `burst`; an empty bucket is a 429 with Retry-After. The platform key, which the
 * platform's backend publishes with, is limited only when HOOKD_PLATFORM_RATE_LIMIT says so.
 *
 * Buckets live in the process: with N API processes behind a balancer a key gets up to N
 * times the rate. That is the usual trade (no shared state on the hot path); put the limit at
 * the balancer if it must be global.
 */
import { HookdError } from '../../domain/errors.js';

export interface Bucket {
  tokens: number;
  /** ms */
  at: number;
}

/** Takes one token at `now`; returns 0 when taken, else the seconds until one is available. */
export function take(bucket: Bucket, now: number, rate: number, burst: number): number {
  const refilled = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
  bucket.at = now;
  if (refilled >= 1) {
    bucket.tokens = refilled - 1;
    return 0;
  }
  bucket.tokens = refilled;
  return (1 - refilled) / rate;
}

/** Buckets not touched for this long are full again anyway, and are forgotten. */
const IDLE_MS = 60_000;

export function createRateLimiter(limit: { rate: number; burst: number }, now: () => number) {
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();
  return {
    /** Throws 429 when `key` has no token left. */
    check(key: string): void {
      const t = now();
      if (t - lastSweep > IDLE_MS) {
        for (const [k, b] of buckets) if (t - b.at > IDLE_MS) buckets.delete(k);
        lastSweep = t;
      }
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { tokens: limit.burst, at: t };
        buckets.set(key, bucket);
      }
      const wait = take(bucket, t, limit.rate, limit.burst);
      if (wait > 0) {
        throw new HookdError('rate_limited', 'Too many requests', {
          detail: `This key may make ${limit.rate} requests a second, in bursts of up to ${limit.burst}. Retry after the time in Retry-After.`,
          retryAfter: Math.max(1, Math.ceil(wait)),
        });
      }
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

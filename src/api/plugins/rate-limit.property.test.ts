/**
 * The token bucket's promise (docs/security.md): over any stretch of t seconds a key gets at most
 * burst + rate·t requests through, and one that waits the Retry-After it was told gets through.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { take } from './rate-limit.js';

const limit = fc.record({ rate: fc.integer({ min: 1, max: 1_000 }), burst: fc.integer({ min: 1, max: 2_000 }) });
/** ms between two requests: mostly bursts, sometimes pauses. */
const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5_000 })), { minLength: 1, maxLength: 400 });

describe('token bucket', () => {
  it('lets at most burst + rate·t requests through in t seconds, and keeps 0 ≤ tokens ≤ burst', () => {
    fc.assert(fc.property(limit, gaps, ({ rate, burst }, steps) => {
      const bucket = { tokens: burst, at: 0 };
      let now = 0;
      let allowed = 0;
      for (const gap of steps) {
        now += gap;
        if (take(bucket, now, rate, burst) === 0) allowed++;
        expect(bucket.tokens).toBeGreaterThanOrEqual(0);
        expect(bucket.tokens).toBeLessThanOrEqual(burst);
      }
      expect(allowed).toBeLessThanOrEqual(burst + Math.floor((rate * now) / 1000));
    }));
  });

  it('a request refused with a wait of w seconds is let through w seconds later', () => {
    fc.assert(fc.property(limit, gaps, ({ rate, burst }, steps) => {
      const bucket = { tokens: burst, at: 0 };
      let now = 0;
      for (const gap of steps) {
        now += gap;
        const wait = take(bucket, now, rate, burst);
        if (wait > 0) {
          // Retry-After is sent rounded up to whole seconds; the bucket must honour the exact wait too (1 µs of float slack).
          const probe = { ...bucket };
          expect(take(probe, now + wait * 1000 + 0.001, rate, burst)).toBe(0);
        }
      }
    }));
  });
});

/** Every duration hookd prints (in logs, in `hookd` output) reads back as the same number of milliseconds. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parseDuration(formatDuration(ms)) is ms', () => {
    fc.assert(fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 10_000 }).map((n) => n * 86_400_000)), (ms) => {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }));
  });

  it('never throws, and answers a whole number of ms or undefined', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('1', '0', '.', 'm', 's', 'h', 'd', ' ', 'e', '-') })), (text) => {
      const ms = parseDuration(text);
      expect(ms === undefined || Number.isInteger(ms)).toBe(true);
    }));
  });
});

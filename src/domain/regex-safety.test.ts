import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, unsafePatternReason } from './regex-safety.js';

/** Each of these backtracks catastrophically in JavaScript's engine on a few dozen characters. */
const EVIL = [
  '(a+)+$', '(a|aa)+$', '(.*a){20}', '^(a+)+b', '(a*)*$', '(\\w|\\d)+$', '(?:a|a)*$', '^(\\d+\\s?)+$', '(a?a)+$',
  '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
  '(x+x+)+y', '^(([a-z])+.)+[A-Z]([a-z])+$', '(a{1,5})+$',
];

/** Ordinary patterns of real schemas: fenced repetitions, bounded nesting, disjoint alternatives. */
const GOOD = [
  '^[a-z0-9_]+(\\.[a-z0-9_]+)+$', '^\\+?[1-9]\\d{1,14}$', '^(\\d{1,3}\\.){3}\\d{1,3}$', '^[A-Z]{3}$', '^([a-z0-9]+-)*[a-z0-9]+$',
  '^\\d{4}-\\d{2}-\\d{2}$', '^(cat|dog|bird)+$', '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==)?$', '^\\p{L}+$', '^[^@\\s]+@[^@\\s]+$',
  '', 'abc', '^(\\s*\\w+\\s*,)*$', '^(a|b)*c$',
];

describe('unsafePatternReason', () => {
  it.each(EVIL)('refuses %s', (pattern) => {
    expect(unsafePatternReason(pattern)).toMatch(/backtracks catastrophically/);
  });

  it.each(GOOD)('accepts %s', (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined();
  });

  it('refuses what is not an ECMA-262 pattern with the u flag', () => {
    expect(unsafePatternReason('(a')).toMatch(/not a valid regular expression/);
    expect(unsafePatternReason('\\-')).toMatch(/not a valid regular expression/); // an identity escape, invalid with u
  });

  it('refuses patterns past the length limit, and checks the longest allowed ones quickly', () => {
    expect(unsafePatternReason('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/at most 1000 characters/);
    // Worst cases for the check itself: deep nesting, and many repetitions that are each fine.
    const deep = '('.repeat(MAX_PATTERN_LENGTH / 2 - 1) + 'a' + ')'.repeat(MAX_PATTERN_LENGTH / 2 - 1);
    const many = '(?:x\\d{1,3}y){2}'.repeat(Math.floor(MAX_PATTERN_LENGTH / 16)).slice(0, MAX_PATTERN_LENGTH);
    const nested = '(?:'.repeat(90) + 'x\\d{1,3}y' + '){1,3}'.repeat(90);
    for (const pattern of [deep, many, nested]) {
      expect(pattern.length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
      const started = performance.now();
      unsafePatternReason(pattern);
      expect(performance.now() - started, pattern.slice(0, 40)).toBeLessThan(500);
    }
  });

  it('the refused shapes really are slow in a backtracking engine (so the table means something)', () => {
    const started = performance.now();
    /(a+)+$/.test('a'.repeat(22) + '!');
    expect(performance.now() - started).toBeGreaterThan(5);
  });
});

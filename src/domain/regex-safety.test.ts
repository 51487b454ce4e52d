import { RegExpParser, type AST } from '@eslint-community/regexpp';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, unsafePatternReason } from './regex-safety.js';

/**
 * The check's work, counted instead of timed (a loaded machine can stall any timed call): every
 * read of a property of the parsed pattern's nodes. All of the analysis walks those nodes, so the
 * count grows as the check's cost does, and it is the same on every run and every machine.
 */
function countNodeReads(): { reads: number; restore: () => void } {
  const counter = { reads: 0, restore: () => undefined as void };
  const parse = RegExpParser.prototype.parsePattern;
  const wrap = <T>(value: T, proxies: Map<object, object>): T => {
    if (value === null || typeof value !== 'object') return value;
    const known = proxies.get(value);
    if (known) return known as T;
    const proxy = new Proxy(value, { get: (target, key, receiver) => (counter.reads++, Reflect.get(target, key, receiver)) });
    proxies.set(value, proxy);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = wrap(record[key], proxies);
    return proxy;
  };
  RegExpParser.prototype.parsePattern = function (this: RegExpParser, ...args: unknown[]): AST.Pattern {
    return wrap(Reflect.apply(parse, this, args) as AST.Pattern, new Map());
  } as RegExpParser['parsePattern'];
  counter.restore = () => void (RegExpParser.prototype.parsePattern = parse);
  return counter;
}

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

  let counter: ReturnType<typeof countNodeReads> | null = null;
  afterEach(() => {
    counter?.restore();
    counter = null;
  });

  it('refuses patterns past the length limit, and checks the longest allowed ones in at most quadratic work', () => {
    expect(unsafePatternReason('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/at most 1000 characters/);
    // Worst cases for the check itself: deep nesting, and many repetitions that are each fine.
    const deep = '('.repeat(MAX_PATTERN_LENGTH / 2 - 1) + 'a' + ')'.repeat(MAX_PATTERN_LENGTH / 2 - 1);
    const many = '(?:x\\d{1,3}y){2}'.repeat(Math.floor(MAX_PATTERN_LENGTH / 16)).slice(0, MAX_PATTERN_LENGTH);
    const nested = '(?:'.repeat(90) + 'x\\d{1,3}y' + '){1,3}'.repeat(90);
    counter = countNodeReads();
    for (const pattern of [deep, many, nested]) {
      expect(pattern.length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
      counter.reads = 0;
      unsafePatternReason(pattern);
      // The bound regex-safety.ts states for MAX_PATTERN_LENGTH (pairs of repetitions); these
      // take 7,600 to 104,000 reads, a check of cubic cost would take about 10^9.
      expect(counter.reads, pattern.slice(0, 40)).toBeGreaterThan(pattern.length);
      expect(counter.reads, pattern.slice(0, 40)).toBeLessThanOrEqual(MAX_PATTERN_LENGTH ** 2);
    }
  });

  it('the refused shapes really are slow in a backtracking engine (so the table means something)', () => {
    // A lower bound on time, which load can only lengthen: 4 million backtracking steps, 90 ms
    // measured at 90 ms on a loaded 2-core machine, 18 times the bound.
    const started = performance.now();
    /(a+)+$/.test('a'.repeat(22) + '!');
    expect(performance.now() - started).toBeGreaterThan(5);
  });
});

/**
 * Properties of subscription matching (docs/api.md): `prefix.*` covers exactly the types that
 * start with `prefix.`, at any depth, and never the prefix itself or a longer word; and the
 * endpoint rules accept a wildcard exactly when it covers a type of the catalog.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventPatternProblems } from './endpoint-rules.js';
import { patternCovers, subscriptionCovers } from './event-matching.js';

// Words from a small alphabet, so that shared prefixes (`pay`, `payment`, `payments`) are common.
const word = fc.constantFrom('pay', 'payment', 'payments', 'paymentx', 'refund', 'created', 'failed', 'a', 'b', 'ab');
const typeName = fc.array(word, { minLength: 2, maxLength: 4 }).map((w) => w.join('.'));
const prefix = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join('.'));
const pattern = fc.oneof(typeName, prefix.map((p) => `${p}.*`), fc.constant('*'));

describe('event-type patterns', () => {
  it('`prefix.*` covers a type exactly when the type starts with `prefix.`', () => {
    fc.assert(fc.property(prefix, typeName, (p, t) => {
      expect(patternCovers(`${p}.*`, t)).toBe(t.startsWith(`${p}.`));
    }));
  });

  it('`prefix.*` covers every type below the prefix, at any depth, and neither the prefix nor a longer word', () => {
    fc.assert(fc.property(prefix, fc.array(word, { minLength: 1, maxLength: 3 }), (p, rest) => {
      expect(patternCovers(`${p}.*`, `${p}.${rest.join('.')}`)).toBe(true);
      expect(patternCovers(`${p}.*`, p)).toBe(false);
      expect(patternCovers(`${p}.*`, `${p}x.${rest.join('.')}`)).toBe(false);
    }));
  });

  it('`*` covers every type; a type name covers itself only', () => {
    fc.assert(fc.property(typeName, typeName, (a, b) => {
      expect(patternCovers('*', a)).toBe(true);
      expect(patternCovers(a, b)).toBe(a === b);
    }));
  });

  it('a subscription covers what any of its patterns covers, and more patterns never cover less', () => {
    fc.assert(fc.property(fc.array(pattern, { maxLength: 5 }), pattern, typeName, (patterns, extra, t) => {
      expect(subscriptionCovers(patterns, t)).toBe(patterns.some((p) => patternCovers(p, t)));
      if (subscriptionCovers(patterns, t)) expect(subscriptionCovers([...patterns, extra], t)).toBe(true);
    }));
  });

  it('the endpoint rules accept a wildcard exactly when it covers a type of the catalog', () => {
    fc.assert(fc.property(prefix, fc.uniqueArray(typeName, { minLength: 1, maxLength: 8 }), (p, catalog) => {
      const covers = catalog.some((t) => patternCovers(`${p}.*`, t));
      expect(eventPatternProblems([`${p}.*`], catalog)).toEqual(covers ? [] : [`'${p}.*' covers no event type in the catalog`]);
    }));
  });
});

/**
 * Properties of payload filters (docs/delivery.md, "Filters") over generated filters and
 * events: the logical operators are the logic they name, `$neq`/`$nin` are the negations of
 * `$eq`/`$in`, a literal is `$eq`, and every filter the checks accept evaluates without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterMatches, filterProblems, type FilteredEvent } from './event-filter.js';
import type { EventFilter } from './types.js';

// Few names and small values, so that generated paths often exist and values often equal; JSON at
// most 4 deep, so that a filter holding it stays within the depth bound (12).
const key = fc.constantFrom('a', 'b', '0', '1');
const scalar = fc.oneof(fc.constantFrom(0, 1, 2, -1, 1.5), fc.constantFrom('', 'a', 'ab', 'b', 'Z'), fc.boolean(), fc.constant(null));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 4, depthIdentifier: 'json', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
})).value;

const event: fc.Arbitrary<FilteredEvent> = fc.record({
  type: fc.constantFrom('payment.succeeded', 'payment.failed', 'invoice.paid'),
  data: fc.record({ object: fc.dictionary(key, json, { maxKeys: 4 }), previous: fc.option(fc.dictionary(key, json, { maxKeys: 3 }), { nil: undefined }) }, { requiredKeys: ['object'] }),
});

/** A condition on one value: a literal, or one operator. */
const condition: fc.Arbitrary<unknown> = fc.oneof(
  scalar,
  fc.record({ $eq: json }), fc.record({ $neq: json }),
  fc.record({ $gt: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom('a', 'b')) }),
  fc.record({ $lte: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom('a', 'b')) }),
  fc.record({ $in: fc.array(json, { minLength: 1, maxLength: 3 }) }), fc.record({ $nin: fc.array(json, { minLength: 1, maxLength: 3 }) }),
  fc.record({ $exist: fc.boolean() }), fc.record({ $startsWith: fc.constantFrom('', 'a', 'payment.') }),
);

/** A filter over `data.object`, one or two paths deep. */
const filter: fc.Arbitrary<EventFilter> = fc.tuple(key, fc.option(key, { nil: undefined }), condition).map(([k1, k2, c]) => ({
  data: { object: { [k1]: k2 === undefined ? c : { [k2]: c } } },
}));

describe('filter properties', () => {
  it('every generated filter passes the checks and evaluates', () => {
    fc.assert(fc.property(filter, event, (f, e) => {
      expect(filterProblems(f)).toEqual([]);
      expect(typeof filterMatches(f, e)).toBe('boolean');
    }));
  });

  it('$not, $and and $or are negation, conjunction and disjunction', () => {
    fc.assert(fc.property(filter, filter, event, (f, g, e) => {
      expect(filterMatches({ $not: f }, e)).toBe(!filterMatches(f, e));
      expect(filterMatches({ $and: [f, g] }, e)).toBe(filterMatches(f, e) && filterMatches(g, e));
      expect(filterMatches({ $or: [f, g] }, e)).toBe(filterMatches(f, e) || filterMatches(g, e));
    }));
  });

  it('$neq and $nin negate $eq and $in; a literal is $eq', () => {
    fc.assert(fc.property(key, json, fc.array(json, { minLength: 1, maxLength: 3 }), event, (k, v, list, e) => {
      const at = (c: unknown): EventFilter => ({ data: { object: { [k]: c } } });
      expect(filterMatches(at({ $neq: v }), e)).toBe(!filterMatches(at({ $eq: v }), e));
      expect(filterMatches(at({ $nin: list }), e)).toBe(!filterMatches(at({ $in: list }), e));
      if (v === null || typeof v !== 'object' || Array.isArray(v)) expect(filterMatches(at(v), e)).toBe(filterMatches(at({ $eq: v }), e));
      // Equality is reflexive: the value at a present path equals itself.
      const present = e.data.object as Record<string, unknown>;
      if (Object.hasOwn(present, k)) expect(filterMatches(at({ $eq: present[k] }), e)).toBe(true);
    }));
  });
});

import { describe, expect, it } from 'vitest';
import { FieldErrorList } from './errors.js';
import { addFilterProblems, deepEqual, filterMatches, filterProblems, FILTER_LIMITS, type FilteredEvent } from './event-filter.js';
import type { EventFilter } from './types.js';

const event: FilteredEvent = {
  type: 'payment.succeeded',
  data: {
    object: {
      id: 'pay_1', amount: 1500, currency: 'kes', description: null, live: true,
      customer: { country: 'KE', tier: 'gold' },
      tags: ['vip', 'new'],
      lines: [{ sku: 'a-1', quantity: 2 }, { sku: 'b-7', quantity: 1 }],
      created: '2026-11-30T10:00:00Z',
      meta: { 'a.b': 'dotted', '10': 'ten' },
    },
    previous: { amount: 1000 },
  },
};

const obj = (o: Record<string, unknown>): EventFilter => ({ data: { object: o } });

describe('filterMatches', () => {
  it.each<[string, EventFilter, boolean]>([
    // A literal means equality, deep for objects and arrays.
    ['type literal', { type: 'payment.succeeded' }, true],
    ['type literal, other type', { type: 'payment.failed' }, false],
    ['number literal', obj({ amount: 1500 }), true],
    ['number literal, other value', obj({ amount: 1501 }), false],
    ['string literal never equals a number', obj({ amount: '1500' }), false],
    ['boolean literal', obj({ live: true }), true],
    ['null literal on a present null', obj({ description: null }), true],
    ['null literal on a missing field', obj({ refunded: null }), false],
    ['array literal, same order', obj({ tags: ['vip', 'new'] }), true],
    ['array literal, other order', obj({ tags: ['new', 'vip'] }), false],
    ['array literal does not test membership', obj({ tags: 'vip' }), false],
    ['nested paths', obj({ customer: { country: 'KE', tier: 'gold' } }), true],
    ['nested paths are each a condition, not the whole object', obj({ customer: { country: 'KE' } }), true],
    ['nested path, other value', obj({ customer: { country: 'UG' } }), false],
    ['several conditions all hold', { type: 'payment.succeeded', data: { object: { currency: 'kes' }, previous: { amount: 1000 } } }, true],
    ['one of several conditions fails', { type: 'payment.succeeded', data: { object: { currency: 'usd' } } }, false],
    ['data.previous', { data: { previous: { amount: { $lt: 1500 } } } }, true],
    ['a key with a dot is one property name', obj({ meta: { 'a.b': 'dotted' } }), true],
    ['a numeric key names an object property', obj({ meta: { '10': 'ten' } }), true],
    ['a numeric key indexes an array', obj({ lines: { '1': { sku: 'b-7' } } }), true],
    ['a numeric key past the end is missing', obj({ lines: { '2': { $exist: true } } }), false],
    ['a non-canonical index is missing', obj({ lines: { '01': { $exist: true } } }), false],
    ['a path through a scalar is missing', obj({ amount: { value: { $exist: false } } }), true],
    // $eq / $neq
    ['$eq object, keys in any order', obj({ customer: { $eq: { tier: 'gold', country: 'KE' } } }), true],
    ['$eq object with a key less', obj({ customer: { $eq: { country: 'KE' } } }), false],
    ['$eq array', obj({ tags: { $eq: ['vip', 'new'] } }), true],
    ['$eq on a missing field', obj({ refunded: { $eq: false } }), false],
    ['$neq other value', obj({ currency: { $neq: 'usd' } }), true],
    ['$neq same value', obj({ currency: { $neq: 'kes' } }), false],
    ['$neq on a missing field', obj({ refunded: { $neq: true } }), true],
    ['$neq of another type', obj({ amount: { $neq: '1500' } }), true],
    // $gt $gte $lt $lte: same type only
    ['$gt number', obj({ amount: { $gt: 1000 } }), true],
    ['$gt equal number', obj({ amount: { $gt: 1500 } }), false],
    ['$gte equal number', obj({ amount: { $gte: 1500 } }), true],
    ['$gte larger number', obj({ amount: { $gte: 1501 } }), false],
    ['$lt number', obj({ amount: { $lt: 2000 } }), true],
    ['$lt equal number', obj({ amount: { $lt: 1500 } }), false],
    ['$lte equal number', obj({ amount: { $lte: 1500 } }), true],
    ['$lte smaller number', obj({ amount: { $lte: 1499.5 } }), false],
    ['$gt string (ISO timestamps compare by time)', obj({ created: { $gt: '2026-11-01T00:00:00Z' } }), true],
    ['$lt string', obj({ created: { $lt: '2026-11-01T00:00:00Z' } }), false],
    ['$gte string on a number never matches', obj({ amount: { $gte: '1000' } }), false],
    ['$lt number on a string never matches', obj({ created: { $lt: 1 } }), false],
    ['$gt on null never matches', obj({ description: { $gt: 0 } }), false],
    ['$lt on a missing field never matches', obj({ refunded: { $lt: 1 } }), false],
    ['range: $gte and $lt together', obj({ amount: { $gte: 1000, $lt: 2000 } }), true],
    ['range: outside', obj({ amount: { $gte: 2000, $lt: 3000 } }), false],
    ['strings compare by code units: "Z" < "a"', obj({ customer: { country: { $lt: 'a' } } }), true],
    // $in / $nin
    ['$in scalar', obj({ currency: { $in: ['usd', 'kes'] } }), true],
    ['$in scalar, absent', obj({ currency: { $in: ['usd', 'eur'] } }), false],
    ['$in is deep', obj({ customer: { $in: [{ country: 'KE', tier: 'gold' }] } }), true],
    ['$in on an array: an element is in', obj({ tags: { $in: ['vip'] } }), true],
    ['$in on an array: none is in', obj({ tags: { $in: ['old'] } }), false],
    ['$in on an array: the whole array is an item', obj({ tags: { $in: [['vip', 'new']] } }), true],
    ['$in on a missing field', obj({ refunded: { $in: [null, false] } }), false],
    ['$in null on a present null', obj({ description: { $in: [null] } }), true],
    ['$nin scalar, absent', obj({ currency: { $nin: ['usd', 'eur'] } }), true],
    ['$nin scalar, present', obj({ currency: { $nin: ['kes'] } }), false],
    ['$nin on an array with an element in', obj({ tags: { $nin: ['new'] } }), false],
    ['$nin on a missing field', obj({ refunded: { $nin: [true] } }), true],
    // $exist
    ['$exist true, present', obj({ amount: { $exist: true } }), true],
    ['$exist true, present null', obj({ description: { $exist: true } }), true],
    ['$exist true, missing', obj({ refunded: { $exist: true } }), false],
    ['$exist false, missing', obj({ refunded: { $exist: false } }), true],
    ['$exist false, present', obj({ amount: { $exist: false } }), false],
    ['$exist on data.previous', { data: { previous: { $exist: true } } }, true],
    ['$exist on an array element', obj({ lines: { '0': { $exist: true } } }), true],
    // $startsWith
    ['$startsWith', { type: { $startsWith: 'payment.' } }, true],
    ['$startsWith, other prefix', { type: { $startsWith: 'invoice.' } }, false],
    ['$startsWith is case-sensitive', obj({ id: { $startsWith: 'PAY_' } }), false],
    ['$startsWith empty matches any string', obj({ id: { $startsWith: '' } }), true],
    ['$startsWith on a number never matches', obj({ amount: { $startsWith: '15' } }), false],
    ['$startsWith on a missing field', obj({ refunded: { $startsWith: '' } }), false],
    // $and / $or / $not, at the root and at a path
    ['$and at the root', { $and: [{ type: 'payment.succeeded' }, obj({ amount: 1500 })] }, true],
    ['$and at the root, one fails', { $and: [{ type: 'payment.succeeded' }, obj({ amount: 1 })] }, false],
    ['$or at the root', { $or: [{ type: 'invoice.paid' }, obj({ currency: 'kes' })] }, true],
    ['$or at the root, none holds', { $or: [{ type: 'invoice.paid' }, obj({ currency: 'usd' })] }, false],
    ['$not at the root', { $not: { type: 'invoice.paid' } }, true],
    ['$not at the root, inner holds', { $not: { type: 'payment.succeeded' } }, false],
    ['$or at a path', obj({ amount: { $or: [{ $lt: 100 }, { $gt: 1000 }] } }), true],
    ['$or at a path, none holds', obj({ amount: { $or: [{ $lt: 100 }, { $gt: 2000 }] } }), false],
    ['$and at a path of objects', obj({ customer: { $and: [{ country: 'KE' }, { tier: { $in: ['gold'] } }] } }), true],
    ['$not at a path', obj({ amount: { $not: { $gte: 2000 } } }), true],
    ['$not at a path, inner holds', obj({ amount: { $not: { $gte: 1000 } } }), false],
    ['$not on a missing field', obj({ refunded: { $not: { $eq: true } } }), true],
    ['operators of one object all hold', obj({ currency: { $in: ['kes'], $startsWith: 'k', $neq: 'k' } }), true],
    ['operators of one object, one fails', obj({ currency: { $in: ['kes'], $startsWith: 'u' } }), false],
  ])('%s', (_name, filter, expected) => {
    expect(filterProblems(filter)).toEqual([]);
    expect(filterMatches(filter, event)).toBe(expected);
  });

  it('sees only type and data: an event without previous has none', () => {
    const created: FilteredEvent = { type: 'payment.created', data: { object: { amount: 5 } } };
    expect(filterMatches({ data: { previous: { $exist: false } } }, created)).toBe(true);
    expect(filterMatches({ data: { previous: { amount: { $neq: 5 } } } }, created)).toBe(true);
  });

  it('does not see inherited properties', () => {
    expect(filterMatches(obj({ amount: { toString: { $exist: true } } }), event)).toBe(false);
    expect(filterMatches(obj({ constructor: { $exist: true } }), event)).toBe(false);
  });
});

describe('deepEqual', () => {
  it.each<[unknown, unknown, boolean]>([
    [1, 1, true], [1, 1.0, true], [0, -0, true], ['a', 'a', true], [null, null, true], [true, true, true],
    [null, {}, false], [{}, null, false], [[], {}, false], [{}, [], false], [[1, 2], [1, 2, 3], false],
    [{ a: [1, { b: null }] }, { a: [1, { b: null }] }, true], [{ a: 1 }, { a: 1, b: undefined }, false], [{ a: undefined }, { b: 1 }, false],
  ])('%j = %j: %s', (a, b, expected) => {
    expect(deepEqual(a, b)).toBe(expected);
  });
});

const deep = (levels: number): Record<string, unknown> => {
  let inner: Record<string, unknown> = { $exist: true };
  for (let i = 0; i < levels; i += 1) inner = { x: inner };
  return inner;
};

describe('filterProblems', () => {
  const p = (path: string, message: string) => ({ path, message });
  it.each<[string, unknown, { path: string; message: string }[]]>([
    ['not an object', 'payment', [p('', 'must be a JSON object')]],
    ['an array', [{ type: 'a' }], [p('', 'must be a JSON object')]],
    ['null', null, [p('', 'must be a JSON object')]],
    ['empty', {}, [p('', 'must have at least one condition (remove the filter with null)')]],
    ['an empty condition', obj({ amount: {} }), [p('data.object.amount', 'must have at least one condition (remove the filter with null)')]],
    ['an invisible root key', { id: 'evt_1' }, [p('id', 'is not visible to a filter; use `type` or `data`, or $and, $or, $not')]],
    ['an invisible data key', { data: { request: 1 } }, [p('data.request', 'is not visible to a filter; use `object` or `previous`, or $and, $or, $not')]],
    ['an invisible key inside $or', { $or: [{ created: 1 }] }, [p('$or.0.created', 'is not visible to a filter; use `type` or `data`, or $and, $or, $not')]],
    ['a comparison at the root', { $eq: 1 }, [p('$eq', 'compares a value, and the event itself is not one: put it under `type` or `data`')]],
    ['an unknown operator', obj({ amount: { $regex: '^1' } }), [p('data.object.amount.$regex', 'is not an operator; the operators are $eq, $neq, $in, $nin, $exist, $startsWith, $gt, $gte, $lt, $lte, $and, $or, $not')]],
    ['a misspelt operator', obj({ amount: { $exists: true } }), [p('data.object.amount.$exists', 'is not an operator; the operators are $eq, $neq, $in, $nin, $exist, $startsWith, $gt, $gte, $lt, $lte, $and, $or, $not')]],
    ['$gte on a boolean', obj({ amount: { $gte: true } }), [p('data.object.amount.$gte', 'must be a number or a string')]],
    ['$gt on null', obj({ amount: { $gt: null } }), [p('data.object.amount.$gt', 'must be a number or a string')]],
    ['$lt on an object', obj({ amount: { $lt: {} } }), [p('data.object.amount.$lt', 'must be a number or a string')]],
    ['$lte on an array', obj({ amount: { $lte: [1] } }), [p('data.object.amount.$lte', 'must be a number or a string')]],
    ['$in not an array', obj({ currency: { $in: 'kes' } }), [p('data.object.currency.$in', 'must be a non-empty array of values')]],
    ['$in empty', obj({ currency: { $in: [] } }), [p('data.object.currency.$in', 'must be a non-empty array of values')]],
    ['$nin not an array', obj({ currency: { $nin: { a: 1 } } }), [p('data.object.currency.$nin', 'must be a non-empty array of values')]],
    ['$in past the fan-in', obj({ n: { $in: Array.from({ length: 65 }, (_, i) => i) } }), [p('data.object.n.$in', 'must have at most 64 values')]],
    ['$nin past the fan-in', obj({ n: { $nin: Array.from({ length: 65 }, (_, i) => i) } }), [p('data.object.n.$nin', 'must have at most 64 values')]],
    ['$exist not a boolean', obj({ amount: { $exist: 'yes' } }), [p('data.object.amount.$exist', 'must be true or false')]],
    ['$startsWith not a string', obj({ id: { $startsWith: 1 } }), [p('data.object.id.$startsWith', 'must be a string')]],
    ['$and not an array', { $and: { type: 'a' } }, [p('$and', 'must be a non-empty array of filters')]],
    ['$or empty', { $or: [] }, [p('$or', 'must be a non-empty array of filters')]],
    ['$or past the fan-in', { $or: Array.from({ length: 65 }, () => ({ type: 'a' })) }, [p('$or', 'must have at most 64 filters')]],
    ['$and item not a filter', { $and: [{ type: 'a' }, 'b'] }, [p('$and.1', 'must be a filter (a JSON object)')]],
    ['$not not a filter', { $not: [{ type: 'a' }] }, [p('$not', 'must be a filter (a JSON object)')]],
    ['a problem inside $not', obj({ amount: { $not: { $gt: false } } }), [p('data.object.amount.$not.$gt', 'must be a number or a string')]],
    ['a problem inside $or at a path', obj({ amount: { $or: [{ $lt: 1 }, { $gt: [] }] } }), [p('data.object.amount.$or.1.$gt', 'must be a number or a string')]],
    ['a long string literal', obj({ id: 'x'.repeat(1025) }), [p('data.object.id', 'must be at most 1024 characters')]],
    ['a long $startsWith', obj({ id: { $startsWith: 'x'.repeat(1025) } }), [p('data.object.id.$startsWith', 'must be at most 1024 characters')]],
    ['a long string in $in', obj({ id: { $in: ['a', 'x'.repeat(1025)] } }), [p('data.object.id.$in.1', 'must be at most 1024 characters')]],
    ['a long string inside an $eq object', obj({ c: { $eq: { a: 'x'.repeat(1025) } } }), [p('data.object.c.$eq.a', 'must be at most 1024 characters')]],
    ['a long property name', obj({ ['k'.repeat(1025)]: 1 }), [p('data.object', 'property names must be at most 1024 characters')]],
    ['every problem at once', { id: 1, data: { object: { a: { $gt: true }, b: { $in: [] } } } }, [
      p('id', 'is not visible to a filter; use `type` or `data`, or $and, $or, $not'),
      p('data.object.a.$gt', 'must be a number or a string'),
      p('data.object.b.$in', 'must be a non-empty array of values'),
    ]],
    ['too deep', { data: { object: deep(10) } }, [p('data.object.x.x.x.x.x.x.x.x.x.x', 'is nested too deeply: a filter is at most 12 objects and arrays deep')]],
    ['too many values', obj({ $and: Array.from({ length: 60 }, (_, i) => ({ [`k${i}`]: { $in: [1, 2] } })) }), [p('', 'must have at most 256 values; this one has 304')]],
    ['too many bytes', obj({ $or: Array.from({ length: 9 }, (_, i) => ({ [`k${i}`]: 'x'.repeat(1000) })) }), [p('', 'must be at most 8192 bytes as JSON; this one is 9119')]],
  ])('%s', (_name, filter, problems) => {
    expect(filterProblems(filter)).toEqual(problems);
  });

  it('accepts a filter exactly at the depth bound', () => {
    // The root, `data`'s object, 9 `x` objects and the condition: 12 deep.
    expect(filterProblems({ data: { object: deep(9) } })).toEqual([]);
    expect(filterProblems({ data: { object: deep(10) } })).toHaveLength(1);
  });

  it('accepts a filter exactly at the fan-in and string bounds', () => {
    const f = obj({ n: { $in: Array.from({ length: FILTER_LIMITS.fanIn }, (_, i) => i) }, s: 'x'.repeat(FILTER_LIMITS.string) });
    expect(filterProblems(f)).toEqual([]);
  });
});

describe('addFilterProblems', () => {
  it.each<[unknown, Record<string, string[]>]>([
    [{ type: 'a' }, {}],
    [{}, { filter: ['must have at least one condition (remove the filter with null)'] }],
    [{ id: 1, data: { object: { a: { $gt: [] } } } }, {
      'filter.id': ['is not visible to a filter; use `type` or `data`, or $and, $or, $not'],
      'filter.data.object.a.$gt': ['must be a number or a string'],
    }],
  ])('%j → %j', (filter, expected) => {
    const errors = new FieldErrorList();
    addFilterProblems(filter, errors);
    expect(errors.errors).toEqual(expected);
  });
});

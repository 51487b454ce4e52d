/**
 * The rules of schema-cost.ts, shape by shape: what each refuses (the field named, the rule
 * said) and the worst it still allows, with the bound it computes for a 256 KiB event. No
 * timing is measured here: the bound is computed from the schema alone.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, schemaCost, UNIQUE_ITEMS_MAX, VALIDATION_BUDGET_NS } from './schema-cost.js';

type Schema = Record<string, unknown>;
const obj = (properties: Schema): Schema => ({ type: 'object', properties });
/** `data.object.a` is an array of these. */
const itemsOf = (items: unknown, extra: Schema = {}): Schema => obj({ a: { type: 'array', items, ...extra } });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const props = (n: number, sub: unknown = { type: 'string' }) => Object.fromEntries(range(n).map((i) => [`p${i}`, sub]));
/** A `$ref` chain where each level applies the next twice to the same value: 2^levels applications. */
const doubling = (levels: number): Schema => ({
  definitions: Object.fromEntries(range(levels + 1).map((i) => [`d${i}`, i === 0 ? { minimum: 0 } : { allOf: [{ $ref: `#/definitions/d${i - 1}` }, { $ref: `#/definitions/d${i - 1}` }] }])),
  ...obj({ a: { $ref: `#/definitions/d${levels}` } }),
});
/** Arrays nested in arrays, each level checked against `branches` subschemas that all recurse. */
const recursiveAnyOf = (branches: number): Schema => ({
  definitions: { n: { anyOf: range(branches).map((i) => ({ type: 'array', minItems: i, items: { $ref: '#/definitions/n' } })) } },
  ...obj({ a: { $ref: '#/definitions/n' } }),
});

function refused(schema: Schema): Record<string, string[]> {
  return schemaCost(schema).errors.errors;
}

describe('uniqueItems', () => {
  const REFUSED: Array<[string, Schema, string]> = [
    ['the reported schema', { type: 'array', uniqueItems: true }, 'schema.uniqueItems'],
    ['without maxItems or items', obj({ tags: { type: 'array', uniqueItems: true } }), 'schema.properties.tags.uniqueItems'],
    [`maxItems ${UNIQUE_ITEMS_MAX + 1}`, obj({ tags: { type: 'array', maxItems: UNIQUE_ITEMS_MAX + 1, uniqueItems: true } }), 'schema.properties.tags.uniqueItems'],
    ['items of objects', obj({ tags: { type: 'array', items: { type: 'object' }, uniqueItems: true } }), 'schema.properties.tags.uniqueItems'],
    ['items of arrays or strings', obj({ tags: { type: 'array', items: { type: ['array', 'string'] }, uniqueItems: true } }), 'schema.properties.tags.uniqueItems'],
    // Ajv reads the type on `items` itself; one behind a $ref takes the quadratic path.
    ['a scalar type behind a $ref', { definitions: { tag: { type: 'string' } }, ...obj({ tags: { type: 'array', items: { $ref: '#/definitions/tag' }, uniqueItems: true } }) }, 'schema.properties.tags.uniqueItems'],
    ['a tuple', obj({ tags: { type: 'array', items: [{ type: 'string' }], uniqueItems: true } }), 'schema.properties.tags.uniqueItems'],
    ['in an anyOf branch', obj({ tags: { anyOf: [{ type: 'array', uniqueItems: true }, { type: 'string' }] } }), 'schema.properties.tags.anyOf.0.uniqueItems'],
  ];
  it.each(REFUSED)('refuses %s, naming the field and the rule', (_what, schema, field) => {
    expect(refused(schema)[field]?.join(' ')).toMatch(new RegExp(`maxItems of at most ${UNIQUE_ITEMS_MAX}.*scalar .type.*every pair`));
  });

  const ALLOWED: Array<[string, Schema]> = [
    ['items declaring a scalar type, any number of them', obj({ tags: { type: 'array', items: { type: 'string' }, uniqueItems: true } })],
    ['several scalar types', obj({ tags: { type: 'array', items: { type: ['string', 'integer', 'null'] }, uniqueItems: true } })],
    [`objects within maxItems ${UNIQUE_ITEMS_MAX}`, obj({ tags: { type: 'array', maxItems: UNIQUE_ITEMS_MAX, uniqueItems: true } })],
    [`arrays of up to ${UNIQUE_ITEMS_MAX} in every item of an array`, itemsOf({ type: 'array', maxItems: UNIQUE_ITEMS_MAX, uniqueItems: true })],
    ['uniqueItems false', obj({ tags: { type: 'array', uniqueItems: false } })],
  ];
  it.each(ALLOWED)('allows %s', (_what, schema) => {
    expect(refused(schema)).toEqual({});
    expect(schemaCost(schema).ns).toBeLessThanOrEqual(VALIDATION_BUDGET_NS);
  });
});

describe('$ref', () => {
  const REFUSED: Array<[string, Schema, string, RegExp]> = [
    ['a loop on one value (allOf, not)', { definitions: { a: { allOf: [{ $ref: '#/definitions/b' }] }, b: { not: { $ref: '#/definitions/a' } } }, $ref: '#/definitions/a' }, 'schema.definitions.b.not.$ref', /recurse until the stack overflows/],
    ['the root referring to itself', { anyOf: [{ $ref: '#' }, { type: 'object' }] }, 'schema.anyOf.0.$ref', /recurse until the stack overflows/],
    ['another document', obj({ a: { $ref: 'https://example.com/schemas/a.json' } }), 'schema.properties.a.$ref', /point into this schema/],
    ['the metadata service', obj({ a: { $ref: 'http://169.254.169.254/latest/meta-data/' } }), 'schema.properties.a.$ref', /point into this schema/],
    ['a plain-name fragment', obj({ a: { $ref: '#thing' } }), 'schema.properties.a.$ref', /JSON pointer/],
    ['a pointer to nothing', obj({ a: { $ref: '#/definitions/none' } }), 'schema.properties.a.$ref', /points at nothing/],
    ['a pointer through a nested $id', { definitions: { a: { $id: 'a.json', type: 'string' } }, ...obj({ a: { $ref: '#/definitions/a' } }) }, 'schema.properties.a.$ref', /passes through schema.definitions.a, whose \$id is not accepted below the root/],
    ['a nested $id', obj({ a: { $id: 'https://example.com/a.json', type: 'object', properties: { b: { $ref: '#/definitions/b' } } } }), 'schema.properties.a.$id', /not accepted below the root/],
  ];
  it.each(REFUSED)('refuses %s', (_what, schema, field, rule) => {
    expect(refused(schema)[field]?.join(' ')).toMatch(rule);
  });

  const ALLOWED: Array<[string, Schema]> = [
    ['a definition', { definitions: { id: { type: 'string' } }, ...obj({ a: { $ref: '#/definitions/id' } }) }],
    ['a pointer outside the keywords', { 'x-shapes': { id: { type: 'string' } }, ...obj({ a: { $ref: '#/x-shapes/id' } }) }],
    ['an escaped pointer', { definitions: { 'a/b': { type: 'string' }, 'c d': { type: 'string' } }, ...obj({ a: { $ref: '#/definitions/a~1b' }, b: { $ref: '#/definitions/c%20d' } }) }],
    ['the root $id followed by a pointer', { $id: 'https://example.com/order.json', definitions: { id: { type: 'string' } }, ...obj({ a: { $ref: 'https://example.com/order.json#/definitions/id' } }) }],
    ['recursion that descends (a tree of comments)', { definitions: { c: obj({ text: { type: 'string' }, replies: { type: 'array', items: { $ref: '#/definitions/c' } } }) }, $ref: '#/definitions/c' }],
    ['recursion through named properties (a binary tree)', { definitions: { t: obj({ v: { type: 'number' }, left: { $ref: '#/definitions/t' }, right: { $ref: '#/definitions/t' } }) }, $ref: '#/definitions/t' }],
    ['recursion with one anyOf branch', recursiveAnyOf(1)],
    ['a $ref chain applied 2^10 times', doubling(10)],
  ];
  it.each(ALLOWED)('allows %s', (_what, schema) => {
    expect(refused(schema)).toEqual({});
    expect(schemaCost(schema).ns).toBeLessThanOrEqual(VALIDATION_BUDGET_NS);
  });
});

describe('validation cost of a 256 KiB event', () => {
  // Each is refused where the cost concentrates, saying how much and why.
  const REFUSED: Array<[string, Schema, string, RegExp]> = [
    // 2 branches that both recurse: 2^30 applications on 30 levels of arrays.
    ['recursion with two anyOf branches', recursiveAnyOf(2), 'schema.definitions.n', /without bound.*`anyOf`/],
    ['a $ref chain applied 2^20 times', doubling(20), 'schema.definitions.d18', /`allOf`/],
    ['10 allOf branches on every item', itemsOf({ allOf: range(10).map((i) => ({ minimum: -i })) }), 'schema.properties.a.items', /applied to every item of the array.*maxItems/],
    ['20 optional properties on every item', itemsOf({ type: 'object', properties: props(20) }), 'schema.properties.a.items', /applied to every item/],
    ['an enum of 199 values on every item', itemsOf({ enum: range(199) }), 'schema.properties.a.items', /applied to every item/],
    ['an enum of 50 objects on every item', itemsOf({ enum: range(50).map((k) => ({ k, v: [1, 2, 3] })) }), 'schema.properties.a.items', /applied to every item/],
    ['100 dependencies on every item', itemsOf({ type: 'object', dependencies: Object.fromEntries(range(100).map((i) => [`d${i}`, { required: [`x${i}`] }])) }), 'schema.properties.a.items', /applied to every item/],
    ['contains with 10 branches', itemsOf({ type: 'array', contains: { allOf: range(10).map((i) => ({ minimum: i })) } }), 'schema.properties.a.items.contains', /applied to every item/],
    ['5 patternProperties and additionalProperties', { type: 'object', patternProperties: Object.fromEntries(range(5).map((i) => [`^k${i}[a-z]*$`, { type: 'number' }])), additionalProperties: { type: 'number' } }, 'schema', /own keywords \(patternProperties, additionalProperties\)/],
    ['uri-template on an unbounded string', obj({ s: { type: 'string', format: 'uri-template' } }), 'schema.properties.s', /own keywords \(format\)/],
  ];
  it.each(REFUSED)('refuses %s', (_what, schema, field, rule) => {
    const cost = schemaCost(schema);
    expect(cost.ns).toBeGreaterThan(VALIDATION_BUDGET_NS);
    expect(cost.errors.errors[field]?.join(' ')).toMatch(/validating a worst-case 256 KiB event could take .* \(hookd allows 250 ms\), most of it here/);
    expect(cost.errors.errors[field]?.join(' ')).toMatch(rule);
  });

  // The worst each rule still allows; test/event-type-schemas.test.ts publishes an event for each.
  const ALLOWED: Array<[string, Schema]> = [
    ['5 allOf branches on every item', itemsOf({ allOf: range(5).map((i) => ({ minimum: -i })) })],
    ['10 optional properties on every item', itemsOf({ type: 'object', properties: props(10) })],
    ['20 optional properties on up to 500 items', itemsOf({ type: 'object', properties: props(20) }, { maxItems: 500 })],
    ['200 required properties on every item (each one present costs its bytes)', itemsOf({ type: 'object', required: range(200).map((i) => `p${i}`) })],
    ['an enum of 100 values on every item', itemsOf({ enum: range(100) })],
    ['a pattern read over a whole 256 KiB string', obj({ s: { type: 'string', pattern: '^[a-z]*$' } })],
    ['a pattern on every item', itemsOf({ type: 'string', pattern: '^[a-z]*$' })],
    ['uri-template within maxLength', obj({ s: { type: 'string', format: 'uri-template', maxLength: 2048 } })],
    ['one patternProperties and additionalProperties', { type: 'object', patternProperties: { '^k[a-z]*$': { type: 'number' } }, additionalProperties: { type: 'number' } }],
    ['20 bounded patternProperties within maxProperties', { type: 'object', maxProperties: 50, patternProperties: Object.fromEntries(range(20).map((i) => [`^x-${i}-[a-z0-9]{1,32}$`, { type: 'number' }])), additionalProperties: false }],
    ['a wide object of 250 properties', obj(props(250, { type: ['string', 'null'], maxLength: 200 }))],
  ];
  it.each(ALLOWED)('allows %s', (_what, schema) => {
    expect(refused(schema)).toEqual({});
    expect(schemaCost(schema).ns).toBeLessThanOrEqual(VALIDATION_BUDGET_NS);
  });

  it('a keyword hookd\'s Ajv (draft-07) does not evaluate costs nothing', () => {
    const base = itemsOf({ type: 'object' });
    const ignored = itemsOf({ type: 'object', unevaluatedProperties: { allOf: range(50).map(() => ({ minimum: 0 })) }, dependentSchemas: { a: { required: range(100).map(String) } }, minContains: 5 });
    expect(schemaCost(ignored).ns).toBe(schemaCost(base).ns);
  });

  it('multipleOf costs one step, however small the divisor', () => {
    expect(schemaCost(itemsOf({ multipleOf: 1e-300 })).ns).toBe(schemaCost(itemsOf({ minimum: 0 })).ns);
  });
});

describe('nesting of the compiled code', () => {
  it(`refuses more than ${MAX_NESTING} keywords, properties and branches along one path, naming the function's root`, () => {
    const wide = obj({ a: { allOf: range(MAX_NESTING).map((i) => ({ not: { const: i } })) } });
    expect(refused(wide).schema?.join(' ')).toMatch(/nests 30\d keywords.*at most 300.*stack/);
  });

  it('counts an inlined $ref (one without $refs) into the path that uses it, and not a called one', () => {
    const leaf = obj(props(200, { type: 'string' }));
    const inlined = { definitions: { leaf }, ...obj(Object.fromEntries(range(150).map((i) => [`r${i}`, { $ref: '#/definitions/leaf' }]))) };
    expect(refused(inlined).schema?.join(' ')).toMatch(/nests 35\d keywords/);
    // The same leaf holding a $ref is compiled as a function of its own.
    const called = { definitions: { id: { type: 'string' }, leaf: { ...leaf, properties: { ...props(200), id: { $ref: '#/definitions/id' } } } }, ...obj(Object.fromEntries(range(150).map((i) => [`r${i}`, { $ref: '#/definitions/leaf' }]))) };
    expect(refused(called)).toEqual({});
  });
});

describe('hostile schemas', () => {
  it.each([
    { properties: 5, items: 'x', required: [1, {}, null], enum: 'x', maxItems: '5', type: [5, 'nope'] },
    { $ref: 5, allOf: 'x', patternProperties: { '(': {} }, dependencies: { a: 5, b: ['c', 5] } },
    { __proto__: { type: 'string' }, constructor: { allOf: [] }, properties: { __proto__: { uniqueItems: true } } },
    JSON.parse('{"properties":{"__proto__":{"type":"array","uniqueItems":true}}}'),
    { $ref: '#/definitions/%E0%A4%A', definitions: {} },
  ])('does not throw on %j', (schema) => {
    expect(() => schemaCost(schema as Schema)).not.toThrow();
  });
});

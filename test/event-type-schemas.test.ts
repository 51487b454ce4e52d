/**
 * Platform-defined event-type schemas are hostile input (docs/security.md): a `pattern` that backtracks
 * catastrophically is refused at registration, naming the field; every pattern hookd accepts
 * runs on a linear-time engine; unknown formats are a 400, not a line on stderr.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { problem, startHookd, type TestHookd } from './helpers.js';

let h: TestHookd;
let ws: { id: string; test: string; live: string };
let seq = 0;
const nextName = () => `schema_test.type_${++seq}`;

beforeAll(async () => {
  h = await startHookd();
  ws = await h.workspace();
});
afterAll(async () => {
  await h.close();
});

const register = (schema: unknown, name = nextName()) => h.call('POST', '/v1/event_types', { body: { name, schema } });
const publish = (type: string, object: unknown) => h.call('POST', '/v1/events', { key: ws.test, body: { type, data: { object } } });
const stringWith = (keyword: Record<string, unknown>) => ({ type: 'object', properties: { code: { type: 'string', ...keyword } } });

function expectRefused(res: LightMyRequestResponse, field: string, message: RegExp): void {
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(problem(res).errors?.[field]?.join(' ')).toMatch(message);
}

describe('patterns in event-type schemas', () => {
  const EVIL = ['(a+)+$', '(a|aa)+$', '(.*a){20}', '^(\\w+\\s?)*$', '(\\d|\\w)+!'];

  it.each(EVIL)('refuses pattern %s with a 400 naming the field', async (pattern) => {
    expectRefused(await register(stringWith({ pattern })), 'schema.properties.code.pattern', /backtracks catastrophically/);
  });

  it.each(EVIL)('refuses patternProperties key %s with a 400 naming the field', async (pattern) => {
    const res = await register({ type: 'object', patternProperties: { [pattern]: { type: 'string' } } });
    expectRefused(res, `schema.patternProperties.${pattern}`, /backtracks catastrophically/);
  });

  it('finds patterns at any depth and reports every one', async () => {
    const res = await register({
      type: 'object',
      properties: { items: { type: 'array', items: { anyOf: [{ type: 'string', pattern: '(a+)+$' }, { type: 'number' }] } } },
      $defs: { id: { type: 'string', pattern: '(x|xy)*z' } },
    });
    expectRefused(res, 'schema.properties.items.items.anyOf.0.pattern', /backtracks/);
    expectRefused(res, 'schema.$defs.id.pattern', /backtracks/);
  });

  it('refuses a pattern reached only through a $ref where the walk does not look', async () => {
    const res = await register({ type: 'object', properties: { a: { $ref: '#/x-shapes/evil' } }, 'x-shapes': { evil: { type: 'string', pattern: '(a+)+$' } } });
    expectRefused(res, 'schema', /backtracks catastrophically/);
  });

  it.each([['lookahead', '^(?=a)a$'], ['backreference', '^(a)\\1$'], ['lookbehind', '(?<=a)b']])('refuses a %s, which the linear engine cannot run', async (_what, pattern) => {
    expectRefused(await register(stringWith({ pattern })), 'schema.properties.code.pattern', /linear-time/);
  });

  it('refuses a pattern that is not a regular expression', async () => {
    expectRefused(await register(stringWith({ pattern: '(unclosed' })), 'schema.properties.code.pattern', /not a valid regular expression/);
  });

  const GOOD: Array<[pattern: string, matches: string, fails: string]> = [
    ['^[A-Z]{3}$', 'KES', 'kes'],
    ['^\\+?[1-9]\\d{1,14}$', '+254700000000', '0700'],
    ['^[a-z0-9_]+(\\.[a-z0-9_]+)+$', 'payment.refund', 'payment'],
    ['^(\\d{1,3}\\.){3}\\d{1,3}$', '10.0.0.1', '10.0.0'],
    ['^\\p{Lu}\\p{Ll}+$', 'Émile', 'émile'],
    ['^(?<year>\\d{4})-\\d{2}$', '2026-11', '26-11'],
    ['^\\u00e9t\\u00e9$', 'été', 'ete'],
  ];

  it.each(GOOD)('accepts pattern %s and validates events with it', async (pattern, matches, fails) => {
    const name = nextName();
    expect((await register(stringWith({ pattern }), name)).statusCode).toBe(201);
    expect((await publish(name, { code: matches })).statusCode).toBe(201);
    const bad = await publish(name, { code: fails });
    expect(bad.statusCode).toBe(422);
    expect(problem(bad).errors).toHaveProperty(['data.object.code']);
  });

  it('runs accepted patterns on the linear engine: a polynomial shape on a long string answers at once', async () => {
    // Not nested, so the static check lets it through, but O(n^3) on JavaScript's engine:
    // about 2·10^10 steps for these 5,000 digits (tens of seconds). On RE2 it is one pass.
    // Rather than timing the publish, JavaScript's engine refuses to run the pattern here:
    // every RegExp match goes through RegExp.prototype.exec.
    const pattern = '^\\d+\\d+\\d+x$';
    const name = nextName();
    expect((await register(stringWith({ pattern }), name)).statusCode).toBe(201);
    const exec = RegExp.prototype.exec;
    const native: string[] = [];
    const spy = vi.spyOn(RegExp.prototype, 'exec').mockImplementation(function (this: RegExp, input: string) {
      if (this.source !== pattern) return exec.call(this, input);
      native.push(input);
      throw new Error('a catalog pattern ran on the backtracking engine');
    });
    try {
      const res = await publish(name, { code: '1'.repeat(5_000) + '!' });
      expect(res.statusCode, res.body).toBe(422);
      expect(problem(res).errors).toHaveProperty(['data.object.code']);
    } finally {
      spy.mockRestore();
    }
    expect(native).toEqual([]);
  });
});

describe('formats in event-type schemas', () => {
  const written: string[] = [];
  beforeAll(() => {
    const record = (...args: unknown[]) => {
      written.push(args.map(String).join(' '));
      return true;
    };
    vi.spyOn(process.stderr, 'write').mockImplementation(record);
    for (const method of ['warn', 'error', 'log'] as const) vi.spyOn(console, method).mockImplementation(record);
  });
  afterEach(() => {
    expect(written.splice(0), 'nothing may reach stderr or the console').toEqual([]);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('refuses an unknown format with a 400 naming the field, and writes nothing to stderr', async () => {
    expectRefused(await register(stringWith({ format: 'phone-number' })), 'schema.properties.code.format', /not a format hookd knows/);
  });

  it('refuses an unknown format that only Ajv finds (through a $ref), as a 400 naming the schema', async () => {
    const res = await register({ type: 'object', properties: { a: { $ref: '#/x-shapes/a' } }, 'x-shapes': { a: { type: 'string', format: 'nope' } } });
    expectRefused(res, 'schema', /unknown format "nope"/);
  });

  it.each([['email', 'ops@example.com', 'not-an-email'], ['date-time', '2026-11-29T06:00:00Z', 'yesterday'], ['uuid', '0b7c5cde-4f3a-4e8e-9a53-1f1b3f6a2c11', '1234'], ['hostname', 'api.example.com', '-bad-.example']])(
    'accepts and enforces format %s', async (format, good, bad) => {
      const name = nextName();
      expect((await register(stringWith({ format }), name)).statusCode).toBe(201);
      expect((await publish(name, { code: good })).statusCode).toBe(201);
      expect((await publish(name, { code: bad })).statusCode).toBe(422);
    },
  );
});

/**
 * What validating an event may cost is bounded at registration (src/api/schema-cost.ts): the
 * shapes Ajv checks in quadratic or exponential time, or that loop forever, are refused, naming
 * the field; the worst each rule still allows is registered here and a worst-case event of
 * HOOKD_MAX_EVENT_SIZE (256 KiB) published against it. Nothing is timed: the bound is the
 * rule's, proven in src/api/schema-cost.test.ts and src/api/catalog-ajv.test.ts.
 */
describe('validation cost of event-type schemas', () => {
  const MAX_EVENT = 256 * 1024;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const props = (n: number, sub: unknown = { type: 'string' }) => Object.fromEntries(range(n).map((i) => [`p${i}`, sub]));
  const at = (path: string) => (object: unknown) => ({ [path]: object });

  /** `wrap(items)` with as many `item(i)` as fit in a 256 KiB publish body. */
  function fill(type: string, wrap: (items: unknown[]) => unknown, item: (i: number) => unknown): unknown {
    const overhead = JSON.stringify({ type, data: { object: wrap([]) } }).length;
    const items: unknown[] = [];
    for (let size = overhead, i = 0; ; i++) {
      const next = item(i);
      size += JSON.stringify(next).length + 1;
      if (size > MAX_EVENT) break;
      items.push(next);
    }
    const object = wrap(items);
    expect(JSON.stringify({ type, data: { object } }).length).toBeGreaterThan(MAX_EVENT - 5_000);
    return object;
  }

  async function registered(schema: Record<string, unknown>): Promise<string> {
    const name = nextName();
    const res = await register(schema, name);
    expect(res.statusCode, res.body).toBe(201);
    return name;
  }

  async function expectInvalid(type: string, object: unknown, field: RegExp): Promise<void> {
    const res = await publish(type, object);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(422);
    // Ajv stops at the first error: one field named, never one per failing value.
    expect(Object.keys(problem(res).errors ?? {})).toEqual([expect.stringMatching(field)]);
  }

  it('refuses the reported schema {"type":"array","uniqueItems":true} with a 400 naming schema.uniqueItems', async () => {
    expectRefused(await register({ type: 'array', uniqueItems: true }), 'schema.uniqueItems', /maxItems of at most 64.*scalar `type`.*every pair of items/);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['uniqueItems on arrays of anything', { type: 'object', properties: { tags: { type: 'array', uniqueItems: true } } }, 'schema.properties.tags.uniqueItems', /every pair of items/],
    ['uniqueItems with maxItems 65', { type: 'object', properties: { tags: { type: 'array', maxItems: 65, uniqueItems: true } } }, 'schema.properties.tags.uniqueItems', /maxItems of at most 64/],
    ['a $ref loop on one value', { definitions: { a: { allOf: [{ $ref: '#/definitions/b' }] }, b: { not: { $ref: '#/definitions/a' } } }, $ref: '#/definitions/a' }, 'schema.definitions.b.not.$ref', /recurse until the stack overflows/],
    ['recursion with two anyOf branches (2^30 on nested arrays)', { definitions: { n: { anyOf: [{ type: 'array', items: { $ref: '#/definitions/n' } }, { type: 'array', minItems: 1, items: { $ref: '#/definitions/n' } }] } }, type: 'object', properties: { a: { $ref: '#/definitions/n' } } }, 'schema.definitions.n', /without bound.*`anyOf`/],
    ['10 allOf branches on every item', { type: 'object', properties: { a: { type: 'array', items: { allOf: range(10).map((i) => ({ minimum: -i })) } } } }, 'schema.properties.a.items', /could take \d+ ms \(hookd allows 250 ms\).*applied to every item of the array/],
    ['a $ref to another document', { type: 'object', properties: { a: { $ref: 'http://169.254.169.254/latest/meta-data/' } } }, 'schema.properties.a.$ref', /point into this schema/],
    ['301 checks nested in one path of compiled code', { type: 'object', properties: { a: { allOf: range(300).map((i) => ({ not: { const: i } })) } } }, 'schema', /nests 30\d keywords/],
  ])('refuses %s with a 400 naming the field and the rule', async (_what, schema, field, rule) => {
    expectRefused(await register(schema), field, rule);
  });

  it('uniqueItems within maxItems 64: 64 items of 4 KB that differ only in their first element', async () => {
    const name = await registered({ type: 'object', properties: { tags: { type: 'array', maxItems: 64, uniqueItems: true } } });
    // Ajv compares arrays from their end: the first element is the last compared.
    const items = (first: (i: number) => number) => range(64).map((i) => [first(i), ...new Array<number>(2_030).fill(0)]);
    const object = { tags: items((i) => i) };
    expect(JSON.stringify(object).length).toBeGreaterThan(MAX_EVENT - 5_000);
    expect((await publish(name, object)).statusCode).toBe(201);
    await expectInvalid(name, { tags: items((i) => (i === 63 ? 0 : i)) }, /^data\.object\.tags$/);
    await expectInvalid(name, { tags: range(65).map((i) => [i]) }, /^data\.object\.tags$/);
  });

  it('uniqueItems within maxItems 64 on every item of an array', async () => {
    const name = await registered({ type: 'object', properties: { a: { type: 'array', items: { type: 'array', maxItems: 64, uniqueItems: true } } } });
    const object = fill(name, at('a'), () => range(64).map((i) => [i]));
    expect((await publish(name, object)).statusCode).toBe(201);
  });

  it('uniqueItems on declared scalars, without maxItems: a 256 KiB array of strings', async () => {
    const name = await registered({ type: 'object', properties: { tags: { type: 'array', items: { type: 'string' }, uniqueItems: true } } });
    const object = fill(name, at('tags'), (i) => `t${i}`) as { tags: string[] };
    expect((await publish(name, object)).statusCode).toBe(201);
    await expectInvalid(name, { tags: [...object.tags.slice(1), object.tags[5]] }, /^data\.object\.tags$/);
  });

  it('recursion through one anyOf branch: arrays nested as deep as a body may, as wide as the event allows', async () => {
    const name = await registered({ definitions: { n: { anyOf: [{ type: 'array', items: { $ref: '#/definitions/n' } }] } }, type: 'object', properties: { a: { $ref: '#/definitions/n' } } });
    // The body's `{`, `data`, `object` and `a` leave 28 of its 32 levels to each item.
    let deep: unknown[] = [];
    for (let i = 0; i < 27; i++) deep = [deep];
    expect((await publish(name, fill(name, at('a'), () => deep))).statusCode).toBe(201);
    let bad: unknown[] = [1];
    for (let i = 0; i < 26; i++) bad = [bad];
    // Each anyOf on the way down reports its failure too: one error a level, no more.
    const res = await publish(name, { a: [deep, bad] });
    expect(res.statusCode).toBe(422);
    const fields = Object.keys(problem(res).errors ?? {});
    expect(fields).toContain(`data.object.a.1${'.0'.repeat(27)}`);
    expect(fields.length).toBeLessThanOrEqual(29); // `a`, the 27 arrays below it, and the number
  });

  it('recursion through named properties: a binary tree of objects with keys of their own', async () => {
    const name = await registered({ definitions: { t: { type: 'object', properties: { v: { type: 'number' }, left: { $ref: '#/definitions/t' }, right: { $ref: '#/definitions/t' } } } }, $ref: '#/definitions/t' });
    let n = 0;
    const tree = (depth: number): unknown => (depth === 0 ? { v: 1, [`k${n++}`]: 0 } : { v: 1, left: tree(depth - 1), right: tree(depth - 1) });
    const object = tree(12);
    expect(JSON.stringify(object).length).toBeGreaterThan(MAX_EVENT / 2);
    expect((await publish(name, object)).statusCode).toBe(201);
  });

  it('5 allOf branches on every item of a 256 KiB array', async () => {
    const name = await registered({ type: 'object', properties: { a: { type: 'array', items: { allOf: range(5).map((i) => ({ minimum: -i })) } } } });
    const object = fill(name, at('a'), (i) => i % 10) as { a: number[] };
    expect((await publish(name, object)).statusCode).toBe(201);
    await expectInvalid(name, { a: [...object.a.slice(1), -1] }, new RegExp(`^data\\.object\\.a\\.${object.a.length - 1}$`));
  });

  it('10 optional properties on every item, objects of as many shapes as keys allow', async () => {
    const name = await registered({ type: 'object', properties: { a: { type: 'array', items: { type: 'object', properties: props(10) } } } });
    expect((await publish(name, fill(name, at('a'), (i) => ({ [`k${i.toString(36)}`]: 0 })))).statusCode).toBe(201);
    await expectInvalid(name, { a: [{ p9: 1 }] }, /^data\.object\.a\.0\.p9$/);
  });

  it('200 required properties on every item', async () => {
    const required = range(200).map((i) => `p${i}`);
    const name = await registered({ type: 'object', properties: { a: { type: 'array', items: { type: 'object', required } } } });
    const full = Object.fromEntries(required.map((k) => [k, 0]));
    const object = fill(name, at('a'), () => full) as { a: unknown[] };
    expect((await publish(name, object)).statusCode).toBe(201);
    const { p199: _, ...partial } = full;
    await expectInvalid(name, { a: [...object.a.slice(1), partial] }, new RegExp(`^data\\.object\\.a\\.${object.a.length - 1}\\.p199$`));
  });

  it('an enum of 100 values on every item, each item the last value', async () => {
    const name = await registered({ type: 'object', properties: { a: { type: 'array', items: { enum: range(100) } } } });
    const object = fill(name, at('a'), () => 99) as { a: number[] };
    expect((await publish(name, object)).statusCode).toBe(201);
    await expectInvalid(name, { a: [...object.a.slice(1), 100] }, new RegExp(`^data\\.object\\.a\\.${object.a.length - 1}$`));
  });

  it('a pattern read over a whole 256 KiB string', async () => {
    const name = await registered({ type: 'object', properties: { s: { type: 'string', pattern: '^[a-z]*$' } } });
    const s = 'ab'.repeat((MAX_EVENT - 100) / 2);
    expect((await publish(name, { s })).statusCode).toBe(201);
    await expectInvalid(name, { s: s.slice(1) + '!' }, /^data\.object\.s$/);
  });

  it('patternProperties and additionalProperties on an object of as many keys as fit', async () => {
    const name = await registered({ type: 'object', patternProperties: { '^k[a-z0-9]*$': { type: 'number' } }, additionalProperties: { type: 'integer' } });
    const object = Object.fromEntries((fill(name, (items) => items, (i) => [`k${i.toString(36)}`, 0]) as Array<[string, number]>).map(([k, v], i) => [i % 2 ? k : k.slice(1), v]));
    expect((await publish(name, object)).statusCode).toBe(201);
    await expectInvalid(name, { ...object, zz: 0.5 }, /^data\.object\.zz$/);
  });

  it('a failing 256 KiB event is answered with its first error, not one per failing value', async () => {
    // With every error collected this event made 1.7 million of them and an 80 MB answer.
    const name = await registered({ type: 'object', properties: { lines: { type: 'array', items: { type: 'object', required: range(20).map((i) => `field_${i}`) } } } });
    const object = fill(name, at('lines'), () => ({}));
    const res = await publish(name, object);
    expect(res.statusCode).toBe(422);
    expect(problem(res).errors).toEqual({ 'data.object.lines.0.field_0': ['is required'] });
  });
});

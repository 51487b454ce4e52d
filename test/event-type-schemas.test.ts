/**
 * Platform-defined event-type schemas are hostile input (issue 5): a `pattern` that backtracks
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

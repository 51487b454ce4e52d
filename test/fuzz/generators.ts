/**
 * Malformed requests for the route fuzzer (docs/security.md), derived from hookd's OpenAPI
 * document: each operation's path parameters, query and body schema are the starting point,
 * and the arbitraries below bend them (wrong types, huge and hostile strings, nulls, deep
 * nesting, prototype-pollution keys, forged ids and continuation tokens, bad idempotency keys,
 * garbage headers and content types, random methods and paths). Most requests carry a valid
 * key and mostly valid ids, so that they get past authentication and into the handlers.
 */
import fc from 'fast-check';
import { idPrefixOf, type JsonSchema, type Operation } from './openapi.js';

export interface FuzzContext {
  ops: Operation[];
  keys: { test: string; live: string; otherTest: string; platform: string };
  workspace: string;
  otherWorkspace: string;
  /** Real ids by prefix: the fuzzed workspace's (both modes) and another workspace's. */
  ids: Record<string, string[]>;
  eventTypes: string[];
  /** Real continuation tokens by list path, as X-Continuation-Token gave them. */
  tokens: Record<string, string[]>;
  /** A port on 127.0.0.1 nothing listens on: endpoint URLs that fail at once when sent to. */
  closedPort: number;
}

export interface FuzzRequest {
  /** Which generator made it, for the report. */
  kind: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const KIB = 1024;

// ---- strings ------------------------------------------------------------------------------

const loneSurrogate = fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD83D', '\uDE00b', '\uD83D\uD83D');
const special = fc.constantFrom(
  '\u202E', '\u202D', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', // bidi overrides and isolates
  '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', // zero-width
  '\u0000', '\u0007', '\u001B[31m', '\r\n', '\t', '\u2028', '\u2029', '\u0085',
  '\uFFFD', '\uFFFE', '\uFFFF', '𝕳', '👩‍💻', '🏳️‍🌈', 'é', 'e\u0301', 'ß', 'İ', 'ﷺ', 'עברית', 'العربية',
);
const classic = fc.constantFrom(
  '', ' ', 'null', 'undefined', 'NaN', 'Infinity', '-1', '0', '1e309', '0x10', '-0', 'true', '[]', '{}',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '../../etc/passwd', '..%2f..%2f', '%00', '%', '%zz', '${jndi:ldap://x/a}', "' OR 1=1 --", '"; DROP TABLE events; --',
  '<script>alert(1)</script>', '{{7*7}}', '%s%s%s%n', 'a\\', '\\u0000', 'Bearer', '*', '.*', 'payment.*', '*.*', '.',
);

export const unicodeString: fc.Arbitrary<string> = fc.array(
  fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), loneSurrogate, special),
  { maxLength: 10 },
).map((parts) => parts.join(''));

/** Long runs of one character, `min`–`max` UTF-16 units. */
const longString = (min: number, max: number): fc.Arbitrary<string> => fc.tuple(
  fc.integer({ min, max }),
  fc.constantFrom('x', 'é', '\u202E', '\uD800', '"', '\\', '\u0000', '👩‍💻'),
).map(([n, c]) => c.repeat(Math.max(1, Math.floor(n / c.length))));

/** Up to a few hundred KiB: some within the body limits (64 KiB, events 256 KiB), some above. */
export const hugeString: fc.Arbitrary<string> = fc.oneof(longString(1 * KIB, 60 * KIB), longString(60 * KIB, 300 * KIB));

const nasty = (huge: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: unicodeString },
  { weight: 3, arbitrary: classic },
  { weight: 1, arbitrary: huge },
);

/** Hostile strings for bodies. */
export const nastyString: fc.Arbitrary<string> = nasty(hugeString);

/**
 * Hostile strings for URLs and headers: Node reads at most 16 KiB of request line and headers
 * (431 past it), so longer ones only test that limit again, slowly.
 */
export const nastyShortString: fc.Arbitrary<string> = nasty(longString(1 * KIB, 6 * KIB));

// ---- JSON values ---------------------------------------------------------------------------

export const pollutionKey = fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', '__lookupGetter__', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf');

/** Sets an own, enumerable property even for `__proto__`, so JSON.stringify sends it as a key. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

const key = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 2, arbitrary: pollutionKey }, { weight: 1, arbitrary: unicodeString });

const number = fc.oneof(
  fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 604_801, -1, 101, 1.5),
);

/** Any JSON value, hostile strings (`text`) and keys included. */
const jsonOf = (text: fc.Arbitrary<string>): fc.Arbitrary<unknown> => fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), number, text,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) put(o, k, v);
      return o;
    }),
  ),
})).value;

export const hostileJson = jsonOf(nastyString);
const hostileShortJson = jsonOf(nastyShortString);

/** `[[[[…]]]]` or `{"a":{"a":…}}` as text, from shallow to far past the depth cap. */
export const deepNesting: fc.Arbitrary<string> = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 40, max: 20_000 })), fc.boolean(), fc.boolean())
  .map(([n, arrays, closed]) => {
    const open = arrays ? '['.repeat(n) : '{"a":'.repeat(n);
    const close = arrays ? ']'.repeat(n) : '}'.repeat(n);
    return `${open}${arrays ? '1' : '1'}${closed ? close : close.slice(0, n >> 1)}`;
  });

/** Bodies that are not the JSON document a route wants, as raw text. */
const rawBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', 'null', 'true', '0', '"x"', '[]', '{}', '{', '}', '{"a":', '{"a":1,}', "{'a':1}", 'NaN', '{"a":NaN}', '{"a":1}{"b":2}',
    '\uFEFF{}', '\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}',
    '{"a":1,"a":2}', '{"type":"payment.succeeded","type":"x"}', '[{"__proto__":1}]', '{"a":1e999999}', '{"a":-}', '\n\n\n', 'a=1&b=2',
  ),
  deepNesting,
  hugeString.map((s) => JSON.stringify({ pad: s })),
  fc.string({ unit: 'binary', maxLength: 200 }),
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
);

// ---- encoding ------------------------------------------------------------------------------

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as on any wire). */
export function percentEncode(text: string): string {
  // The round trip through UTF-8 makes the text well-formed, which encodeURIComponent requires.
  return encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8')).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Path segments that are wrong as text, not just as ids: bad escapes, encoded slashes, overlong UTF-8. */
const rawSegment = fc.constantFrom('%', '%zz', '%e0%80', '%C0%AF', '%ED%A0%80', '%FF', '%2F', '%2e%2e', '..', '.', '%00', '%252F', 'a%20b', '%u0041', ';', '%3B', '*', '%2A');

/** A header value undici will send: latin-1 without control characters (what arrives is the bytes of `text`). */
export function headerValue(text: string): string {
  return [...Buffer.from(text, 'utf8').toString('latin1')].filter((c) => c === '\t' || (c >= ' ' && c !== '\x7f')).join('');
}

// ---- ids, tokens, keys ---------------------------------------------------------------------

function badIds(prefix: string): fc.Arbitrary<string> {
  const body = 'A'.repeat(24);
  return fc.oneof(
    fc.constantFrom(
      `${prefix}_${'0'.repeat(24)}`, `${prefix}_${body}x`, `${prefix}_${body.slice(1)}`, `${prefix.toUpperCase()}_${body}`, `${prefix}-${body}`,
      `${prefix}_${body.slice(1)}-`, `${prefix}_${body.slice(1)}é`, `x${prefix}_${body}`, `${prefix}_`, prefix, `we_${body}`, `evt_${body}`, `wh_${body}`, `wksp_${body}`,
      `${prefix}_${'A'.repeat(300)}`, `${prefix}_${body}%00`, ' ', 'null', '0', '-1',
    ),
    nastyShortString,
  );
}

export function idArb(ctx: FuzzContext, prefix: string | undefined): fc.Arbitrary<string> {
  const real = prefix ? ctx.ids[prefix] ?? [] : [];
  if (real.length === 0) return badIds(prefix ?? 'x');
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...real) }, { weight: 3, arbitrary: badIds(prefix!) });
}

/** Continuation tokens: real ones, and real ones changed, moved, truncated, extended or crafted. */
export function tokenArb(ctx: FuzzContext, listPath: string): fc.Arbitrary<string> {
  const all = Object.values(ctx.tokens).flat();
  const own = ctx.tokens[listPath] ?? [];
  const real = own.length > 0 ? fc.constantFrom(...own) : all.length > 0 ? fc.constantFrom(...all) : fc.constant('e30.AAAAAAAAAAAAAAAAAAAAAA');
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const crafted = fc.record({
    l: fc.oneof(fc.constantFrom('events', 'endpoints', 'webhooks', 'workspaces', 'event_types'), nastyShortString),
    s: fc.oneof(fc.constantFrom('asc', 'desc'), nastyShortString),
    c: fc.oneof(number, nastyShortString, fc.constant(null)),
    k: fc.oneof(nastyShortString, number, fc.constant(null), fc.constant({ $ne: null })),
  }).map((o) => Buffer.from(JSON.stringify(o)).toString('base64url'));
  return fc.oneof(
    real,
    fc.tuple(real, fc.nat(), fc.constantFrom(...B64)).map(([t, i, c]) => {
      const at = i % t.length;
      const changed = t[at] === c ? (c === 'A' ? 'B' : 'A') : c;
      return t.slice(0, at) + changed + t.slice(at + 1);
    }),
    fc.tuple(real, fc.constantFrom('.x', '.', '=', '==', '%00', ' ', '.AAAA', `.${'A'.repeat(22)}`)).map(([t, tail]) => t + tail),
    real.map((t) => t.replace('.', '')),
    real.map((t) => t.split('.')[0]!),
    real.map((t) => `.${t.split('.')[1] ?? ''}`),
    real.map((t) => t.slice(0, -1)),
    fc.tuple(crafted, real).map(([body, t]) => `${body}.${t.split('.')[1] ?? ''}`),
    fc.tuple(crafted, fc.string({ minLength: 22, maxLength: 22 })).map(([body, mac]) => `${body}.${mac}`),
    fc.constantFrom('', '.', '..', 'a.b.c', 'not-a-token', `${'A'.repeat(600)}.${'A'.repeat(22)}`, 'e30.', '.e30', 'eyJsIjoiZXZlbnRzIn0.ZZZZ'),
    nastyShortString,
  );
}

function authArb(ctx: FuzzContext): fc.Arbitrary<Record<string, string>> {
  const k = ctx.keys;
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant({ authorization: `Bearer ${k.test}` }) },
    { weight: 3, arbitrary: fc.constant({ authorization: `Bearer ${k.live}` }) },
    { weight: 1, arbitrary: fc.constant({ authorization: `Bearer ${k.otherTest}` }) },
    { weight: 4, arbitrary: fc.constantFrom(ctx.workspace, ctx.otherWorkspace).chain((ws) => fc.constantFrom('true', 'false').map((live) => ({ authorization: `Bearer ${k.platform}`, 'x-workspace-id': ws, 'x-live-mode': live }))) },
    { weight: 1, arbitrary: fc.constant({ authorization: `Bearer ${k.platform}` }) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom(
          'Bearer', 'Bearer ', 'bearer', `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${k.test} extra`, `Bearer  ${k.test}`, `${k.test}`,
          `Bearer ${k.test.slice(0, -1)}`, `Bearer ${k.test}x`, `Bearer fskt_${'A'.repeat(40)}`, `Bearer fskl_${'A'.repeat(300)}`, `Bearer hkp_${'A'.repeat(40)}`,
          `Bearer ${k.platform.slice(0, -1)}`, `Bearer ${'x'.repeat(8000)}`, 'Bearer \t', `BEARER ${k.test}`,
        ),
        nastyShortString.map((s) => `Bearer ${s}`),
      ).map((v) => ({ authorization: headerValue(v) })),
    },
  );
}

/** Garbage in the headers hookd reads, and some it does not. */
function headerNoise(ctx: FuzzContext): fc.Arbitrary<Record<string, string>> {
  const value = (extra: fc.Arbitrary<string>) => fc.oneof(extra, nastyShortString).map(headerValue);
  const one = fc.oneof(
    value(fc.constantFrom(ctx.workspace, ctx.otherWorkspace, `wksp_${'0'.repeat(24)}`, 'wksp_x', `${ctx.workspace}, ${ctx.otherWorkspace}`)).map((v) => ['x-workspace-id', v] as const),
    value(fc.constantFrom('true', 'false', 'TRUE', '1', '0', 'yes', '', 'true, false', ' true')).map((v) => ['x-live-mode', v] as const),
    value(fc.constantFrom('k1', 'k2', '', ' ', 'a'.repeat(255), 'a'.repeat(256), 'é', 'a b', 'k1, k2', '\t')).map((v) => ['x-idempotency-key', v] as const),
    value(fc.constantFrom('*', '"x"', 'W/"x"', '"a", "b"', '', 'W/', '"')).map((v) => ['if-match', v] as const),
    value(fc.constantFrom('*', '"x"', 'W/"x"', '')).map((v) => ['if-none-match', v] as const),
    value(fc.constantFrom('application/xml', '*/*', 'application/problem+json', 'text/html;q=0', '')).map((v) => ['accept', v] as const),
    value(fc.constantFrom('gzip', 'br', 'identity', 'x')).map((v) => ['accept-encoding', v] as const),
    value(fc.constantFrom('https://evil.example', 'null', '*')).map((v) => ['origin', v] as const),
    value(fc.constantFrom('req_x', '1', '')).map((v) => ['x-request-id', v] as const),
    value(fc.constantFrom('127.0.0.1', 'evil.example', '')).map((v) => ['x-forwarded-for', v] as const),
    fc.tuple(fc.constantFrom('x-fuzz', 'x-hookd-anything', 'x-cached-response', 'x-continuation-token', 'prefer', 'forwarded', 'x-http-method-override'), value(fc.constant('1'))),
  );
  return fc.array(one, { maxLength: 4 }).map((pairs) => Object.fromEntries(pairs));
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/merge-patch+json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json;charset=latin1',
      'application/JSON', 'Application/Json', 'application/json ; x=y', 'application/json, text/plain', 'text/plain', 'text/json',
      'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/xml', '*/*',
      'application/', 'json', '', ';', 'application/json; charset=', 'application/problem+json', 'application/vnd.api+json',
    ),
  },
  { weight: 1, arbitrary: nastyShortString.map(headerValue) },
);

// ---- from the schema -----------------------------------------------------------------------

function urlArb(ctx: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(`https://127.0.0.1:${ctx.closedPort}/hook`, `http://127.0.0.1:${ctx.closedPort}/hook?x=1`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'http://169.254.169.254/latest/meta-data/', 'https://10.0.0.1/', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/', 'https://2130706433/',
        'https://0177.0.0.1/', 'https://0x7f.1/', 'https://127.1/', 'https://user:pass@127.0.0.1:1025/', 'https://127.0.0.1:22/', 'https://127.0.0.1:99999/',
        'javascript:alert(1)', 'file:///etc/passwd', 'ftp://127.0.0.1/', 'https://', 'https:///x', '//127.0.0.1/', 'https://127.0.0.1:1025/#frag',
        'https://127.0.0.1:1025/\u0000', 'https://127.0.0.1:1025/\u202E', `https://127.0.0.1:1025/${'a'.repeat(600)}`, 'https://xn--80ak6aa92e.com./',
        'https://[fe80::1%25eth0]/', 'http://0.0.0.0/', 'https://224.0.0.1/',
      ),
    },
    { weight: 2, arbitrary: nastyString },
  );
}

function eventPatterns(ctx: FuzzContext): fc.Arbitrary<unknown> {
  const names = ctx.eventTypes.length > 0 ? fc.constantFrom(...ctx.eventTypes) : fc.constant('payment.succeeded');
  const pattern = fc.oneof(
    { weight: 5, arbitrary: names },
    { weight: 2, arbitrary: fc.constantFrom('*', 'payment.*', 'customer.*', '*.*', '.*', 'payment.', 'payment..*', 'nope.*', 'PAYMENT.*', '**') },
    { weight: 1, arbitrary: nastyString },
  );
  return fc.array(pattern, { minLength: 0, maxLength: 6 });
}

function dateArb(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      '2026-01-01', '2026-01-15T12:00:00Z', '2026-02-30', '2026-13-01', '2026-00-10', '2026-01-00', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z',
      '0000-01-01', '9999-12-31T23:59:59.999999999+14:00', '2026-01-01T00:00:00', '2026-01-01T00:00:00+25:00', 'yesterday', '1700000000',
      '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '2026-1-1', '２０２６-01-01',
    ),
    text,
  );
}

/**
 * JSON Schemas for event types (platform key): ordinary ones, and the kinds Ajv treats
 * specially ($async, $id, $ref cycles, remote refs, broken patterns). Catastrophic patterns such
 * as `(a+)+$` are left out on purpose: the catalog is the platform's, and a pattern that
 * backtracks forever would hang the fuzzed server on the platform's own word.
 */
const jsonSchema: fc.Arbitrary<unknown> = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small' },
    fc.record({ type: fc.constantFrom<unknown>('object', 'string', 'integer', 'array', 'null', 'nope', ['string', 'null'], 5) }),
    fc.record({
      type: fc.constant('object'),
      required: fc.array(fc.constantFrom('id', 'amount', 'x', '__proto__', 'constructor'), { maxLength: 3 }),
      properties: fc.dictionary(fc.constantFrom('id', 'amount', 'x', 'constructor', 'toString'), tie('schema'), { maxKeys: 3 }),
      additionalProperties: fc.boolean(),
    }, { requiredKeys: ['type'] }),
    fc.constantFrom<unknown>(
      { $async: true, type: 'object', required: ['x'] }, { $id: 'fuzz-thing', type: 'object' }, { $id: 'http://example.com/s', type: 'object' },
      { $ref: '#' }, { allOf: [{ $ref: '#' }] }, { definitions: { a: { $ref: '#/definitions/a' } }, $ref: '#/definitions/a' },
      { $ref: 'http://169.254.169.254/latest/meta-data/' }, { $schema: 'http://json-schema.org/draft-04/schema#' }, { pattern: '^[a-z]+$' }, { pattern: '(' },
      { minLength: -1 }, { enum: [] }, { const: { a: 1 } }, { not: {} }, { if: { type: 'string' }, then: { minLength: 2 } }, { maxProperties: 0 },
      { type: 'object', properties: { id: { default: 'x' } } }, { type: 'object', patternProperties: { '^x': { type: 'integer' } } },
    ),
    hostileJson,
  ),
})).schema;

/**
 * A value of `schema` that is often right and sometimes not; `name` steers well-known fields;
 * `text` is the hostile string (short ones for URLs).
 */
export function valueFor(ctx: FuzzContext, schema: JsonSchema, name = '', text: fc.Arbitrary<string> = nastyString): fc.Arbitrary<unknown> {
  const wrong = { weight: 1, arbitrary: text === nastyString ? hostileJson : hostileShortJson };
  const right = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary: arb }, wrong);
  if (name === 'url') return right(urlArb(ctx));
  if (name === 'events' || name === 'type' && schema.type === 'array') return right(eventPatterns(ctx));
  if (name === 'since' || name === 'until') return right(dateArb(text));
  if (name === 'schema') return right(jsonSchema);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) return fc.oneof(...alternatives.map((s) => valueFor(ctx, s, name, text)));
  if (schema.const !== undefined) return right(fc.constant(schema.const));
  if (schema.enum) return right(fc.constantFrom(...schema.enum));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      const prefix = idPrefixOf(schema);
      if (prefix) return right(idArb(ctx, prefix));
      if (schema.pattern?.includes('[a-z0-9_]+(\\.')) return right(fc.oneof(fc.constantFrom(...(ctx.eventTypes.length ? ctx.eventTypes : ['payment.succeeded'])), fc.constantFrom('order.created', 'a.b', 'x.y.z'), text));
      if (name === 'name' || name === 'description' || name === 'token') return right(fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), text));
      return right(text);
    }
    case 'integer':
    case 'number':
      return right(fc.oneof(
        fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1_000_000 }),
        fc.constantFrom(schema.minimum ?? 0, schema.maximum ?? 0, (schema.minimum ?? 0) - 1, (schema.maximum ?? 0) + 1, 1.5, '60', -0),
      ));
    case 'boolean':
      return right(fc.boolean());
    case 'null':
      return fc.constant(null);
    case 'array':
      return right(fc.array(schema.items ? valueFor(ctx, schema.items, name, text) : hostileJson, { maxLength: 6 }));
    case 'object':
      return objectFor(ctx, schema);
    default:
      return hostileJson;
  }
}

/** An object of `schema`: required fields mostly present, optional ones sometimes, strangers now and then. */
function objectFor(ctx: FuzzContext, schema: JsonSchema): fc.Arbitrary<unknown> {
  const props = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const fields = props.map(([k, s]) => fc.tuple(
    fc.constant(k),
    valueFor(ctx, s, k),
    fc.integer({ min: 0, max: 9 }).map((roll) => (required.has(k) ? roll > 0 : roll > 5)),
  ));
  const additional = typeof schema.additionalProperties === 'object'
    ? fc.array(fc.tuple(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), key), valueFor(ctx, schema.additionalProperties)), { maxLength: 4 })
    : fc.constant([] as [string, unknown][]);
  const strangers = fc.oneof({ weight: 5, arbitrary: fc.constant([] as [string, unknown][]) }, { weight: 1, arbitrary: fc.array(fc.tuple(key, hostileJson), { minLength: 1, maxLength: 3 }) });
  return fc.tuple(fc.tuple(...fields), additional, strangers).map(([picked, extra, odd]) => {
    const o: Record<string, unknown> = {};
    for (const [k, v, present] of picked) if (present) put(o, k, v);
    for (const [k, v] of [...extra, ...odd]) put(o, k, v);
    return o;
  });
}

// ---- requests ------------------------------------------------------------------------------

function listPathOf(op: Operation): string {
  return op.path;
}

function queryFor(ctx: FuzzContext, op: Operation): fc.Arbitrary<string> {
  const known = op.query.map((q) => {
    let value: fc.Arbitrary<unknown>;
    if (q.name === 'ct') value = tokenArb(ctx, listPathOf(op));
    else if (q.name.startsWith('created.')) value = dateArb(nastyShortString);
    else if (q.name === 'count') value = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, -1, 101, 1e21, '1.5', 'abc', '', '10e1', '0x10', ' 5', '5 ', '+5', '٥'));
    else value = valueFor(ctx, q.schema, q.name, nastyShortString);
    return fc.tuple(fc.constant(q.name), value, fc.integer({ min: 0, max: 9 }));
  });
  const pairs = fc.tuple(...known).map((all) => all.filter(([, , roll]) => roll > 6).flatMap(([name, v]) => (Array.isArray(v) ? v.map((x) => [name, x] as const) : [[name, v] as const])));
  const odd = fc.array(fc.oneof(
    fc.tuple(fc.oneof(fc.constantFrom('__proto__[admin]', 'constructor[prototype][admin]', 'prototype', '__proto__', 'count[]', 'count', 'sort', 'ct', 'type[0]', 'limit', 'starting_after', 'created', 'created.', 'created.foo', 'created[gt]', 'workspace', 'live', ''), key), nastyShortString),
    fc.tuple(fc.constantFrom('type'), fc.constantFrom('payment.succeeded')),
  ), { maxLength: 3 });
  const repeatedType = fc.integer({ min: 0, max: 30 }).map((n) => Array.from({ length: n }, () => ['type', 'payment.succeeded'] as const));
  return fc.tuple(pairs, fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: odd }), fc.oneof({ weight: 9, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: repeatedType }), fc.boolean())
    .map(([a, b, c, raw]) => {
      const all = [...a, ...b, ...c] as (readonly [string, unknown])[];
      if (all.length === 0) return '';
      const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
      return `?${all.map(([k, v]) => `${percentEncode(k)}=${raw && typeof v === 'string' && /^[\x21-\x7e]*$/.test(v) ? v.replace(/[#\s]/g, '') : percentEncode(text(v))}`).join('&')}`;
    });
}

function pathFor(ctx: FuzzContext, op: Operation, hostile: boolean): fc.Arbitrary<string> {
  const segments = op.pathParams.map((p) => {
    const prefix = idPrefixOf(p.schema);
    const good = prefix ? fc.constantFrom(...(ctx.ids[prefix]?.length ? ctx.ids[prefix]! : [`${prefix}_${'0'.repeat(24)}`])) : fc.constantFrom(...(ctx.eventTypes.length ? ctx.eventTypes : ['payment.succeeded']));
    const bad = fc.oneof(idArb(ctx, prefix).map(percentEncode), rawSegment, nastyShortString.map(percentEncode), fc.integer({ min: 150, max: 400 }).map((n) => 'a'.repeat(n)));
    return fc.tuple(fc.constant(p.name), hostile ? fc.oneof({ weight: 1, arbitrary: good }, { weight: 3, arbitrary: bad }) : fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: bad }));
  });
  return fc.tuple(...segments).map((values) => {
    const map = Object.fromEntries(values);
    return op.path.replace(/\{([^}]+)\}/g, (_m, n: string) => map[n] ?? 'x');
  });
}

function bodyFor(ctx: FuzzContext, op: Operation): fc.Arbitrary<string | undefined> {
  const fromSchema = op.body ? valueFor(ctx, op.body).map((v) => JSON.stringify(v) ?? 'null') : fc.constant(undefined);
  return fc.oneof(
    { weight: 7, arbitrary: fromSchema },
    { weight: 2, arbitrary: rawBody },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function withBodyHeaders(headers: Record<string, string>, body: string | undefined, type: string): Record<string, string> {
  return body === undefined ? headers : { 'content-type': type, ...headers };
}

const RANDOM_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'SEARCH', 'PURGE', 'LINK', 'UNLINK', 'M-SEARCH', 'QUERY', 'REPORT', 'MKCOL', 'FOO', 'get', 'BREW'];

/** Methods whose request may carry a body through undici. */
const noBody = (method: string) => method === 'HEAD' || method === 'GET' || method === 'TRACE';

export function requestArb(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const ops = ctx.ops;
  const op = fc.constantFrom(...ops);

  /** The operation as documented, with schema-derived (and so often wrong) query and body. */
  const schema = op.chain((o) => fc.record({
    path: pathFor(ctx, o, false), query: queryFor(ctx, o), body: o.method === 'GET' || o.method === 'DELETE' ? fc.constant(undefined) : bodyFor(ctx, o),
    auth: authArb(ctx), noise: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: headerNoise(ctx) }), type: contentType,
  }).map((r): FuzzRequest => ({ kind: 'schema', method: o.method, path: r.path + r.query, headers: withBodyHeaders({ ...r.auth, ...r.noise }, r.body, r.type), body: r.body })));

  /** Hostile path parameters. */
  const paths = op.filter((o) => o.pathParams.length > 0).chain((o) => fc.record({ path: pathFor(ctx, o, true), auth: authArb(ctx), body: o.body ? bodyFor(ctx, o) : fc.constant(undefined) })
    .map((r): FuzzRequest => ({ kind: 'path', method: o.method, path: r.path, headers: withBodyHeaders(r.auth, r.body, 'application/json'), body: r.body })));

  /** Lists with every kind of query, forged continuation tokens above all. */
  const lists = op.filter((o) => o.method === 'GET' && o.query.length > 0).chain((o) => fc.record({
    query: queryFor(ctx, o), ct: fc.option(tokenArb(ctx, o.path), { freq: 2 }), sort: fc.option(fc.constantFrom('asc', 'desc'), { freq: 2 }), auth: authArb(ctx),
  }).map((r): FuzzRequest => {
    const extra = [r.ct === null ? '' : `ct=${percentEncode(r.ct)}`, r.sort === null ? '' : `sort=${r.sort}`].filter(Boolean).join('&');
    const path = o.path + (r.query || (extra ? '?' : '')) + (extra ? `${r.query ? '&' : ''}${extra}` : '');
    return { kind: 'list', method: 'GET', path, headers: r.auth };
  }));

  /** Documented routes with garbage headers and content types. */
  const headers = op.chain((o) => fc.record({ path: pathFor(ctx, o, false), auth: authArb(ctx), noise: headerNoise(ctx), type: contentType, body: noBody(o.method) ? fc.constant(undefined) : bodyFor(ctx, o) })
    .map((r): FuzzRequest => ({ kind: 'headers', method: o.method, path: r.path, headers: withBodyHeaders({ ...r.auth, ...r.noise }, r.body, r.type), body: r.body })));

  /** Real paths with the wrong method. */
  const methods = op.chain((o) => fc.record({ path: pathFor(ctx, o, false), method: fc.constantFrom(...RANDOM_METHODS), auth: authArb(ctx), body: fc.option(rawBody, { freq: 3 }) })
    .map((r): FuzzRequest => {
      const body = r.body === null || noBody(r.method) ? undefined : r.body;
      return { kind: 'method', method: r.method, path: r.path, headers: withBodyHeaders(r.auth, body, 'application/json'), body };
    }));

  /** Paths that are not routes, or routes bent out of shape. */
  const random = fc.record({
    path: fc.oneof(
      fc.array(fc.oneof(nastyShortString.map(percentEncode), rawSegment, fc.constantFrom('v1', 'webhooks', 'endpoints', 'events', 'workspaces', 'event_types', 'realtime', 'retry', '')), { maxLength: 6 }).map((s) => `/${s.join('/')}`),
      op.map((o) => o.path.replace(/\{[^}]+\}/g, 'x') + '/extra'),
      op.map((o) => o.path.replace(/\{[^}]+\}/g, '') + '/'),
      op.map((o) => o.path.replace('/v1/', '//v1//')),
      op.map((o) => o.path.toUpperCase()),
      fc.constantFrom('/', '/v1', '/v1/', '/v2/events', '/docs/../v1/events', '/openapi.json?x=%zz', '/health/', '/ready?x=1', '/metrics', '/docs/json', '/%2e%2e/%2e%2e/etc/passwd', '/v1/realtime/events', '/v1/events?'),
      fc.integer({ min: 2_000, max: 20_000 }).map((n) => `/v1/events?x=${'a'.repeat(n)}`),
    ),
    method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
    auth: authArb(ctx),
    body: fc.option(rawBody, { freq: 2 }),
    type: contentType,
  }).map((r): FuzzRequest => {
    const body = r.body === null || noBody(r.method) ? undefined : r.body;
    return { kind: 'random', method: r.method, path: r.path, headers: withBodyHeaders(r.auth, body, r.type), body };
  });

  return fc.oneof(
    { weight: 40, arbitrary: schema },
    { weight: 10, arbitrary: paths },
    { weight: 15, arbitrary: lists },
    { weight: 15, arbitrary: headers },
    { weight: 8, arbitrary: methods },
    { weight: 12, arbitrary: random },
  );
}

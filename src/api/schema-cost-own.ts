/**
 * What one subschema's own keywords cost Ajv on one value, by the value's JSON type, in
 * nanoseconds measured on the reference machine (2 shared EPYC cores, Node 20; the figures and
 * how they were taken: docs/security.md "Event-type schemas"). They are worst cases: a
 * property looked up on objects of many shapes misses V8's caches (175–270 ns a lookup), and
 * the code Ajv generates for a wide schema may be too large for V8 to optimise (20–150 ns a
 * check, where an optimised one takes under 1 ns). schema-cost.ts adds up what subschemas apply.
 */
import { patternShape } from '../domain/regex-cost.js';
import { isObject } from './schema-graph.js';

export const NS = {
  /** A keyword's check, or a loop turn, in unoptimised generated code. */
  step: 100,
  /**
   * A property of the data read by name (`properties`, `required`, `dependencies`) on objects
   * of many shapes (175–270 ns: V8's caches miss), and on the one shape of `{}`.
   */
  lookup: 300,
  lookupEmpty: 10,
  /** A scalar of `enum`/`const` compared with the value (6 ns in Ajv's loop past 200 values). */
  scalar: 15,
  /** An object or array node compared by deep equality (`enum`, `const`, `uniqueItems`): 7 ns. */
  equalNode: 20,
  /** A character counted (maxLength: ucs2length), hashed (uniqueItems) or compared. */
  char: 3,
  /**
   * RE2 (re2js): a call (0.2–1.3 µs on short keys), a character read (`^[a-z]*$`: 50–170 ns),
   * and a character for each state of the automaton (`a[ab]{999}[c-z]`: 23–56 µs a character).
   */
  reCall: 600,
  reChar: 150,
  reState: 30,
};

/**
 * Nanoseconds a character for each format: the worst of several 256,000-character inputs,
 * about doubled (uri-template 503 ns, json-pointer 76, time 41, relative-json-pointer 38).
 */
const FORMAT_NS_PER_CHAR: Readonly<Record<string, number>> = {
  date: 10, time: 100, 'date-time': 50, 'iso-time': 50, 'iso-date-time': 50, duration: 10, uri: 30,
  'uri-reference': 20, 'uri-template': 1000, email: 20, hostname: 10, ipv4: 20, ipv6: 40, regex: 20,
  uuid: 10, 'json-pointer': 150, 'json-pointer-uri-fragment': 10, 'relative-json-pointer': 80, byte: 10,
  password: 3, binary: 3,
};
const FORMAT_NS_DEFAULT = 100;

/** A pattern's cost on a string: fixed when RE2 stops early (start-anchored, bounded), else per character. */
export function patternNs(pattern: string): { fixed: number; perChar: number } {
  const shape = patternShape(pattern);
  if (!shape) return { fixed: 0, perChar: 0 }; // refused elsewhere
  const perChar = NS.reChar + NS.reState * shape.states;
  return Number.isFinite(shape.reads) ? { fixed: NS.reCall + perChar * (shape.reads + 1), perChar: 0 } : { fixed: NS.reCall, perChar };
}

/** The JSON types the model tells apart: objects, arrays, strings, and the other scalars. */
export const TYPES = ['object', 'array', 'string', 'scalar'] as const;
export type JsonType = (typeof TYPES)[number];
export const T = { object: 0, array: 1, string: 2, scalar: 3 } as const;

/**
 * Bytes a value has of its own, not counting the values inside it: `{},` `[],` `"",` `0,`. An
 * object also owns its members' keys: `{"":}` and a separator when it has one.
 */
export const MIN_BYTES = [3, 3, 3, 2];
const KEY_BYTES = 3; // `"":`
const NON_EMPTY_OBJECT = MIN_BYTES[0]! + KEY_BYTES;
/** Keys are distinct: past the one empty key, `"a":` and longer. */
export const BYTES_PER_KEY = KEY_BYTES + 1;

/** Keywords Ajv checks whatever the value's type, before the type-specific ones. */
const UNTYPED = ['type', 'const', 'enum', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', '$ref'];
const BY_TYPE: Record<JsonType, string[]> = {
  object: ['maxProperties', 'minProperties', 'required', 'dependencies', 'properties', 'patternProperties', 'additionalProperties', 'propertyNames'],
  array: ['maxItems', 'minItems', 'uniqueItems', 'items', 'additionalItems', 'contains'],
  string: ['maxLength', 'minLength', 'pattern', 'format'],
  scalar: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
};
const KEYWORDS = [...UNTYPED, ...Object.values(BY_TYPE).flat()];
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);

/** The types a schema's `type` admits (all when it has none); Ajv fails any other at once. */
export function typesOf(s: Record<string, unknown>): Set<JsonType> {
  const declared = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : undefined;
  if (!declared) return new Set(TYPES);
  return new Set(declared.map((t) => (t === 'object' || t === 'array' || t === 'string' ? t : 'scalar')));
}

/** Ajv hashes items in linear time only when `items` itself declares scalar types. */
export function scalarItems(items: unknown): boolean {
  if (!isObject(items)) return false;
  const types = typeof items.type === 'string' ? [items.type] : Array.isArray(items.type) ? items.type : [];
  return types.length > 0 && types.every((t) => SCALAR_TYPES.has(t as string));
}

function valueNs(v: unknown): number {
  if (typeof v === 'string') return NS.scalar + NS.char * v.length;
  if (Array.isArray(v)) return NS.equalNode + v.reduce((s: number, x) => s + valueNs(x), 0);
  if (isObject(v)) return NS.equalNode + Object.values(v).reduce((s: number, x) => s + valueNs(x), 0);
  return NS.scalar;
}

/**
 * What a subschema's own keywords cost on one value of one type: `once` on a value that has at
 * least `ownBytes` of its own; the rest as rates per byte of the value's own bytes (an object's
 * keys) or of the values inside it.
 */
export interface Own {
  /** False when the schema is `false` or its `type` refuses the value: nothing below it runs. */
  admits: boolean;
  once: number;
  ownBytes: number;
  /** Per own byte, for values `once` does not cover: `{}` (one shape: cheap lookups), and an object missing a required member (Ajv stops there). */
  ownRate: number;
  /** An object's keys tested against patterns and names: per key, and per byte of the key. */
  perKey: number;
  perKeyByte: number;
  /** A string's reading (pattern, format) per character, and its cost once maxLength bounds it (else Infinity). */
  readPerChar: number;
  readCap: number;
  /** An array's loop turns and uniqueItems calls, per item. */
  perItem: number;
  /** uniqueItems's comparisons, per byte of the whole array. */
  perArrayByte: number;
  /** maxItems or maxProperties: Ajv fails a larger array or object before it loops over it. */
  most: number;
}

export function ownCost(s: unknown, t: JsonType): Own {
  const own: Own = { admits: false, once: 0, ownBytes: MIN_BYTES[T[t]]!, ownRate: 0, perKey: 0, perKeyByte: 0, readPerChar: 0, readCap: Infinity, perItem: 0, perArrayByte: 0, most: Infinity };
  if (!isObject(s)) {
    own.once = s === false ? NS.step : 0;
    return own;
  }
  if (!typesOf(s).has(t)) {
    own.once = NS.step;
    return own;
  }
  own.admits = true;
  const most = t === 'array' ? s.maxItems : t === 'object' ? s.maxProperties : undefined;
  if (typeof most === 'number' && most >= 0) own.most = most;
  const count = (keywords: string[]) => keywords.filter((k) => s[k] !== undefined).length;
  let untyped = NS.step * (1 + count(UNTYPED));
  if (Array.isArray(s.enum)) untyped += s.enum.reduce((sum: number, v) => sum + valueNs(v), 0);
  if (s.const !== undefined) untyped += valueNs(s.const);
  own.once = untyped + NS.step * count(BY_TYPE[t]);
  if (t === 'object') objectCost(s, own);
  if (t === 'array') arrayCost(s, own);
  if (t === 'string') stringCost(s, own);
  return own;
}

function objectCost(s: Record<string, unknown>, own: Own): void {
  const required = Array.isArray(s.required) ? s.required.filter((k): k is string => typeof k === 'string') : [];
  let lookups = required.length + (isObject(s.properties) ? Object.keys(s.properties).length : 0);
  if (isObject(s.dependencies)) {
    for (const dep of Object.values(s.dependencies)) lookups += 1 + (Array.isArray(dep) ? dep.length : 0);
  }
  const before = own.once;
  // `{}` has one shape, which keeps V8's lookups cheap; any other object pays full price, and
  // one that has every required member owns their keys.
  const empty = before + NS.lookupEmpty * lookups;
  own.once = before + NS.lookup * lookups;
  own.ownBytes = Math.max(NON_EMPTY_OBJECT, MIN_BYTES[T.object]! + required.reduce((sum, k) => sum + Buffer.byteLength(k) + KEY_BYTES, 0));
  // Ajv stops at the first required member missing: j present (and owned) before it, j+1 lookups.
  let small = 0;
  let owned = NON_EMPTY_OBJECT;
  required.forEach((k, j) => {
    small = Math.max(small, (before + NS.lookup * (j + 1)) / owned);
    owned += Buffer.byteLength(k) + KEY_BYTES;
  });
  // Every key is tested against each pattern, and again by additionalProperties.
  const patterns = isObject(s.patternProperties) ? Object.keys(s.patternProperties).map(patternNs) : [];
  const additional = s.additionalProperties;
  const checksAdditional = additional === false || (isObject(additional) && Object.keys(additional).length > 0);
  const passes = patterns.length > 0 ? (checksAdditional ? 2 : 1) : 0;
  own.perKey = passes * patterns.reduce((sum, p) => sum + NS.step + p.fixed, 0);
  own.perKeyByte = passes * patterns.reduce((sum, p) => sum + p.perChar, 0);
  const names = isObject(s.properties) ? Object.keys(s.properties).length : 0;
  if (checksAdditional) own.perKey += NS.step * (names > 8 ? 2 : 1 + names);
  own.perKey += NS.step * ['maxProperties', 'minProperties', 'propertyNames'].filter((k) => s[k] !== undefined).length;
  own.ownRate = Math.max(empty / MIN_BYTES[T.object]!, small);
}

function arrayCost(s: Record<string, unknown>, own: Own): void {
  own.perItem = NS.step * ['items', 'additionalItems', 'contains'].filter((k) => s[k] !== undefined).length;
  if (s.uniqueItems !== true) return;
  if (scalarItems(s.items)) {
    own.perItem += 2 * NS.step;
    own.perArrayByte += NS.char;
    return;
  }
  // Ajv fails maxItems first, so n ≤ m items, n(n−1)/2 pairs; a pair costs a call and the
  // nodes of the smaller item (≤ its bytes / 2): per item (m−1)/2 calls, per byte (m−1)/4 nodes.
  const m = typeof s.maxItems === 'number' ? Math.max(1, s.maxItems) : Number.MAX_SAFE_INTEGER;
  own.perItem += NS.scalar * (m - 1) / 2;
  own.perArrayByte += NS.equalNode * (m - 1) / 4;
}

function stringCost(s: Record<string, unknown>, own: Own): void {
  let perChar = s.maxLength !== undefined || s.minLength !== undefined ? NS.char : 0;
  if (typeof s.pattern === 'string') {
    const p = patternNs(s.pattern);
    own.once += p.fixed;
    perChar += p.perChar;
  }
  if (typeof s.format === 'string') perChar += Object.hasOwn(FORMAT_NS_PER_CHAR, s.format) ? FORMAT_NS_PER_CHAR[s.format]! : FORMAT_NS_DEFAULT;
  own.readPerChar = perChar;
  // maxLength counts code points (up to two UTF-16 units each) and fails before pattern and format read on.
  if (typeof s.maxLength === 'number' && Number.isFinite(s.maxLength)) own.readCap = 2 * Math.max(0, s.maxLength) * perChar;
}

/** Ajv's code nests one block per keyword, property, branch and tuple position. */
export function widthOf(s: unknown): number {
  if (!isObject(s)) return 1;
  let w = 0;
  for (const k of KEYWORDS) if (s[k] !== undefined) w++;
  for (const k of ['properties', 'patternProperties', 'dependencies']) if (isObject(s[k])) w += Object.keys(s[k]).length;
  for (const k of ['allOf', 'anyOf', 'oneOf', 'items']) if (Array.isArray(s[k])) w += (s[k] as unknown[]).length;
  return w;
}

/** Ajv inlines a `$ref`'s target unless it holds a `$ref` itself (anywhere, as Ajv looks). */
export function hasRef(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasRef);
  if (!isObject(v)) return false;
  return Object.keys(v).some((k) => k === '$ref' || k === '$recursiveRef' || k === '$dynamicRef' || hasRef(v[k]));
}

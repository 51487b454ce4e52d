/**
 * Payload filters (docs/delivery.md, "Filters"): a JSON filter over an event's `type`,
 * `data.object` and `data.previous`, checked once when an endpoint is written and evaluated at
 * fan-out in bounded time, without regular expressions.
 *
 * Evaluation walks the filter, never the event: each filter key descends one step into the
 * event, and deep equality stops at the operand's own depth. So a filter that passed
 * filterProblems() costs at most its node count (FILTER_LIMITS) times the length of the event
 * arrays `$in` looks into.
 */
import type { FieldErrorList } from './errors.js';
import type { EventFilter } from './types.js';

/** The bounds docs/delivery.md ("Filters") documents; each is checked at creation. */
export const FILTER_LIMITS = {
  /** Nesting of objects and arrays, the filter itself being 1. */
  depth: 12,
  /** Every JSON value in the filter: objects, arrays and scalars (keys are not counted). */
  nodes: 256,
  /** Bytes of the filter as compact JSON (UTF-8). */
  bytes: 8192,
  /** Items of one `$and`, `$or`, `$in` or `$nin`. */
  fanIn: 64,
  /** Characters of one string in the filter, operands and property names alike. */
  string: 1024,
} as const;

/** A problem inside a filter: `path` names where, from the filter's root (`data.object.amount.$gte`). */
export interface FilterProblem {
  path: string;
  message: string;
}

/** The part of an event a filter sees. */
export interface FilteredEvent {
  type: string;
  data: { object: unknown; previous?: unknown };
}

const LOGICAL = new Set(['$and', '$or', '$not']);
const COMPARISONS = new Set(['$gt', '$gte', '$lt', '$lte']);
const OPERATORS = new Set(['$eq', '$neq', '$in', '$nin', '$exist', '$startsWith', ...COMPARISONS, ...LOGICAL]);
/** Where a filter object sits decides which property names it may use: only these parts of an event are visible. */
type Level = 'root' | 'data' | 'field';
const NAMES: Record<Exclude<Level, 'field'>, readonly string[]> = { root: ['type', 'data'], data: ['object', 'previous'] };
const BELOW: Record<Level, Level> = { root: 'data', data: 'field', field: 'field' };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

/** Every problem of a filter as the API received it; empty when it may be stored. */
export function filterProblems(filter: unknown): FilterProblem[] {
  if (!isObject(filter)) return [{ path: '', message: 'must be a JSON object' }];
  const bytes = new TextEncoder().encode(JSON.stringify(filter)).length;
  if (bytes > FILTER_LIMITS.bytes) return [{ path: '', message: `must be at most ${FILTER_LIMITS.bytes} bytes as JSON; this one is ${bytes}` }];
  const size = measure(filter);
  const problems: FilterProblem[] = [];
  if (size.nodes > FILTER_LIMITS.nodes) problems.push({ path: '', message: `must have at most ${FILTER_LIMITS.nodes} values; this one has ${size.nodes}` });
  if (size.deepest !== null) problems.push({ path: size.deepest, message: `is nested too deeply: a filter is at most ${FILTER_LIMITS.depth} objects and arrays deep` });
  // Past a bound, the shape's own messages would be noise about a filter that must shrink anyway.
  if (problems.length > 0) return problems;
  checkFilter(filter, '', 'root', problems);
  return problems;
}

/** Adds every problem of `filter` to `errors`, each under `field` and its path inside the filter (`filter.data.object.amount.$gte`). */
export function addFilterProblems(filter: unknown, errors: FieldErrorList, field = 'filter'): void {
  for (const p of filterProblems(filter)) errors.add(p.path === '' ? field : `${field}.${p.path}`, p.message);
}

/** Values counted and the first path nested past the depth bound; the JSON byte bound keeps this walk small. */
function measure(filter: unknown): { nodes: number; deepest: string | null } {
  let nodes = 0;
  let deepest: string | null = null;
  const walk = (value: unknown, path: string, depth: number): void => {
    nodes += 1;
    if (value === null || typeof value !== 'object') return;
    if (depth > FILTER_LIMITS.depth) {
      deepest ??= path;
      return;
    }
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, join(path, i), depth + 1));
    else for (const [key, item] of Object.entries(value)) walk(item, join(path, key), depth + 1);
  };
  walk(filter, '', 1);
  return { nodes, deepest };
}

/** A filter object: operators on the value at `path`, and conditions on the properties below it. */
function checkFilter(filter: Record<string, unknown>, path: string, level: Level, problems: FilterProblem[]): void {
  const keys = Object.keys(filter);
  if (keys.length === 0) problems.push({ path, message: 'must have at least one condition (remove the filter with null)' });
  for (const key of keys) {
    const at = join(path, key);
    const operand = filter[key];
    if (key.length > FILTER_LIMITS.string) problems.push({ path, message: `property names must be at most ${FILTER_LIMITS.string} characters` });
    else if (key.startsWith('$')) checkOperator(key, operand, at, level, problems);
    else if (level !== 'field' && !NAMES[level].includes(key)) {
      problems.push({ path: at, message: `is not visible to a filter; use ${NAMES[level].map((n) => `\`${n}\``).join(' or ')}, or $and, $or, $not` });
    } else checkCondition(operand, at, BELOW[level], problems);
  }
}

/** The value of a property name: a literal (deep equality) or a filter object. */
function checkCondition(condition: unknown, path: string, level: Level, problems: FilterProblem[]): void {
  if (isObject(condition)) checkFilter(condition, path, level, problems);
  else checkLiteral(condition, path, problems);
}

function checkLiteral(value: unknown, path: string, problems: FilterProblem[]): void {
  if (typeof value === 'string') {
    if (value.length > FILTER_LIMITS.string) problems.push({ path, message: `must be at most ${FILTER_LIMITS.string} characters` });
  } else if (Array.isArray(value)) value.forEach((item, i) => checkLiteral(item, join(path, i), problems));
  else if (isObject(value)) for (const [key, item] of Object.entries(value)) checkLiteral(item, join(path, key), problems);
}

function checkOperator(op: string, operand: unknown, path: string, level: Level, problems: FilterProblem[]): void {
  const problem = (message: string) => problems.push({ path, message });
  if (!OPERATORS.has(op)) return void problem(`is not an operator; the operators are ${[...OPERATORS].join(', ')}`);
  if (level === 'root' && !LOGICAL.has(op)) return void problem('compares a value, and the event itself is not one: put it under `type` or `data`');
  if (op === '$and' || op === '$or') {
    if (!Array.isArray(operand) || operand.length === 0) return void problem('must be a non-empty array of filters');
    if (operand.length > FILTER_LIMITS.fanIn) return void problem(`must have at most ${FILTER_LIMITS.fanIn} filters`);
    operand.forEach((item, i) => {
      if (isObject(item)) checkFilter(item, join(path, i), level, problems);
      else problems.push({ path: join(path, i), message: 'must be a filter (a JSON object)' });
    });
  } else if (op === '$not') {
    if (isObject(operand)) checkFilter(operand, path, level, problems);
    else problem('must be a filter (a JSON object)');
  } else if (op === '$in' || op === '$nin') {
    if (!Array.isArray(operand) || operand.length === 0) return void problem('must be a non-empty array of values');
    if (operand.length > FILTER_LIMITS.fanIn) return void problem(`must have at most ${FILTER_LIMITS.fanIn} values`);
    checkLiteral(operand, path, problems);
  } else if (COMPARISONS.has(op)) {
    if (typeof operand !== 'number' && typeof operand !== 'string') problem('must be a number or a string');
    else checkLiteral(operand, path, problems);
  } else if (op === '$exist') {
    if (typeof operand !== 'boolean') problem('must be true or false');
  } else if (op === '$startsWith') {
    if (typeof operand !== 'string') problem('must be a string');
    else checkLiteral(operand, path, problems);
  } else checkLiteral(operand, path, problems);
}

/** The value at a path that is not there: distinct from a present `null`. */
const MISSING = Symbol('missing');

/** Whether the event matches; `filter` has passed filterProblems(). */
export function filterMatches(filter: EventFilter, event: FilteredEvent): boolean {
  return matchFilter(filter, event);
}

function matchFilter(filter: Record<string, unknown>, value: unknown): boolean {
  for (const key in filter) if (!matchKey(key, filter[key], value)) return false;
  return true;
}

function matchKey(key: string, operand: unknown, value: unknown): boolean {
  switch (key) {
    case '$eq': return value !== MISSING && deepEqual(operand, value);
    case '$neq': return value === MISSING || !deepEqual(operand, value);
    case '$in': return value !== MISSING && isIn(value, operand as unknown[]);
    case '$nin': return value === MISSING || !isIn(value, operand as unknown[]);
    case '$gt': return ordered(value, operand, (a, b) => a > b);
    case '$gte': return ordered(value, operand, (a, b) => a >= b);
    case '$lt': return ordered(value, operand, (a, b) => a < b);
    case '$lte': return ordered(value, operand, (a, b) => a <= b);
    case '$exist': return (value !== MISSING) === operand;
    case '$startsWith': return typeof value === 'string' && value.startsWith(operand as string);
    case '$and': return (operand as Record<string, unknown>[]).every((f) => matchFilter(f, value));
    case '$or': return (operand as Record<string, unknown>[]).some((f) => matchFilter(f, value));
    case '$not': return !matchFilter(operand as Record<string, unknown>, value);
    default: {
      const below = child(value, key);
      return isObject(operand) ? matchFilter(operand, below) : below !== MISSING && deepEqual(operand, below);
    }
  }
}

/** One step down: a property of an object, or an element of an array by a canonical index ("0", "12"). */
function child(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return isIndex(key) && Number(key) < value.length ? value[Number(key)] : MISSING;
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : MISSING;
}

function isIndex(key: string): boolean {
  if (key.length === 0 || key.length > 9) return false;
  for (let i = 0; i < key.length; i += 1) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return key === '0' || key[0] !== '0';
}

/** Same type only: numbers by value, strings by UTF-16 code units; anything else never matches. */
function ordered(value: unknown, operand: unknown, compare: (a: number | string, b: number | string) => boolean): boolean {
  if (typeof value !== typeof operand || (typeof value !== 'number' && typeof value !== 'string')) return false;
  return compare(value, operand as number | string);
}

/** The value equals an item, or, being an array, has an element that does. */
function isIn(value: unknown, items: unknown[]): boolean {
  if (items.some((item) => deepEqual(item, value))) return true;
  return Array.isArray(value) && value.some((element) => items.some((item) => deepEqual(item, element)));
}

/** JSON equality: objects by their keys whatever the order, arrays element by element; recursion follows `a`, the filter's side. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === null || typeof a !== 'object') return a === b;
  if (b === null || typeof b !== 'object') return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

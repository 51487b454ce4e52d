/**
 * Where the subschemas of an event-type schema are and how each is applied to the data: to the
 * same value (`allOf`, `$ref`…), to one named member (`properties`), to every member or item
 * (`additionalProperties`, `items`…). catalog-schema-checks.ts walks every subschema with it;
 * schema-cost.ts follows only what hookd's Ajv evaluates, `$ref`s included.
 *
 * hookd's Ajv is the draft-07 one: `dependentSchemas`, `prefixItems`, `unevaluatedItems`,
 * `unevaluatedProperties` and `minContains`/`maxContains` are not keywords to it and cost
 * nothing at validation (they are walked for their patterns all the same: receivers may read
 * the published schema with a newer draft).
 */

/**
 * How a subschema meets the data: `same` value; one `property` or `tuple` position; every
 * `member` of an object or `item` of an array; the object's `keys` (propertyNames); `none`
 * (definitions, reached only through `$ref`).
 */
export type EdgeKind = 'same' | 'property' | 'tuple' | 'member' | 'item' | 'keys' | 'none';

interface Applicator {
  kind: EdgeKind;
  /** Evaluated by hookd's Ajv (draft-07). */
  evaluated: boolean;
}

const ONE: Record<string, Applicator> = {
  not: { kind: 'same', evaluated: true },
  if: { kind: 'same', evaluated: true },
  then: { kind: 'same', evaluated: true },
  else: { kind: 'same', evaluated: true },
  items: { kind: 'item', evaluated: true },
  additionalItems: { kind: 'item', evaluated: true },
  contains: { kind: 'item', evaluated: true },
  additionalProperties: { kind: 'member', evaluated: true },
  propertyNames: { kind: 'keys', evaluated: true },
  unevaluatedItems: { kind: 'item', evaluated: false },
  unevaluatedProperties: { kind: 'member', evaluated: false },
};
const LIST: Record<string, Applicator> = {
  allOf: { kind: 'same', evaluated: true },
  anyOf: { kind: 'same', evaluated: true },
  oneOf: { kind: 'same', evaluated: true },
  items: { kind: 'tuple', evaluated: true },
  prefixItems: { kind: 'tuple', evaluated: false },
};
const MAP: Record<string, Applicator> = {
  properties: { kind: 'property', evaluated: true },
  patternProperties: { kind: 'member', evaluated: true },
  dependencies: { kind: 'same', evaluated: true },
  definitions: { kind: 'none', evaluated: true },
  $defs: { kind: 'none', evaluated: true },
  dependentSchemas: { kind: 'same', evaluated: false },
};

export interface Edge {
  keyword: string;
  /** Field path of the subschema, `schema.properties.tags`. */
  path: string;
  target: unknown;
  kind: EdgeKind;
  /** The member name (`properties`, `patternProperties`: the pattern) or tuple position. */
  key?: string;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSchema = (v: unknown) => isObject(v) || typeof v === 'boolean';

/**
 * Every subschema of `node`, with how it is applied; `evaluatedOnly` leaves out what hookd's Ajv
 * ignores (newer drafts' keywords, `then`/`else` without `if`, `additionalItems` without an
 * `items` list). `$ref` is not an edge here: see resolveRef.
 */
export function subschemas(node: Record<string, unknown>, path: string, evaluatedOnly = false): Edge[] {
  const edges: Edge[] = [];
  const ignored = (keyword: string, a: Applicator) => evaluatedOnly && (!a.evaluated
    || ((keyword === 'then' || keyword === 'else') && node.if === undefined)
    || (keyword === 'additionalItems' && !Array.isArray(node.items)));
  for (const [keyword, a] of Object.entries(ONE)) {
    if (isSchema(node[keyword]) && !ignored(keyword, a)) edges.push({ keyword, path: `${path}.${keyword}`, target: node[keyword], kind: a.kind });
  }
  for (const [keyword, a] of Object.entries(LIST)) {
    const list = node[keyword];
    if (!Array.isArray(list) || ignored(keyword, a)) continue;
    list.forEach((target, i) => {
      if (isSchema(target)) edges.push({ keyword, path: `${path}.${keyword}.${i}`, target, kind: a.kind, key: String(i) });
    });
  }
  for (const [keyword, a] of Object.entries(MAP)) {
    const map = node[keyword];
    if (!isObject(map) || ignored(keyword, a)) continue;
    for (const [key, target] of Object.entries(map)) {
      if (isSchema(target)) edges.push({ keyword, path: `${path}.${keyword}.${key}`, target, kind: a.kind, key });
    }
  }
  return edges;
}

export type Resolved = { target: unknown; path: string } | { problem: string };

/** The `$id` of the root without its empty fragment, when it is an absolute URL refs may name. */
function rootBase(root: Record<string, unknown>): URL | undefined {
  if (typeof root.$id !== 'string') return undefined;
  try {
    return new URL(root.$id.replace(/#$/, ''));
  } catch {
    return undefined;
  }
}

/**
 * The subschema a `$ref` names, resolved as Ajv resolves it for a schema whose only `$id` is at
 * its root (a nested `$id` moves the base of the refs below it; nestedIdProblem refuses it):
 * a JSON pointer into this document, spelled `#/…` or as the root's own `$id` followed by one.
 */
export function resolveRef(root: Record<string, unknown>, ref: string): Resolved {
  let fragment: string | undefined;
  if (ref.startsWith('#')) fragment = ref.slice(1);
  else {
    const base = rootBase(root);
    try {
      const url = base ? new URL(ref, base) : undefined;
      if (url && url.href.replace(/#.*$/, '') === base!.href) fragment = decodeURIComponent(url.hash.slice(1));
    } catch {
      // not a URL: refused below
    }
  }
  if (fragment === undefined) return { problem: 'must point into this schema (`#/definitions/…`); hookd does not fetch or resolve other documents' };
  if (fragment !== '' && !fragment.startsWith('/')) return { problem: 'must be a JSON pointer (`#/definitions/…`); plain-name fragments are not resolved' };
  let node: unknown = root;
  let path = 'schema';
  for (const raw of fragment === '' ? [] : fragment.slice(1).split('/')) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return { problem: 'is not a valid JSON pointer' };
    }
    const next: unknown = Array.isArray(node) ? node[Number(part)] : isObject(node) && Object.hasOwn(node, part) ? node[part] : undefined;
    if (next === undefined) return { problem: `points at nothing in this schema (no '${part}' at ${path})` };
    node = next;
    path = `${path}.${part}`;
    const problem = nestedIdProblem(node);
    if (problem) return { problem: `passes through ${path}, whose $id ${problem}` };
  }
  return { target: node, path };
}

/** A `$id` below the root: it would change what the `$ref`s under it resolve to. */
export function nestedIdProblem(node: unknown): string | undefined {
  return isObject(node) && typeof node.$id === 'string'
    ? 'is not accepted below the root: hookd resolves every $ref against the root document'
    : undefined;
}

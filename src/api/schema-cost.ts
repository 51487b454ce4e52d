/**
 * What validating one event against a schema may cost, computed from the schema alone, and what
 * to refuse at registration, each naming its field (docs/security.md "Event-type schemas
 * (validation cost)"): an unbounded `uniqueItems`, `$ref`s that leave the document or loop on
 * one value, code nested too deep for V8's parser, and a schema whose worst 256 KiB event
 * could take Ajv longer than VALIDATION_BUDGET_NS. The subschemas are gathered here, `$ref`s
 * followed; what each keyword costs is schema-cost-own.ts's, the bound schema-cost-bounds.ts's.
 */
import { FieldErrorList } from '../domain/errors.js';
import { bounds, culprit, rootNs, VALIDATION_BUDGET_NS, type Node } from './schema-cost-bounds.js';
import { hasRef, ownCost, scalarItems, TYPES, widthOf } from './schema-cost-own.js';
import { isObject, nestedIdProblem, resolveRef, subschemas } from './schema-graph.js';

export { DATA_DEPTH, REFERENCE_EVENT_BYTES, VALIDATION_BUDGET_NS } from './schema-cost-bounds.js';

/**
 * Ajv nests the code of each keyword, property and branch inside the previous one's success
 * test; about 1,500 blocks deep, V8's parser runs out of stack (a 500 on publish when that
 * happens at the first call). 300 leaves the margin.
 */
export const MAX_NESTING = 300;
/** uniqueItems compares every pair of items unless they are declared scalars. */
export const UNIQUE_ITEMS_MAX = 64;

export interface SchemaCost {
  /** Estimated worst-case nanoseconds for a REFERENCE_EVENT_BYTES event; Infinity when unbounded. */
  ns: number;
  errors: FieldErrorList;
}

const uniqueItemsProblem = `needs maxItems of at most ${UNIQUE_ITEMS_MAX}, or \`items\` declaring a scalar \`type\` (string, number, integer, boolean, null): otherwise Ajv compares every pair of items, a cost that grows with the square of their number (30,000 one-element arrays: 10 s)`;

/** Every subschema Ajv evaluates, reached from the root through applicators and `$ref`s. */
function collect(root: Record<string, unknown>, errors: FieldErrorList): Node[] {
  const nodes: Node[] = [];
  const ids = new Map<unknown, number>();
  const add = (schema: unknown, path: string): number => {
    const known = isObject(schema) ? ids.get(schema) : undefined;
    if (known !== undefined) return known;
    nodes.push({ path, schema, own: TYPES.map((t) => ownCost(schema, t)), width: widthOf(schema), edges: [] });
    if (isObject(schema)) ids.set(schema, nodes.length - 1);
    return nodes.length - 1;
  };
  add(root, 'schema');
  for (let i = 0; i < nodes.length; i++) {
    const { schema, path, edges } = nodes[i]!;
    if (!isObject(schema)) continue;
    const idProblem = i > 0 ? nestedIdProblem(schema) : undefined;
    if (idProblem) errors.add(`${path}.$id`, idProblem);
    if (schema.uniqueItems === true && !scalarItems(schema.items) && !(typeof schema.maxItems === 'number' && schema.maxItems <= UNIQUE_ITEMS_MAX)) {
      errors.add(`${path}.uniqueItems`, uniqueItemsProblem);
    }
    if (typeof schema.$ref === 'string') {
      const resolved = resolveRef(root, schema.$ref);
      if ('problem' in resolved) errors.add(`${path}.$ref`, resolved.problem);
      else edges.push({ kind: 'ref', to: add(resolved.target, resolved.path), path: `${path}.$ref`, keyword: '$ref' });
    }
    for (const e of subschemas(schema, path, true)) {
      if (e.kind !== 'none') edges.push({ kind: e.kind, to: add(e.target, e.path), path: e.path, keyword: e.keyword });
    }
  }
  return nodes;
}

/**
 * The subschemas in an order where those applied to the same value (`allOf`, `$ref`…) come
 * before the one applying them; undefined, and each `$ref` closing a loop named, when Ajv would
 * recurse on one value forever.
 */
function sameValueOrder(nodes: Node[], errors: FieldErrorList): number[] | undefined {
  const state = new Uint8Array(nodes.length); // 0 new, 1 on the walk's path, 2 done
  const order: number[] = [];
  let looped = false;
  for (let start = 0; start < nodes.length; start++) {
    if (state[start]) continue;
    // Iterative: a chain of `$ref`s may be as long as the schema.
    const stack: Array<[node: number, next: number]> = [[start, 0]];
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = nodes[top[0]]!.edges;
      if (top[1] >= edges.length) {
        state[top[0]] = 2;
        order.push(top[0]);
        stack.pop();
        continue;
      }
      const e = edges[top[1]++]!;
      if (e.kind !== 'same' && e.kind !== 'ref') continue;
      if (state[e.to] === 1) {
        looped = true;
        errors.add(e.path, 'leads back to a schema applied to the same value without descending into the data: Ajv would recurse until the stack overflows');
      } else if (state[e.to] === 0) {
        state[e.to] = 1;
        stack.push([e.to, 0]);
      }
    }
  }
  return looped ? undefined : order;
}

/** The deepest nesting of Ajv's code under each subschema; a `$ref` Ajv does not inline starts a function of its own. */
function nesting(nodes: Node[], inlined: boolean[]): number[] {
  const memo = new Array<number>(nodes.length).fill(-1);
  const visit = (i: number): number => {
    if (memo[i]! >= 0) return memo[i]!;
    memo[i] = 0; // tree edges and ref-free (inlined) targets cannot loop
    let deepest = 0;
    for (const e of nodes[i]!.edges) if (e.kind !== 'ref' || inlined[e.to]) deepest = Math.max(deepest, visit(e.to));
    return (memo[i] = nodes[i]!.width + deepest);
  };
  return nodes.map((_, i) => visit(i));
}

/**
 * What validating an event against the schema may cost, and what to refuse: an unbounded
 * `uniqueItems`, `$ref`s that leave the document or loop on one value, a nested `$id`, code
 * nested deeper than MAX_NESTING, and a bound over VALIDATION_BUDGET_NS.
 */
export function schemaCost(root: Record<string, unknown>): SchemaCost {
  const errors = new FieldErrorList();
  const nodes = collect(root, errors);
  const order = sameValueOrder(nodes, errors);
  if (!order) return { ns: Infinity, errors };
  const inlined = nodes.map((n) => !hasRef(n.schema));
  const depth = nesting(nodes, inlined);
  const functions = new Set([0, ...nodes.flatMap((n) => n.edges.filter((e) => e.kind === 'ref' && !inlined[e.to]).map((e) => e.to))]);
  for (const i of functions) {
    if (depth[i]! > MAX_NESTING) {
      errors.add(nodes[i]!.path, `nests ${depth[i]} keywords, properties and branches along one path (at most ${MAX_NESTING}): Ajv nests a block of code for each, and too deep a nesting overflows the JavaScript parser's stack`);
    }
  }
  const levels = bounds(nodes, order);
  const ns = rootNs(levels);
  if (ns > VALIDATION_BUDGET_NS && errors.empty) errors.add(...culprit(nodes, levels, ns));
  return { ns, errors };
}

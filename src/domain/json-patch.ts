/**
 * JSON Patch (RFC 6902) applied to a JSON document: add, remove, replace, move, copy and test,
 * with JSON Pointers (RFC 6901). Pure: the document is copied, and the copy is answered only
 * when every operation applied, so a failed patch changes nothing (RFC 6902 §5).
 *
 * One reading differs from the RFC, on purpose: an `add`, `replace` or `test` without `value`
 * means `value: null`. Falu's .NET SDK (System.Text.Json with WhenWritingNull) and Java SDK
 * (Gson) leave `value` out when it is null, which is how their users clear a field, and Falu's
 * server reads them so (docs/api.md, "Using Falu's SDKs").
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonPatchOp = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
const OPS: readonly string[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

/** Why a patch did not apply: `index` is the operation's position, `member` the member at fault. */
export class JsonPatchError extends Error {
  constructor(
    readonly kind: 'invalid' | 'unresolvable' | 'test_failed',
    readonly index: number,
    readonly member: 'op' | 'path' | 'from' | 'value' | null,
    message: string,
  ) {
    super(message);
  }
}

/** The operations of a patch document, checked for shape (not yet against a document). */
export interface Operation { op: JsonPatchOp; path: string[]; from?: string[]; value: JsonValue }

const isObject = (v: unknown): v is Record<string, JsonValue> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6901: `/a/b~1c` → ['a', 'b/c']; null when the text is not a pointer. */
export function parsePointer(text: string): string[] | null {
  if (text === '') return [];
  if (!text.startsWith('/')) return null;
  const tokens = text.slice(1).split('/');
  // `~` must be followed by 0 or 1; anything else is not a pointer (RFC 6901 §3).
  if (tokens.some((t) => /~(?![01])/.test(t))) return null;
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Reads the operations of a patch document; throws JsonPatchError('invalid') on the first malformed one. */
export function readOperations(body: unknown): Operation[] {
  if (!Array.isArray(body)) throw new JsonPatchError('invalid', -1, null, 'must be an array of operations (RFC 6902)');
  return body.map((raw: unknown, index): Operation => {
    if (!isObject(raw)) throw new JsonPatchError('invalid', index, null, 'must be an object with op and path');
    const op = raw.op;
    if (typeof op !== 'string' || !OPS.includes(op)) throw new JsonPatchError('invalid', index, 'op', `must be one of: ${OPS.join(', ')}`);
    if (typeof raw.path !== 'string') throw new JsonPatchError('invalid', index, 'path', 'is required, a JSON Pointer such as /description');
    const path = parsePointer(raw.path);
    if (path === null) throw new JsonPatchError('invalid', index, 'path', 'must be a JSON Pointer: empty, or starting with /');
    let from: string[] | undefined;
    if (op === 'move' || op === 'copy') {
      if (typeof raw.from !== 'string') throw new JsonPatchError('invalid', index, 'from', `is required for ${op}, a JSON Pointer`);
      const parsed = parsePointer(raw.from);
      if (parsed === null) throw new JsonPatchError('invalid', index, 'from', 'must be a JSON Pointer: empty, or starting with /');
      from = parsed;
    }
    // Members an operation does not define are ignored (RFC 6902 §4): `value` on remove, say.
    return { op: op as JsonPatchOp, path, from, value: (raw.value ?? null) as JsonValue };
  });
}

/** JSON equality (RFC 6902 §4.6): object members in any order, arrays in order. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k]!, b[k]!));
  }
  return false;
}

const clone = (v: JsonValue): JsonValue => structuredClone(v);

/** An array index token: digits without a leading zero (RFC 6901 §4), within `max`. */
function arrayIndex(token: string, max: number): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return null;
  const n = Number(token);
  return n <= max ? n : null;
}

/** Sets a member without reaching Object.prototype (a member named `__proto__` is a member). */
function setMember(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function describe(path: string[]): string {
  return path.length === 0 ? 'the document' : `/${path.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** The container holding `path`'s last token, or a JsonPatchError naming `member`. */
function parentOf(doc: JsonValue, path: string[], index: number, member: 'path' | 'from'): JsonValue {
  let node = doc;
  for (const token of path.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = arrayIndex(token, node.length - 1);
      if (i === null) throw new JsonPatchError('unresolvable', index, member, `${describe(path)} does not exist`);
      node = node[i]!;
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token]!;
    } else {
      throw new JsonPatchError('unresolvable', index, member, `${describe(path)} does not exist`);
    }
  }
  return node;
}

function get(doc: JsonValue, path: string[], index: number, member: 'path' | 'from'): JsonValue {
  if (path.length === 0) return doc;
  const parent = parentOf(doc, path, index, member);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length - 1);
    if (i !== null) return parent[i]!;
  } else if (isObject(parent) && Object.hasOwn(parent, last)) {
    return parent[last]!;
  }
  throw new JsonPatchError('unresolvable', index, member, `${describe(path)} does not exist`);
}

/** Answers the document with `value` added at `path` (the document itself when path is the root). */
function add(doc: JsonValue, path: string[], value: JsonValue, index: number): JsonValue {
  if (path.length === 0) return value;
  const parent = parentOf(doc, path, index, 'path');
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : arrayIndex(last, parent.length);
    if (i === null) throw new JsonPatchError('unresolvable', index, 'path', `${describe(path)} is not an index of the array (0–${parent.length}, or -)`);
    parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    setMember(parent, last, value);
  } else {
    throw new JsonPatchError('unresolvable', index, 'path', `${describe(path.slice(0, -1))} is not an object or an array`);
  }
  return doc;
}

function remove(doc: JsonValue, path: string[], index: number, member: 'path' | 'from'): JsonValue {
  if (path.length === 0) throw new JsonPatchError('unresolvable', index, member, 'cannot remove the whole document');
  get(doc, path, index, member);
  const parent = parentOf(doc, path, index, member);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, JsonValue>)[last];
  return doc;
}

/** Replaces the value at `path` in place (an object's members keep their order). */
function replace(doc: JsonValue, path: string[], value: JsonValue, index: number): JsonValue {
  get(doc, path, index, 'path');
  if (path.length === 0) return value;
  const parent = parentOf(doc, path, index, 'path');
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else setMember(parent as Record<string, JsonValue>, last, value);
  return doc;
}

/** Applies `operations` to a copy of `document`; throws JsonPatchError, leaving `document` as it was. */
export function applyJsonPatch(document: JsonValue, operations: Operation[]): JsonValue {
  let doc = clone(document);
  operations.forEach((o, index) => {
    switch (o.op) {
      case 'add':
        doc = add(doc, o.path, clone(o.value), index);
        break;
      case 'remove':
        doc = remove(doc, o.path, index, 'path');
        break;
      case 'replace':
        doc = replace(doc, o.path, clone(o.value), index);
        break;
      case 'move': {
        const from = o.from!;
        if (from.length < o.path.length && from.every((t, i) => t === o.path[i])) {
          throw new JsonPatchError('invalid', index, 'from', 'must not be a parent of path: a value cannot move into itself');
        }
        const value = get(doc, from, index, 'from');
        doc = add(remove(doc, from, index, 'from'), o.path, value, index);
        break;
      }
      case 'copy':
        doc = add(doc, o.path, clone(get(doc, o.from!, index, 'from')), index);
        break;
      case 'test':
        if (!jsonEqual(get(doc, o.path, index, 'path'), o.value)) {
          throw new JsonPatchError('test_failed', index, 'value', `${describe(o.path)} is not the value tested`);
        }
        break;
    }
  });
  return doc;
}

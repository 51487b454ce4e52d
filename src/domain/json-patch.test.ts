import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JsonPatchError, jsonEqual, parsePointer, readOperations, type JsonValue } from './json-patch.js';

const DOC: JsonValue = { description: 'old', events: ['a.b', 'c.d'], metadata: { k: 'v', 'a/b': '1', 'm~n': '2' }, status: 'enabled' };

/** Applies a patch given as JSON text, as a client sends it. */
const patch = (doc: JsonValue, ops: unknown) => applyJsonPatch(doc, readOperations(ops));

describe('applyJsonPatch: operations that apply (RFC 6902 §4 and appendix A)', () => {
  it.each<[string, unknown, JsonValue]>([
    ['replace a member', [{ op: 'replace', path: '/description', value: 'new' }], { ...(DOC as object), description: 'new' }],
    ['replace without value (the .NET and Java SDKs clearing a field)', [{ op: 'replace', path: '/description' }], { ...(DOC as object), description: null }],
    ['replace with an explicit null (the Python SDK)', [{ op: 'replace', path: '/description', value: null }], { ...(DOC as object), description: null }],
    ['add a new member', [{ op: 'add', path: '/token', value: 't' }], { ...(DOC as object), token: 't' }],
    ['add over an existing member replaces it', [{ op: 'add', path: '/status', value: 'disabled' }], { ...(DOC as object), status: 'disabled' }],
    ['add to the end of an array with -', [{ op: 'add', path: '/events/-', value: 'e.f' }], { ...(DOC as object), events: ['a.b', 'c.d', 'e.f'] }],
    ['add at an array index inserts', [{ op: 'add', path: '/events/0', value: 'e.f' }], { ...(DOC as object), events: ['e.f', 'a.b', 'c.d'] }],
    ['add at the array length appends', [{ op: 'add', path: '/events/2', value: 'e.f' }], { ...(DOC as object), events: ['a.b', 'c.d', 'e.f'] }],
    ['remove an array element', [{ op: 'remove', path: '/events/0' }], { ...(DOC as object), events: ['c.d'] }],
    ['remove a member, ignoring a value it does not define', [{ op: 'remove', path: '/metadata/k', value: 'ignored' }], { ...(DOC as object), metadata: { 'a/b': '1', 'm~n': '2' } }],
    ['escaped pointers: ~1 is / and ~0 is ~', [{ op: 'remove', path: '/metadata/a~1b' }, { op: 'remove', path: '/metadata/m~0n' }], { ...(DOC as object), metadata: { k: 'v' } }],
    ['replace an array element', [{ op: 'replace', path: '/events/1', value: 'x.y' }], { ...(DOC as object), events: ['a.b', 'x.y'] }],
    ['move a member', [{ op: 'move', from: '/metadata/k', path: '/metadata/j' }], { ...(DOC as object), metadata: { 'a/b': '1', 'm~n': '2', j: 'v' } }],
    ['move to the same place changes nothing', [{ op: 'move', from: '/description', path: '/description' }], DOC],
    ['copy a value', [{ op: 'copy', from: '/description', path: '/metadata/d' }], { ...(DOC as object), metadata: { k: 'v', 'a/b': '1', 'm~n': '2', d: 'old' } }],
    ['test that holds, then replace', [{ op: 'test', path: '/status', value: 'enabled' }, { op: 'replace', path: '/status', value: 'disabled' }], { ...(DOC as object), status: 'disabled' }],
    ['test compares objects by members, in any order', [{ op: 'test', path: '/metadata', value: { 'm~n': '2', 'a/b': '1', k: 'v' } }], DOC],
    ['operations apply in order', [{ op: 'add', path: '/events/-', value: 'e.f' }, { op: 'remove', path: '/events/0' }], { ...(DOC as object), events: ['c.d', 'e.f'] }],
    ['a member named __proto__ is a member', [{ op: 'add', path: '/metadata/__proto__', value: 'x' }], { ...(DOC as object), metadata: JSON.parse('{"k":"v","a/b":"1","m~n":"2","__proto__":"x"}') as JsonValue }],
    ['an empty patch changes nothing', [], DOC],
    ['replace the whole document', [{ op: 'replace', path: '', value: { a: 1 } }], { a: 1 }],
  ])('%s', (_name, ops, expected) => {
    const before = structuredClone(DOC);
    const after = patch(DOC, ops);
    expect(jsonEqual(after, expected), JSON.stringify(after)).toBe(true);
    expect(DOC).toEqual(before); // the input is never changed
  });

  it('a __proto__ member does not reach Object.prototype', () => {
    const after = patch({ m: {} }, [{ op: 'add', path: '/m/__proto__', value: { polluted: true } }]) as { m: object };
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(after.m)).toBe(Object.prototype);
  });
});

describe('applyJsonPatch: patches that fail, changing nothing', () => {
  it.each<[string, unknown, JsonPatchError['kind'], number, JsonPatchError['member']]>([
    ['not an array', { description: 'x' }, 'invalid', -1, null],
    ['an operation that is not an object', ['replace'], 'invalid', 0, null],
    ['an unknown op', [{ op: 'merge', path: '/description' }], 'invalid', 0, 'op'],
    ['an op in capitals', [{ op: 'Replace', path: '/description', value: 'x' }], 'invalid', 0, 'op'],
    ['no path', [{ op: 'replace', value: 'x' }], 'invalid', 0, 'path'],
    ['a path without a leading /', [{ op: 'replace', path: 'description', value: 'x' }], 'invalid', 0, 'path'],
    ['a bad escape', [{ op: 'remove', path: '/metadata/a~2b' }], 'invalid', 0, 'path'],
    ['move without from (the Python SDK writes _from)', [{ op: 'move', _from: '/description', path: '/x' }], 'invalid', 0, 'from'],
    ['move into its own child', [{ op: 'move', from: '/metadata', path: '/metadata/inner' }], 'invalid', 0, 'from'],
    ['replace a member that is not there', [{ op: 'replace', path: '/token', value: 'x' }], 'unresolvable', 0, 'path'],
    ['remove a member that is not there', [{ op: 'remove', path: '/metadata/nope' }], 'unresolvable', 0, 'path'],
    ['add under a parent that is not there', [{ op: 'add', path: '/nope/x', value: 1 }], 'unresolvable', 0, 'path'],
    ['add past the end of an array', [{ op: 'add', path: '/events/3', value: 'x' }], 'unresolvable', 0, 'path'],
    ['an index with a leading zero', [{ op: 'replace', path: '/events/01', value: 'x' }], 'unresolvable', 0, 'path'],
    ['- outside add', [{ op: 'remove', path: '/events/-' }], 'unresolvable', 0, 'path'],
    ['add under a string', [{ op: 'add', path: '/description/x', value: 1 }], 'unresolvable', 0, 'path'],
    ['copy from nowhere', [{ op: 'copy', from: '/nope', path: '/x' }], 'unresolvable', 0, 'from'],
    ['remove the whole document', [{ op: 'remove', path: '' }], 'unresolvable', 0, 'path'],
    ['a test that fails', [{ op: 'test', path: '/status', value: 'disabled' }], 'test_failed', 0, 'value'],
    ['a test of a string against an array holding it', [{ op: 'test', path: '/status', value: ['enabled'] }], 'test_failed', 0, 'value'],
    ['a test of a path that is not there', [{ op: 'test', path: '/token', value: null }], 'unresolvable', 0, 'path'],
    ['the second operation fails after the first applied', [{ op: 'replace', path: '/description', value: 'x' }, { op: 'test', path: '/description', value: 'old' }], 'test_failed', 1, 'value'],
  ])('%s', (_name, ops, kind, index, member) => {
    const before = structuredClone(DOC);
    let error: unknown;
    try {
      patch(DOC, ops);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonPatchError);
    expect({ kind: (error as JsonPatchError).kind, index: (error as JsonPatchError).index, member: (error as JsonPatchError).member }).toEqual({ kind, index, member });
    expect(DOC).toEqual(before);
  });
});

describe('parsePointer', () => {
  it.each<[string, string[] | null]>([
    ['', []], ['/', ['']], ['/a', ['a']], ['/a/0', ['a', '0']], ['/a~1b', ['a/b']], ['/m~0n', ['m~n']], ['/~01', ['~1']],
    ['a', null], ['/a~', null], ['/a~x', null],
  ])('%j → %j', (text, tokens) => {
    expect(parsePointer(text)).toEqual(tokens);
  });
});

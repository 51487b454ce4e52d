import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { readBooleans } from './query-booleans.js';
import { fieldsOfType } from './query-integers.js';

describe('fieldsOfType', () => {
  it('names the boolean properties of a querystring schema, and nothing for other schemas', () => {
    expect(fieldsOfType(Type.Object({ a: Type.Optional(Type.Boolean()), b: Type.Optional(Type.Integer()), c: Type.Boolean() }), 'boolean')).toEqual(['a', 'c']);
    expect(fieldsOfType(Type.Object({ a: Type.Optional(Type.Boolean()), b: Type.Optional(Type.Integer()) }), 'integer')).toEqual(['b']);
    expect(fieldsOfType(undefined, 'boolean')).toEqual([]);
    expect(fieldsOfType(Type.String(), 'boolean')).toEqual([]);
  });
});

describe('readBooleans', () => {
  it.each([
    ['true', true], ['True', true], ['FALSE', false], ['false', false], [' false ', false],
    ['1', 'refused'], ['0', 'refused'], ['yes', 'refused'], ['', 'refused'], ['on', 'refused'], ['truth', 'refused'],
  ])('?flag=%j is %j', (raw, expected) => {
    const query: Record<string, unknown> = { flag: raw, other: 'True' };
    const errors = readBooleans(['flag'], query);
    if (expected === 'refused') {
      expect(errors.map((e) => e.instancePath)).toEqual(['/flag']);
      expect(query.flag).toBe(raw);
    } else {
      expect(errors).toEqual([]);
      expect(query.flag).toBe(expected);
    }
    expect(query.other).toBe('True'); // not a boolean field: untouched
  });

  it('leaves absent and repeated parameters to Ajv', () => {
    const query: Record<string, unknown> = { flag: ['true', 'false'] };
    expect(readBooleans(['flag', 'missing'], query)).toEqual([]);
    expect(query.flag).toEqual(['true', 'false']);
  });
});

import { describe, expect, it } from 'vitest';
import { schemaToType } from './json-schema-to-ts.mjs';
import { render } from './dashboard-types.mjs';

const ref = (target: string) => target.replace('#/components/schemas/', '');

describe('schemaToType', () => {
  const cases: [string, unknown, string][] = [
    ['string', { type: 'string', format: 'date-time' }, 'string'],
    ['integer', { type: 'integer', minimum: 0 }, 'number'],
    ['number', { type: 'number' }, 'number'],
    ['boolean', { type: 'boolean' }, 'boolean'],
    ['null', { type: 'null' }, 'null'],
    ['any value', {}, 'unknown'],
    ['true', true, 'unknown'],
    ['one-value enum (TypeBox Literal)', { type: 'string', enum: ['ok'] }, "'ok'"],
    ['const', { const: 3 }, '3'],
    ['enum', { enum: ['a', 1, true, null] }, "'a' | 1 | true | null"],
    ['a quote in a literal', { const: "it's" }, "'it\\'s'"],
    ['union of literals', { anyOf: [{ type: 'string', enum: ['basic'] }, { type: 'string', enum: ['cloud_events'] }] }, "'basic' | 'cloud_events'"],
    ['nullable (TypeBox Union with Null)', { anyOf: [{ type: 'integer' }, { type: 'null' }] }, 'number | null'],
    ['nullable (OpenAPI 3.0)', { type: 'string', nullable: true }, 'string | null'],
    ['type list', { type: ['string', 'null'] }, 'string | null'],
    ['oneOf, repeated members once', { oneOf: [{ type: 'integer' }, { type: 'number' }] }, 'number'],
    ['allOf', { allOf: [{ $ref: '#/components/schemas/A' }, { anyOf: [{ $ref: '#/components/schemas/B' }, { $ref: '#/components/schemas/C' }] }] }, 'A & (B | C)'],
    ['array', { type: 'array', items: { type: 'string' } }, 'string[]'],
    ['array of a union', { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'null' }] } }, '(string | null)[]'],
    ['array without items', { type: 'array' }, 'unknown[]'],
    ['$ref', { type: 'array', items: { $ref: '#/components/schemas/WebhookAttempt' } }, 'WebhookAttempt[]'],
    ['map (Record)', { type: 'object', additionalProperties: { type: 'string' } }, 'Record<string, string>'],
    ['open object', { type: 'object', additionalProperties: {} }, 'Record<string, unknown>'],
    ['object without properties', { type: 'object' }, 'Record<string, unknown>'],
    ['closed empty object', { type: 'object', additionalProperties: false }, 'Record<string, never>'],
    ['object', { type: 'object', required: ['id'], properties: { id: { type: 'string' }, 'x-note': { type: 'string' } } }, "{\n  id: string;\n  'x-note'?: string;\n}"],
    ['closed object', { type: 'object', required: ['a'], properties: { a: { type: 'integer' } }, additionalProperties: false }, '{\n  a: number;\n}'],
    ['object with typed extra keys', { type: 'object', properties: { a: { type: 'integer' } }, additionalProperties: { type: 'string' } }, '{\n  a?: number;\n  [key: string]: unknown;\n}'],
    ['descriptions become doc comments', { type: 'object', required: ['time'], properties: { time: { type: 'integer', description: 'ms, never */ closed' } } }, '{\n  /** ms, never *\\/ closed */\n  time: number;\n}'],
    [
      'nested objects, indented',
      { type: 'object', required: ['next'], properties: { next: { anyOf: [{ type: 'object', required: ['at'], properties: { at: { type: 'string' } } }, { type: 'null' }] } } },
      '{\n  next: {\n    at: string;\n  } | null;\n}',
    ],
  ];
  it.each(cases)('%s', (_name, schema, expected) => {
    expect(schemaToType(schema, { ref })).toBe(expected);
  });

  it('indents an object from the line it starts on', () => {
    expect(schemaToType({ type: 'object', required: ['a'], properties: { a: { type: 'string' } } }, { indent: '  ' })).toBe('{\n    a: string;\n  }');
  });

  const refused: [string, unknown, RegExp][] = [
    ['a $ref with no name for it', { $ref: '#/components/schemas/A' }, /no type name for \$ref/],
    ['not', { not: { type: 'string' } }, /unsupported JSON Schema keyword "not"/],
    ['if/then', { if: { type: 'string' }, then: { minLength: 1 } }, /unsupported JSON Schema keyword "if"/],
    ['patternProperties', { type: 'object', patternProperties: { '^x': {} } }, /"patternProperties"/],
    ['an unknown type', { type: 'tuple' }, /unsupported JSON Schema type "tuple"/],
    ['an object literal', { const: { a: 1 } }, /unsupported literal/],
    ['not a schema', 'string', /not a schema/],
  ];
  it.each(refused)('refuses %s', (_name, schema, message) => {
    expect(() => schemaToType(schema)).toThrow(message);
  });
});

describe('render (dashboard/src/types.ts from an OpenAPI document)', () => {
  const hour = { type: 'object', required: ['hour'], properties: { hour: { type: 'string' } } };
  const document = {
    components: {
      schemas: {
        'def-1': { title: 'Widget', description: 'A widget', type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        'def-0': { title: 'Colour', enum: ['red', 'blue'] },
      },
    },
    paths: {
      '/v1/widgets/{id}': {
        get: { responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/def-1' } } } }, 404: {} } },
        delete: { responses: { 204: { description: 'Default Response' } } },
      },
      '/v1/stats': { get: { responses: { 200: { content: { 'application/json': { schema: { type: 'array', items: hour } } } } } } },
      '/v1/widgets/{id}/stats': { get: { responses: { 200: { content: { 'application/json': { schema: { type: 'array', items: hour } } } } } } },
      '/v1/widgets': { post: { responses: { 201: { content: { 'application/json': { schema: { $ref: '#/components/schemas/def-1' } } } }, 400: {} } } },
    },
  };

  it('names components by title (sorted), and lists each operation\'s success answer by path', () => {
    const text = render(document);
    expect(text).toMatch(/^\/\/ Generated by scripts\/dashboard-types\.mjs .*do not edit\.\n/);
    expect(text).toContain("export type Colour = 'red' | 'blue';\n\n/** A widget */\nexport interface Widget {\n  id: string;\n}\n");
    expect(text).toContain(`export interface Responses {
  'GET /v1/stats': {
    hour: string;
  }[];
  'POST /v1/widgets': Widget;
  'GET /v1/widgets/{id}': Widget;
  'DELETE /v1/widgets/{id}': null;
  'GET /v1/widgets/{id}/stats': Responses['GET /v1/stats'];
}
`);
  });

  it('refuses a $ref to no component, and two components of one name', () => {
    const dangling = { ...document, paths: { '/x': { get: { responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/def-9' } } } } } } } } };
    expect(() => render(dangling)).toThrow(/def-9 names no component schema/);
    const twice = { components: { schemas: { a: { title: 'A', type: 'string' }, b: { title: 'A', type: 'integer' } } }, paths: {} };
    expect(() => render(twice)).toThrow(/two component schemas are named A/);
  });
});

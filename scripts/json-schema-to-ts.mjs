/**
 * JSON Schema to a TypeScript type: the subset TypeBox emits and @fastify/swagger passes into
 * hookd's OpenAPI document (object, array, enum/const literals, anyOf/oneOf/allOf, nullable,
 * string, integer, number, boolean, null, additionalProperties, $ref). A keyword outside it
 * throws instead of being read loosely, so a new kind of schema cannot turn into a wrong type.
 * scripts/dashboard-types.mjs uses it; scripts/json-schema-to-ts.test.ts holds it to a table.
 */

/** Keywords that change what a value may be, and that this converter does not read. */
const UNSUPPORTED = ['not', 'if', 'then', 'else', 'patternProperties', 'prefixItems', 'propertyNames', 'dependentSchemas', 'unevaluatedProperties', '$defs'];
const PRIMITIVES = { string: 'string', integer: 'number', number: 'number', boolean: 'boolean', null: 'null' };
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const literal = (value) => {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  throw new Error(`unsupported literal ${JSON.stringify(value)}`);
};

/** A union of distinct members; `never` for none. */
const union = (members) => {
  const distinct = [...new Set(members.map((m) => m.text))];
  if (distinct.length === 0) return { text: 'never', union: false };
  if (distinct.length === 1) return members.find((m) => m.text === distinct[0]);
  // A member that is itself a union is inlined without parentheses: `a | (b | c)` reads as `a | b | c`.
  return { text: distinct.join(' | '), union: true };
};

/** A doc comment line, safe inside a comment. */
const comment = (text, pad) => `${pad}/** ${text.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n`;

/**
 * @param {object} schema a JSON Schema
 * @param {{ ref?: (ref: string) => string, indent?: string }} [options] `ref` names the type a
 *   `$ref` points to (default: throws); `indent` is the indentation of the line the type starts on.
 * @returns {string} the TypeScript type
 */
export function schemaToType(schema, options = {}) {
  return convert(schema, { ref: options.ref ?? noRefs, indent: options.indent ?? '' }).text;
}

function noRefs(ref) {
  throw new Error(`no type name for $ref ${ref}`);
}

/** @returns {{ text: string, union: boolean }} the type, and whether it is a top-level union (`A | B`). */
function convert(schema, ctx) {
  if (schema === true) return { text: 'unknown', union: false };
  if (schema === false) return { text: 'never', union: false };
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`not a schema: ${JSON.stringify(schema)}`);
  const bad = UNSUPPORTED.find((k) => k in schema);
  if (bad) throw new Error(`unsupported JSON Schema keyword "${bad}"`);
  const type = base(schema, ctx);
  return schema.nullable === true ? union([type, { text: 'null', union: false }]) : type;
}

function base(schema, ctx) {
  if (schema.$ref !== undefined) return { text: ctx.ref(schema.$ref), union: false };
  if ('const' in schema) return { text: literal(schema.const), union: false };
  if (schema.enum !== undefined) return union(schema.enum.map((v) => ({ text: literal(v), union: false })));
  if (schema.anyOf ?? schema.oneOf) return union((schema.anyOf ?? schema.oneOf).map((s) => convert(s, ctx)));
  if (schema.allOf) {
    const parts = schema.allOf.map((s) => convert(s, ctx));
    return parts.length === 1 ? parts[0] : { text: parts.map((p) => (p.union ? `(${p.text})` : p.text)).join(' & '), union: false };
  }
  if (Array.isArray(schema.type)) return union(schema.type.map((t) => base({ ...schema, type: t }, ctx)));
  if (schema.type === undefined) return schema.properties || schema.additionalProperties !== undefined ? object(schema, ctx) : { text: 'unknown', union: false };
  if (schema.type === 'array') {
    if (schema.items === undefined) return { text: 'unknown[]', union: false };
    const item = convert(schema.items, ctx);
    return { text: item.union ? `(${item.text})[]` : `${item.text}[]`, union: false };
  }
  if (schema.type === 'object') return object(schema, ctx);
  const primitive = PRIMITIVES[schema.type];
  if (!primitive) throw new Error(`unsupported JSON Schema type "${schema.type}"`);
  return { text: primitive, union: false };
}

/** An object literal type: its properties (optional unless required), then an index signature for additionalProperties. */
function object(schema, ctx) {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (properties.length === 0) {
    if (extra === false) return { text: 'Record<string, never>', union: false };
    if (extra === undefined || extra === true) return { text: 'Record<string, unknown>', union: false };
    return { text: `Record<string, ${convert(extra, ctx).text}>`, union: false };
  }
  const required = new Set(schema.required ?? []);
  const inner = `${ctx.indent}  `;
  const lines = properties.map(([name, property]) => {
    const key = IDENTIFIER.test(name) ? name : literal(name);
    const doc = typeof property === 'object' && property.description ? comment(property.description, inner) : '';
    return `${doc}${inner}${key}${required.has(name) ? '' : '?'}: ${convert(property, { ...ctx, indent: inner }).text};\n`;
  });
  // Other keys are allowed unless additionalProperties is false; a type naming only the listed
  // ones is what a reader may rely on. Typed extra keys become `unknown`: TypeScript requires
  // every listed property to fit an index signature, which the extra keys' schema need not.
  if (extra !== undefined && extra !== false && extra !== true) lines.push(`${inner}[key: string]: unknown;\n`);
  return { text: `{\n${lines.join('')}${ctx.indent}}`, union: false };
}

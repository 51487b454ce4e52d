/**
 * The operations of hookd's own OpenAPI document, as the isolation walk and the fuzzer use them:
 * derived from /openapi.json at run time, so a route added tomorrow is walked and fuzzed
 * without anyone remembering to list it.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

interface ParameterObject {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `POST /v1/events/{id}/retry` */
  id: string;
  method: string;
  /** The path template, `{name}` for parameters. */
  path: string;
  pathParams: Parameter[];
  query: Parameter[];
  /** The request body's schema with $refs resolved one level deep, or undefined when it takes none. */
  body: JsonSchema | undefined;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Follows `#/components/schemas/…` references (nested ones too, up to a depth that stops cycles). */
export function resolveSchema(doc: OpenApiDocument, schema: JsonSchema, depth = 0): JsonSchema {
  if (depth > 8) return schema;
  let s = schema;
  while (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const found = doc.components?.schemas?.[name];
    if (!found) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = found;
  }
  const out: JsonSchema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1)]));
  if (s.items) out.items = resolveSchema(doc, s.items, depth + 1);
  if (s.anyOf) out.anyOf = s.anyOf.map((v) => resolveSchema(doc, v, depth + 1));
  if (s.oneOf) out.oneOf = s.oneOf.map((v) => resolveSchema(doc, v, depth + 1));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = resolveSchema(doc, s.additionalProperties, depth + 1);
  return out;
}

/** Every operation of the document whose path starts with `prefix`. */
export function operations(doc: OpenApiDocument, prefix = '/v1/'): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith(prefix)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const params = (op.parameters ?? []).map((p) => ({ ...p, schema: resolveSchema(doc, p.schema ?? {}) }));
      const of = (where: ParameterObject['in']) => params.filter((p) => p.in === where).map((p) => ({ name: p.name, required: p.required === true, schema: p.schema }));
      const content = op.requestBody?.content;
      const media = content ? (content['application/json'] ?? Object.values(content)[0]) : undefined;
      out.push({
        id: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path,
        pathParams: of('path'), query: of('query'),
        body: media ? resolveSchema(doc, media.schema) : undefined,
      });
    }
  }
  return out;
}

export type IdPrefix = 'wksp' | 'we' | 'evt' | 'wh';

/** The id prefix a string schema demands (`^we_[0-9A-Za-z]{24}$` → `we`), if it is an id. */
export function idPrefixOf(schema: JsonSchema | undefined): string | undefined {
  return schema?.pattern ? /^\^([a-z]+)_\[0-9A-Za-z\]/.exec(schema.pattern)?.[1] : undefined;
}

/** Fills `{name}` placeholders. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return v;
  });
}

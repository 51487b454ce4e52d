/**
 * Checks of a platform-supplied event-type schema that Ajv does not make, each naming the exact
 * field (`schema.properties.phone.pattern`): every `pattern` and `patternProperties` key must be
 * safe (domain/regex-safety.ts) and runnable by the linear engine, and every `format` one hookd
 * knows. Ajv's own compile still follows; it runs every pattern on the linear engine anyway, so
 * a keyword this walk does not know cannot bring a backtracking pattern in.
 */
import { FieldErrorList, type FieldErrors } from '../domain/errors.js';
import { unsafePatternReason } from '../domain/regex-safety.js';
import { CATALOG_FORMATS } from './catalog-ajv.js';
import { compileLinear } from './schema-regexp.js';

/** Keywords whose value is one subschema, an array of them, or a map of them (draft-07 to 2020-12). */
const ONE = ['not', 'if', 'then', 'else', 'items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
const MAP = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'dependencies'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function patternProblem(pattern: string): string | undefined {
  const unsafe = unsafePatternReason(pattern);
  if (unsafe) return unsafe;
  try {
    compileLinear(pattern);
    return undefined;
  } catch (err) {
    return `uses syntax hookd's linear-time regular-expression engine does not run (lookaround, backreferences): ${(err as Error).message}`;
  }
}

export function checkCatalogSchema(schema: Record<string, unknown>, field = 'schema'): FieldErrors {
  const errors = new FieldErrorList();
  const walk = (node: unknown, path: string): void => {
    if (!isObject(node)) return;
    if (typeof node.pattern === 'string') {
      const problem = patternProblem(node.pattern);
      if (problem) errors.add(`${path}.pattern`, problem);
    }
    if (isObject(node.patternProperties)) {
      for (const key of Object.keys(node.patternProperties)) {
        const problem = patternProblem(key);
        if (problem) errors.add(`${path}.patternProperties.${key}`, problem);
      }
    }
    if (typeof node.format === 'string' && !Object.hasOwn(CATALOG_FORMATS, node.format)) {
      errors.add(`${path}.format`, `is not a format hookd knows; known formats: ${Object.keys(CATALOG_FORMATS).join(', ')}`);
    }
    for (const k of ONE) if (isObject(node[k])) walk(node[k], `${path}.${k}`);
    for (const k of LIST) {
      const list = node[k];
      if (Array.isArray(list)) list.forEach((sub, i) => walk(sub, `${path}.${k}.${i}`));
    }
    for (const k of MAP) {
      const map = node[k];
      if (isObject(map)) for (const [name, sub] of Object.entries(map)) walk(sub, `${path}.${k}.${name}`);
    }
  };
  walk(schema, field);
  return errors.errors;
}

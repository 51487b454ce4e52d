/**
 * Checks of a platform-supplied event-type schema that Ajv does not make, each naming the exact
 * field (`schema.properties.phone.pattern`): every `pattern` and `patternProperties` key must be
 * safe (domain/regex-safety.ts) and runnable by the linear engine, every `format` one hookd
 * knows, and what validating an event against the schema may cost bounded (schema-cost.ts).
 * Ajv's own compile still follows; it runs every pattern on the linear engine anyway, so a
 * keyword this walk does not know cannot bring a backtracking pattern in.
 */
import { FieldErrorList, type FieldErrors } from '../domain/errors.js';
import { unsafePatternReason } from '../domain/regex-safety.js';
import { CATALOG_FORMATS } from './catalog-ajv.js';
import { schemaCost } from './schema-cost.js';
import { isObject, subschemas } from './schema-graph.js';
import { compileLinear } from './schema-regexp.js';

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

export function checkCatalogSchema(schema: Record<string, unknown>): FieldErrors {
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
    // Every draft's subschemas, evaluated by hookd's Ajv or not: receivers may validate with another.
    for (const e of subschemas(node, path)) walk(e.target, e.path);
  };
  walk(schema, 'schema');
  // A schema with a refused pattern or format is not worth costing: Ajv would not compile it.
  if (!errors.empty) return errors.errors;
  return schemaCost(schema).errors.errors;
}

/**
 * Booleans in a query string are read as Falu's server reads them, by the same rule as a
 * boolean header (plugins/boolean-text.ts): `true` or `false` in any case. The trap: the query
 * validator coerces types (schema-compilers.ts), and Ajv turns only the lowercase words into a
 * boolean, so `?x=True`, which Falu's SDKs may send (Python writes `str(True)`), would be a
 * 400 here and accepted by Falu. The raw text is read here, before Ajv runs; anything else is
 * reported as Ajv reports its own errors, so the problem names the parameter (docs/api.md).
 */
import type { ErrorObject } from 'ajv';
import { booleanText } from './plugins/boolean-text.js';

export const BOOLEAN_RULE = 'must be true or false (in any case)';

/**
 * Replaces each boolean field's text with its value, in place, and answers Ajv-shaped errors
 * for the ones that are not a boolean. A repeated parameter (an array) is left to Ajv.
 */
export function readBooleans(fields: string[], query: unknown): ErrorObject[] {
  if (typeof query !== 'object' || query === null) return [];
  const errors: ErrorObject[] = [];
  for (const field of fields) {
    const values = query as Record<string, unknown>;
    const raw = values[field];
    if (typeof raw !== 'string') continue;
    const value = booleanText(raw);
    if (value === null) errors.push({ keyword: 'boolean', instancePath: `/${field}`, schemaPath: `#/properties/${field}/type`, params: {}, message: BOOLEAN_RULE });
    else values[field] = value;
  }
  return errors;
}

/**
 * Whole numbers in a query string (`count`, `limit`, `hours`) are read only as decimal digits.
 * The trap: the query validator coerces types (schema-compilers.ts), and Ajv turns text into a
 * number by JavaScript's own rules, so `0x10`, `1e1`, `+5`, ` 5 `, `5.0` and `0b101`
 * passed as 16, 10, 5, 5, 5 and 5. Two readers of one URL (a proxy, a cache, a log query, another
 * implementation of the Falu API) would then disagree about what it asked for. The raw text is
 * checked here, before Ajv coerces it, and reported as Ajv reports its own errors so the problem
 * handler names the parameter and the rule. docs/api.md states the rule.
 */
import type { ErrorObject } from 'ajv';

/** `0`, or digits without a leading zero: one spelling per number (docs/api.md). */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

export const DECIMAL_RULE = 'must be a whole number in decimal digits, such as 10 (no sign, spaces, leading zeros, fraction, exponent or hex)';

/** The names of the properties of a querystring schema that have this JSON type (`integer`, `boolean`). */
export function fieldsOfType(schema: unknown, type: 'integer' | 'boolean'): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | null)?.properties;
  if (typeof properties !== 'object' || properties === null) return [];
  return Object.keys(properties).filter((name) => properties[name]?.type === type);
}

/**
 * Ajv-shaped errors for the integer fields whose raw text is not decimal digits. A repeated
 * parameter (an array) is left to Ajv, which refuses it as not an integer.
 */
export function notDecimal(fields: string[], query: unknown): ErrorObject[] {
  if (typeof query !== 'object' || query === null) return [];
  const errors: ErrorObject[] = [];
  for (const field of fields) {
    const raw = (query as Record<string, unknown>)[field];
    if (typeof raw === 'string' && !DECIMAL.test(raw)) {
      errors.push({ keyword: 'decimal', instancePath: `/${field}`, schemaPath: `#/properties/${field}/type`, params: {}, message: DECIMAL_RULE });
    }
  }
  return errors;
}

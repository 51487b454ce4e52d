/**
 * An endpoint's custom headers (docs/delivery.md, "Custom headers"): what a receiver's gateway
 * may ask every delivery to carry, such as an X-Api-Key. Pure checks that name the header.
 */
import type { FieldErrorList } from './errors.js';

export const HEADERS_MAX = 20;
/** Bytes of one value (UTF-8). */
export const HEADER_VALUE_MAX = 1024;

/** Adds a message per broken header to `errors` under `field.<name>`; `null` values (a merge patch's removals) are allowed when `removals`. */
export function customHeaderProblems(headers: Record<string, unknown>, errors: FieldErrorList, options: { field?: string; removals?: boolean } = {}): void {
  const field = options.field ?? 'headers';
  const names = Object.keys(headers);
  if (names.length > HEADERS_MAX) errors.add(field, `must have at most ${HEADERS_MAX} headers`);
  for (const name of names) {
    const value = headers[name];
    if (value === null && options.removals) continue;
    if (typeof value !== 'string') errors.add(`${field}.${name}`, 'must be a string');
  }
}

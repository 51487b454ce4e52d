/** Reading a header from a Fetch API `Headers` or a plain object with keys in any case. */
import { MalformedHeaderError } from './errors.js';

/** Anything with `get(name)`, like the Fetch API's Headers. */
export interface HeadersLike {
  get(name: string): string | null;
}

/** A Headers instance, or a plain object (Node's `req.headers`, a Lambda event's headers…) with keys in any case. */
export type HeadersInput = HeadersLike | Readonly<Record<string, string | readonly string[] | undefined>>;

function isHeadersLike(headers: HeadersInput): headers is HeadersLike {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/** The header's value, or undefined when absent. A header sent more than once is malformed. */
export function getHeader(headers: HeadersInput, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (isHeadersLike(headers)) return headers.get(lower) ?? undefined;
  let found: string | readonly string[] | undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower && headers[key] !== undefined) {
      if (found !== undefined) throw new MalformedHeaderError(`The ${lower} header appears more than once (as "${key}" and another spelling): send it once.`, { header: lower });
      found = headers[key];
    }
  }
  if (found === undefined || typeof found === 'string') return found;
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new MalformedHeaderError(`The ${lower} header appears ${found.length} times: it must be sent once.`, { header: lower });
  return found[0];
}

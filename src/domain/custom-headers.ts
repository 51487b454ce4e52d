/**
 * An endpoint's custom headers (docs/delivery.md, "Custom headers"): what a receiver's gateway
 * may ask every delivery to carry, such as an X-Api-Key. Pure checks that name the header.
 */
import type { FieldErrorList } from './errors.js';

export const HEADERS_MAX = 20;
/** Bytes of one value (UTF-8). */
export const HEADER_VALUE_MAX = 1024;
/** Characters of one name: no real header comes near it, and the name is echoed in messages. */
export const HEADER_NAME_MAX = 256;

/**
 * Refused names, lower-case, each with why. Hop-by-hop and framing headers would let a value
 * change how the request is framed or routed (a second request smuggled into the connection);
 * the rest are set or signed by hookd itself, and a receiver must be able to trust them.
 */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ...['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization',
    'proxy-authenticate', 'te', 'trailer', 'upgrade', 'expect', 'content-encoding', 'http2-settings']
    .map((n) => [n, 'is a hop-by-hop or framing header, which hookd sets itself'] as const),
  ['authorization', 'is refused: use the endpoint\'s token, sent as Authorization: Bearer'],
  ['content-type', 'is set by hookd (application/json)'],
  ['user-agent', 'is set by hookd (hookd/<version>)'],
  ['traceparent', 'is reserved for hookd\'s trace context'],
  ['tracestate', 'is reserved for hookd\'s trace context'],
]);

/** RFC 9110 tchar: "!#$%&'*+-.^_`|~", digits and letters. A lookup per character, no regular expression. */
function isTokenChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(code));
}

/** Why a header name is refused, or null. */
export function headerNameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name.length > HEADER_NAME_MAX) return `must be at most ${HEADER_NAME_MAX} characters`;
  for (let i = 0; i < name.length; i++) {
    if (!isTokenChar(name.charCodeAt(i))) return 'must be an HTTP token: letters, digits and !#$%&\'*+-.^_`|~ only (RFC 9110)';
  }
  const lower = name.toLowerCase();
  const refused = REFUSED.get(lower);
  if (refused) return refused;
  if (lower.startsWith('x-falu-')) return 'is refused: X-Falu-* headers are set and signed by hookd';
  if (lower.startsWith('webhook-')) return 'is refused: webhook-* headers are set and signed by hookd (Standard Webhooks)';
  return null;
}

/**
 * Why a header value is refused, or null. Beyond CR, LF and NUL (a line break would end the
 * header and start another), the HTTP client refuses other control characters and anything past
 * U+00FF at send time, and sends U+0080–U+00FF as Latin-1: the value is kept to printable ASCII,
 * space and tab, so what the receiver reads is what was typed, and no delivery fails later on it.
 */
export function headerValueProblem(value: string): string | null {
  if (Buffer.byteLength(value, 'utf8') > HEADER_VALUE_MAX) return `must be at most ${HEADER_VALUE_MAX} bytes (UTF-8)`;
  if (value.includes('\r')) return 'must not contain a carriage return (CR)';
  if (value.includes('\n')) return 'must not contain a line feed (LF)';
  if (value.includes('\u0000')) return 'must not contain NUL';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x09) continue;
    if (code < 0x20 || code === 0x7f) return 'must not contain control characters other than tab';
    if (code > 0x7e) return 'must be ASCII: printable characters, space and tab (non-ASCII header values do not arrive as typed)';
  }
  if (/^[ \t]|[ \t]$/.test(value)) return 'must not start or end with a space or tab (HTTP drops them)';
  return null;
}

/** Adds a message per broken header to `errors` under `field.<name>`; `null` values (a merge patch's removals) are allowed when `removals`. */
export function customHeaderProblems(headers: Record<string, unknown>, errors: FieldErrorList, options: { field?: string; removals?: boolean } = {}): void {
  const field = options.field ?? 'headers';
  const names = Object.keys(headers);
  if (names.length > HEADERS_MAX) errors.add(field, `must have at most ${HEADERS_MAX} headers`);
  const seen = new Map<string, string>();
  for (const name of names) {
    const at = `${field}.${name}`;
    const nameProblem = headerNameProblem(name);
    if (nameProblem) errors.add(at, nameProblem);
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) errors.add(at, `is the same header as ${first} (names are case-insensitive)`);
    else seen.set(lower, name);
    const value = headers[name];
    if (value === null && options.removals) continue;
    if (typeof value !== 'string') {
      errors.add(at, options.removals ? 'must be a string, or null to remove the header' : 'must be a string');
      continue;
    }
    const valueProblem = headerValueProblem(value);
    if (valueProblem) errors.add(at, valueProblem);
  }
}

/**
 * What a webhook endpoint may hold (docs/api.md). Pure checks that return messages, so that
 * one request reports every broken field at once.
 */
import { FieldErrorList } from './errors.js';
import { isWildcard } from './event-matching.js';
import type { Endpoint } from './types.js';

type DeliveryShape = Pick<Endpoint, 'headers' | 'filter' | 'clientCertificate' | 'signing' | 'signingKey' | 'previousSigningKeys'>;

/** What an endpoint carries and how its deliveries leave when it asks for nothing more (docs/delivery.md); new objects each call. */
export function plainDelivery(): DeliveryShape {
  return { headers: {}, filter: null, clientCertificate: null, signing: 'hmac-sha256', signingKey: null, previousSigningKeys: [] };
}

export const URL_MAX = 512;
export const METADATA_MAX_KEYS = 20;
export const METADATA_KEY = /^[A-Za-z][A-Za-z0-9_.:-]{0,39}$/;
export const METADATA_VALUE_MAX = 500;
export const DESCRIPTION_MAX = 1_000;
export const TOKEN_MAX = 500;
export const EVENTS_MAX = 100;

/**
 * The control characters stored text may not hold: C0 (tab, line feed, carriage return and ESC
 * among them), DEL and C1, as the body of a character class; the API's schema patterns for
 * free text are built from it too (api/schemas.ts).
 */
export const CONTROL_RANGE = '\\u0000-\\u001f\\u007f-\\u009f';
export const NO_CONTROL_RULE = 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)';
const CONTROL_CHARACTERS = new RegExp(`[${CONTROL_RANGE}]`);

/**
 * Messages for a webhook URL; empty when it is acceptable. Network ranges are the SSRF
 * guard's job. An acceptable URL is stored as normalisedUrl() gives it, never as typed.
 */
export function urlProblems(raw: string, live: boolean): string[] {
  if (raw.length < 1 || raw.length > URL_MAX) return [`must be 1 to ${URL_MAX} characters`];
  // Before parsing: the WHATWG parser drops tabs and line breaks without a word, so the URL
  // a reader sees and the one hookd would call could differ.
  if (CONTROL_CHARACTERS.test(raw)) return [`${NO_CONTROL_RULE} such as a tab or a line break`];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ['must be an absolute URL such as https://example.com/webhooks'];
  }
  const problems: string[] = [];
  // What is stored is the parsed form, which percent-encoding and punycode can lengthen.
  if (url.href.length > URL_MAX) problems.push(`must be at most ${URL_MAX} characters as hookd stores it, percent-encoded (this one is ${url.href.length})`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push('must use http or https');
  else if (live && url.protocol !== 'https:') problems.push('must use https in live mode');
  if (url.username || url.password) problems.push('must not contain a user name or password');
  if (url.hash) problems.push('must not contain a fragment (#…)');
  if (!url.hostname) problems.push('must name a host');
  if (url.port) {
    const port = Number(url.port);
    if (port !== 80 && port !== 443 && (port < 1024 || port > 65535)) {
      problems.push('port must be 80, 443 or 1024–65535');
    }
  }
  return problems;
}

/**
 * The URL as hookd stores, shows and calls it: the WHATWG parse of what was typed, so that
 * `http://evil\\@127.0.0.1/` is kept as `http://evil/@127.0.0.1/` (its real host, evil) and
 * every reader, hookd's sender included, sees the one URL. Call it on a URL urlProblems accepts.
 */
export function normalisedUrl(raw: string): string {
  return new URL(raw).href;
}

/** Checks `events` against the catalog: known types, `*`, or `prefix.*` covering at least one type. */
export function eventPatternProblems(patterns: readonly string[], catalog: readonly string[]): string[] {
  const problems: string[] = [];
  if (patterns.length === 0) problems.push('must list at least one event type');
  if (patterns.length > EVENTS_MAX) problems.push(`must list at most ${EVENTS_MAX} event types`);
  const seen = new Set<string>();
  for (const p of patterns) {
    if (seen.has(p)) problems.push(`'${p}' is listed twice`);
    seen.add(p);
    if (p === '*') continue;
    if (isWildcard(p)) {
      const prefix = p.slice(0, -1);
      if (!catalog.some((t) => t.startsWith(prefix))) problems.push(`'${p}' covers no event type in the catalog`);
    } else if (!catalog.includes(p)) {
      problems.push(`'${p}' is not an event type in the catalog (GET /v1/event_types lists them)`);
    }
  }
  return problems;
}

export function metadataProblems(metadata: Record<string, unknown>, errors: FieldErrorList, field = 'metadata'): void {
  const keys = Object.keys(metadata);
  if (keys.length > METADATA_MAX_KEYS) errors.add(field, `must have at most ${METADATA_MAX_KEYS} keys`);
  for (const key of keys) {
    if (!METADATA_KEY.test(key)) {
      errors.add(`${field}.${key}`, 'keys must start with a letter and hold at most 40 letters, digits, or _ . : -');
    }
    const value = metadata[key];
    if (typeof value !== 'string') errors.add(`${field}.${key}`, 'must be a string');
    else if (value.length > METADATA_VALUE_MAX) errors.add(`${field}.${key}`, `must be at most ${METADATA_VALUE_MAX} characters`);
  }
}

/**
 * `X-Falu-Signature: t=<unix>,sha256=<hex>[,sha256=<hex>…]`: HMAC-SHA256 with the UTF-8 bytes of
 * the whole secret string (its `fwhs_` prefix included) as the key, over `<t>.` followed by the
 * exact body bytes. One `sha256` entry per secret still valid at the sender (a rolled secret signs
 * until its grace period ends): any matching entry passes.
 */
import { bodyBytes, concatBytes, hexToBytes, utf8, type RawBody } from './encoding.js';
import { InvalidSecretError, MalformedHeaderError, MissingHeaderError, SignatureMismatchError } from './errors.js';
import { hmacSha256, matchesAny, subtleCrypto } from './hmac.js';
import { checkTimestamp, UNIX_SECONDS, type VerifyOptions } from './timestamp.js';

export const FALU_SIGNATURE_HEADER = 'x-falu-signature';

/** What a successful verification tells. */
export interface VerifiedSignature {
  scheme: 'falu' | 'standard' | 'ed25519';
  /** The signed timestamp, Unix seconds. */
  timestamp: number;
  /** The `webhook-id` (Standard Webhooks and Ed25519 only): deduplicate on it. */
  id?: string;
}

export interface ParsedFaluSignature {
  timestamp: number;
  /** The decoded `sha256` entries, 32 bytes each. */
  signatures: Uint8Array[];
}

const EXPECTED = 't=<unix seconds>,sha256=<hex>[,sha256=<hex>…]';

function shown(header: string): string {
  return JSON.stringify(header.length > 200 ? `${header.slice(0, 200)}…` : header);
}

/** Parses the header, or throws `malformed_header` saying what is wrong with it. Unknown `key=value` elements are ignored. */
export function parseFaluSignature(header: string): ParsedFaluSignature {
  const malformed = (reason: string) => new MalformedHeaderError(
    `The X-Falu-Signature header is malformed (${reason}): expected ${EXPECTED}, got ${shown(header)}. ` +
    'Pass the X-Falu-Signature header value exactly as received.',
    { scheme: 'falu', header: FALU_SIGNATURE_HEADER },
  );
  let timestamp: number | undefined;
  const signatures: Uint8Array[] = [];
  for (const raw of header.split(',')) {
    const element = raw.trim();
    if (element === '') throw malformed('an empty element: two commas in a row, or a comma at the start or end');
    const eq = element.indexOf('=');
    if (eq < 0) throw malformed(`"${element}" is not key=value`);
    const key = element.slice(0, eq).trim();
    const value = element.slice(eq + 1).trim();
    if (key === '') throw malformed(`"${element}" has no key`);
    if (value === '') throw malformed(`"${key}=" has no value`);
    if (key === 't') {
      if (timestamp !== undefined) throw malformed('t appears more than once');
      if (!UNIX_SECONDS.test(value)) throw malformed(`t must be Unix seconds (digits only), not "${value}"`);
      timestamp = Number(value);
    } else if (key === 'sha256') {
      const bytes = value.length === 64 ? hexToBytes(value) : null;
      if (!bytes) throw malformed('a sha256 value must be 64 hex digits (an HMAC-SHA256)');
      signatures.push(bytes);
    }
  }
  if (timestamp === undefined) throw malformed('no t=<unix seconds> element');
  if (signatures.length === 0) throw malformed('no sha256=<hex> entry');
  return { timestamp, signatures };
}

export function checkSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string' || secret === '') {
    throw new InvalidSecretError(
      `The signing secret is ${typeof secret === 'string' ? 'empty' : typeof secret}: pass the endpoint's secret (fwhs_…) as a string. ` +
      'If it comes from an environment variable, check that the variable is set in this environment.',
    );
  }
}

/** Hints for a mismatch, from what can be seen without knowing the right answer. */
export function mismatchHints(secret: string, body: Uint8Array, scheme: 'falu' | 'standard'): string {
  const hints: string[] = [];
  if (secret !== secret.trim()) hints.push('The secret has leading or trailing whitespace (a newline from a file or .env?): remove it.');
  if (scheme === 'falu' && !secret.startsWith('fwhs_')) {
    hints.push('The secret does not start with fwhs_: the X-Falu-Signature key is the whole secret string as hookd shows it, prefix included.');
  }
  if (body.includes(0x0a)) {
    hints.push('The body contains line breaks, which hookd never sends (its JSON is compact): it looks re-serialised, e.g. by JSON.stringify(JSON.parse(body), null, 2).');
  }
  return hints.length > 0 ? ` ${hints.join(' ')}` : '';
}

/**
 * Verifies `X-Falu-Signature` over the raw body. Resolves with the signed timestamp; rejects with
 * a {@link WebhookVerificationError} (`missing_header`, `malformed_header`, `invalid_secret`,
 * `signature_mismatch`, `timestamp_too_old`, `timestamp_in_future`, `unsupported_body`).
 *
 * The signature is checked before the timestamp, so a timestamp error means a genuine signature.
 */
export async function verifyFaluSignature(
  rawBody: RawBody,
  header: string | readonly string[] | null | undefined,
  secret: string,
  options: VerifyOptions = {},
): Promise<VerifiedSignature> {
  const body = bodyBytes(rawBody);
  checkSecret(secret);
  if (Array.isArray(header)) {
    // Node's req.headers types custom headers as string | string[].
    if (header.length > 1) throw new MalformedHeaderError(`The X-Falu-Signature header appears ${header.length} times: it must be sent once.`, { scheme: 'falu', header: FALU_SIGNATURE_HEADER });
    header = header[0] as string | undefined;
  }
  if (header === undefined || header === null || (typeof header === 'string' && header.trim() === '')) {
    throw new MissingHeaderError(
      'The X-Falu-Signature header is missing: is this request from hookd? Check that a proxy or your framework does not drop it, ' +
      'and that you read it case-insensitively (req.headers["x-falu-signature"] in Node).',
      { scheme: 'falu', header: FALU_SIGNATURE_HEADER },
    );
  }
  if (typeof header !== 'string') {
    throw new MalformedHeaderError(`The X-Falu-Signature header must be a string, got ${typeof header}.`, { scheme: 'falu', header: FALU_SIGNATURE_HEADER });
  }
  const { timestamp, signatures } = parseFaluSignature(header);
  const expected = await hmacSha256(subtleCrypto(options.crypto), utf8(secret), concatBytes(utf8(`${timestamp}.`), body));
  if (!matchesAny(expected, signatures)) {
    throw new SignatureMismatchError(
      `No sha256 entry of X-Falu-Signature (${signatures.length} checked) matches this body with this secret. Check that ` +
      '(1) the secret is this endpoint\'s signing secret, the whole fwhs_… string (after a roll, the old and the new secret both verify until the old one expires), and ' +
      '(2) you verify the raw request body exactly as received: a body parsed and serialised again (JSON.parse then JSON.stringify), ' +
      're-encoded, or changed by a proxy does not match.' + mismatchHints(secret, body, 'falu'),
      { scheme: 'falu', header: FALU_SIGNATURE_HEADER, timestamp },
    );
  }
  checkTimestamp(timestamp, options, 'falu', 'X-Falu-Signature t');
  return { scheme: 'falu', timestamp };
}

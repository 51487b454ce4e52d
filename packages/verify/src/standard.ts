/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature: v1,<base64>[ v1,<base64>…]`, an HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>` keyed with the bytes the secret's base64 encodes.
 * Entries of other versions are ignored; any matching `v1` entry passes.
 */
import { base64ToBytes, bodyBytes, concatBytes, utf8, type RawBody } from './encoding.js';
import { InvalidSecretError, MalformedHeaderError, MissingHeaderError, SignatureMismatchError } from './errors.js';
import { checkSecret, mismatchHints, type VerifiedSignature } from './falu.js';
import { getHeader, type HeadersInput } from './headers.js';
import { hmacSha256, matchesAny, subtleCrypto } from './hmac.js';
import { checkTimestamp, UNIX_SECONDS, type VerifyOptions } from './timestamp.js';

export const STANDARD_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/** The secret prefixes taken off before the base64: hookd's own and the Standard Webhooks convention. */
const KEY_PREFIXES = ['fwhs_', 'whsec_'];

/**
 * The HMAC key for a Standard Webhooks secret: the bytes that the base64 after `fwhs_` or
 * `whsec_` encodes, or the whole string taken as base64 when it has neither prefix.
 */
export function standardWebhooksKey(secret: string): Uint8Array {
  checkSecret(secret);
  const prefix = KEY_PREFIXES.find((p) => secret.startsWith(p));
  const encoded = (prefix ? secret.slice(prefix.length) : secret).trim();
  const key = base64ToBytes(encoded);
  if (!key || key.length === 0) {
    throw new InvalidSecretError(
      `The secret is not a usable Standard Webhooks secret: ${prefix ? `after its ${prefix} prefix it` : 'without a fwhs_ or whsec_ prefix it'} must be ` +
      'non-empty base64 (a hookd secret is fwhs_ followed by 44 base64 characters). Check that you copied the whole secret.',
      { scheme: 'standard' },
    );
  }
  return key;
}

/**
 * The entries of one version in a `webhook-signature` value, decoded (other versions are
 * skipped): `v1` (HMAC, any length) or `v1a` (Ed25519, 64 bytes each).
 */
export function signatureEntries(header: string, version: 'v1' | 'v1a'): Uint8Array[] {
  const scheme = version === 'v1' ? 'standard' : 'ed25519';
  const shape = version === 'v1' ? 'v1,<base64>' : 'v1a,<base64 of 64 bytes>';
  const signatures: Uint8Array[] = [];
  const versions = new Set<string>();
  for (const entry of header.split(' ')) {
    if (entry === '') continue;
    const comma = entry.indexOf(',');
    const found = comma < 0 ? entry : entry.slice(0, comma);
    versions.add(found);
    if (found !== version) continue;
    const bytes = base64ToBytes(entry.slice(comma + 1));
    if (!bytes || bytes.length === 0 || (version === 'v1a' && bytes.length !== 64)) {
      throw new MalformedHeaderError(
        `The webhook-signature header is malformed: the entry "${entry.length > 100 ? `${entry.slice(0, 100)}…` : entry}" is not ${shape}. ` +
        'Pass the webhook-signature header value exactly as received.',
        { scheme, header: 'webhook-signature' },
      );
    }
    signatures.push(bytes);
  }
  if (signatures.length === 0) {
    const hmacOnly = version === 'v1a' && versions.has('v1')
      ? ' The request is signed with HMAC (v1): verify it with the endpoint\'s secret, or set the endpoint\'s signing to ed25519.' : '';
    throw new MalformedHeaderError(
      `The webhook-signature header has no ${version},<base64> entry${versions.size > 0 ? ` (only: ${[...versions].slice(0, 5).join(', ')})` : ''}: ` +
      `expected space-separated ${version},<base64> entries.${hmacOnly}`,
      { scheme, header: 'webhook-signature' },
    );
  }
  return signatures;
}

/** The `v1` signatures of a `webhook-signature` value (other versions are skipped). */
export function parseStandardSignature(header: string): Uint8Array[] {
  return signatureEntries(header, 'v1');
}

/**
 * Verifies the Standard Webhooks headers over the raw body. `headers` is a Fetch API `Headers`
 * or a plain object with keys in any case. Resolves with the `webhook-id` and timestamp; rejects
 * with a {@link WebhookVerificationError}.
 *
 * The signature is checked before the timestamp, so a timestamp error means a genuine signature.
 */
export async function verifyStandardWebhook(
  rawBody: RawBody,
  headers: HeadersInput,
  secret: string,
  options: VerifyOptions = {},
): Promise<VerifiedSignature> {
  const body = bodyBytes(rawBody);
  const key = standardWebhooksKey(secret);
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers must be a Headers instance or a plain object');
  const [id, timestampText, signatureText] = STANDARD_HEADERS.map((name) => {
    const value = getHeader(headers, name);
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  });
  const missing = STANDARD_HEADERS.filter((_, i) => [id, timestampText, signatureText][i] === undefined);
  if (missing.length > 0) {
    throw new MissingHeaderError(
      `The Standard Webhooks header${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: ` +
      'is this request from hookd? Check that a proxy or your framework does not drop them.',
      { scheme: 'standard', header: missing[0] },
    );
  }
  if (!UNIX_SECONDS.test(timestampText as string)) {
    throw new MalformedHeaderError(
      `The webhook-timestamp header must be Unix seconds (digits only), got ${JSON.stringify((timestampText as string).slice(0, 40))}.`,
      { scheme: 'standard', header: 'webhook-timestamp' },
    );
  }
  const timestamp = Number(timestampText);
  const signatures = parseStandardSignature(signatureText as string);
  const expected = await hmacSha256(subtleCrypto(options.crypto), key, concatBytes(utf8(`${id}.${timestampText}.`), body));
  if (!matchesAny(expected, signatures)) {
    throw new SignatureMismatchError(
      `No v1 entry of webhook-signature (${signatures.length} checked) matches this body with this secret. Check that ` +
      '(1) the secret is this endpoint\'s signing secret: hookd\'s fwhs_… string, the same with whsec_ in place of fwhs_, or just its base64 part ' +
      '(after a roll, the old and the new secret both verify until the old one expires), ' +
      '(2) you verify the raw request body exactly as received: a body parsed and serialised again (JSON.parse then JSON.stringify), ' +
      're-encoded, or changed by a proxy does not match, and (3) webhook-id and webhook-timestamp are passed unchanged.' +
      mismatchHints(secret, body, 'standard'),
      { scheme: 'standard', header: 'webhook-signature', timestamp },
    );
  }
  checkTimestamp(timestamp, options, 'standard', 'webhook-timestamp');
  return { scheme: 'standard', timestamp, id: id as string };
}

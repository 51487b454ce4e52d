/**
 * Standard Webhooks asymmetric signatures: `webhook-signature: v1a,<base64>[ v1a,<base64>…]`, an
 * Ed25519 signature over `<webhook-id>.<webhook-timestamp>.<body>`, verified with the endpoint's
 * public key (`whpk_` + base64 of its 32 raw bytes). The receiver holds no secret: a public key
 * that leaks lets nobody sign. Entries of other versions are ignored; any matching `v1a` passes.
 */
import { base64ToBytes, bodyBytes, concatBytes, utf8, type RawBody } from './encoding.js';
import { InvalidSecretError, MalformedHeaderError, MissingHeaderError, SignatureMismatchError, UnsupportedRuntimeError } from './errors.js';
import type { VerifiedSignature } from './falu.js';
import { getHeader, type HeadersInput } from './headers.js';
import { subtleCrypto, type CryptoLike } from './hmac.js';
import { signatureEntries } from './standard.js';
import { checkTimestamp, UNIX_SECONDS, type VerifyOptions } from './timestamp.js';

export const PUBLIC_KEY_PREFIX = 'whpk_';

/** The part of WebCrypto that verifies Ed25519 (Node 20+, Deno, Bun, and browsers that have it). */
interface Ed25519Subtle {
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'Ed25519' }, extractable: boolean, keyUsages: ['verify']): Promise<object>;
  verify(algorithm: { name: 'Ed25519' }, key: object, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/** True for a key this module verifies with (`whpk_…`), as opposed to an HMAC secret. */
export function isPublicKey(key: unknown): boolean {
  return typeof key === 'string' && key.startsWith(PUBLIC_KEY_PREFIX);
}

/** The 32 raw bytes of a `whpk_…` public key; throws `invalid_secret` for anything else. */
export function ed25519PublicKeyBytes(publicKey: string): Uint8Array {
  if (typeof publicKey !== 'string' || !publicKey.startsWith(PUBLIC_KEY_PREFIX)) {
    const secretHint = typeof publicKey === 'string' && publicKey.startsWith('fwhs_')
      ? ' This is the endpoint\'s HMAC secret: v1a signatures are checked with its public_key.'
      : '';
    throw new InvalidSecretError(
      `An Ed25519 public key must be whpk_ followed by base64 (the endpoint's public_key).${secretHint}`,
      { scheme: 'ed25519' },
    );
  }
  const bytes = base64ToBytes(publicKey.slice(PUBLIC_KEY_PREFIX.length).trim());
  if (!bytes || bytes.length !== 32) {
    throw new InvalidSecretError(
      `The public key is not usable: after whpk_ it must be the base64 of 32 bytes (44 characters), got ${bytes ? `${bytes.length} bytes` : 'something that is not base64'}. ` +
      'Check that you copied the whole public_key.',
      { scheme: 'ed25519' },
    );
  }
  return bytes;
}

/** The `v1a` signatures of a `webhook-signature` value (other versions are skipped). */
export function parseEd25519Signature(header: string): Uint8Array[] {
  return signatureEntries(header, 'v1a');
}

async function importKeys(subtle: Ed25519Subtle, keys: Uint8Array[]): Promise<object[]> {
  try {
    return await Promise.all(keys.map((k) => subtle.importKey('raw', k, { name: 'Ed25519' }, false, ['verify'])));
  } catch (err) {
    throw new UnsupportedRuntimeError(
      `This runtime's WebCrypto cannot import an Ed25519 key (${err instanceof Error ? err.message : String(err)}): ` +
      'v1a needs Ed25519 in crypto.subtle (Node 20+, Deno, Bun, current browsers), or pass one in options.crypto.',
      { scheme: 'ed25519' },
    );
  }
}

/**
 * Verifies the `v1a` signatures of a request over the raw body with one or several public keys
 * (during a key roll, the old and the new one). Resolves with the `webhook-id` and timestamp;
 * rejects with a {@link WebhookVerificationError}. The signature is checked before the
 * timestamp, so a timestamp error means a genuine signature.
 */
export async function verifyEd25519Webhook(
  rawBody: RawBody,
  headers: HeadersInput,
  publicKeys: string | readonly string[],
  options: VerifyOptions = {},
): Promise<VerifiedSignature> {
  const body = bodyBytes(rawBody);
  const list = typeof publicKeys === 'string' ? [publicKeys] : publicKeys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidSecretError('Pass the endpoint\'s public key (whpk_…), or an array of them during a key roll.', { scheme: 'ed25519' });
  }
  const keyBytes = list.map(ed25519PublicKeyBytes);
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers must be a Headers instance or a plain object');
  const names = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
  const [id, timestampText, signatureText] = names.map((name) => getHeader(headers, name)?.trim() || undefined);
  const missing = names.filter((_, i) => [id, timestampText, signatureText][i] === undefined);
  if (missing.length > 0) {
    throw new MissingHeaderError(
      `The Standard Webhooks header${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: ` +
      'is this request from hookd? Check that a proxy or your framework does not drop them.',
      { scheme: 'ed25519', header: missing[0] },
    );
  }
  if (!UNIX_SECONDS.test(timestampText!)) {
    throw new MalformedHeaderError(
      `The webhook-timestamp header must be Unix seconds (digits only), got ${JSON.stringify(timestampText!.slice(0, 40))}.`,
      { scheme: 'ed25519', header: 'webhook-timestamp' },
    );
  }
  const timestamp = Number(timestampText);
  const signatures = parseEd25519Signature(signatureText!);
  const subtle = subtleCrypto(options.crypto as CryptoLike | undefined) as unknown as Ed25519Subtle;
  const keys = await importKeys(subtle, keyBytes);
  const message = concatBytes(utf8(`${id}.${timestampText}.`), body);
  let matched = false;
  for (const key of keys) {
    for (const signature of signatures) {
      if (await subtle.verify({ name: 'Ed25519' }, key, signature, message)) matched = true;
    }
  }
  if (!matched) {
    const hints = body.includes(0x0a)
      ? ' The body contains line breaks, which hookd never sends (its JSON is compact): it looks re-serialised, e.g. by JSON.stringify(JSON.parse(body), null, 2).'
      : '';
    throw new SignatureMismatchError(
      `No v1a entry of webhook-signature (${signatures.length} checked) verifies this body with ${list.length === 1 ? 'this public key' : `these ${list.length} public keys`}. Check that ` +
      '(1) the key is this endpoint\'s current public_key (after a roll, pass the old and the new key until the old one stops signing), ' +
      '(2) you verify the raw request body exactly as received: a body parsed and serialised again, re-encoded, or changed by a proxy does not verify, ' +
      'and (3) webhook-id and webhook-timestamp are passed unchanged.' + hints,
      { scheme: 'ed25519', header: 'webhook-signature', timestamp },
    );
  }
  checkTimestamp(timestamp, options, 'ed25519', 'webhook-timestamp');
  return { scheme: 'ed25519', timestamp, id: id! };
}

/**
 * Delivery signatures (docs/delivery.md). Pure functions of (secrets, time, body): the sender, the
 * /test route and `hookd listen` all sign through here, and @hookd/verify checks the same
 * definitions from the other side.
 *
 * - X-Falu-Signature: `t=<unix>,sha256=<hex>[,sha256=<hex>…]`; key = the UTF-8 bytes of the
 *   whole secret string (prefix included), message = `<t>.` + the exact body bytes.
 * - Standard Webhooks: `webhook-signature: v1,<base64>[ v1,<base64>…]`; key = the bytes that
 *   the base64 after `fwhs_` encodes, message = `<webhook-id>.<webhook-timestamp>.<body>`.
 *
 * - Ed25519 endpoints: `webhook-signature: v1a,<base64>[ v1a,<base64>…]` instead of the `v1`
 *   entries, one per private key (`whsk_` + base64 of the 32-byte seed) still signing, over the
 *   same `<webhook-id>.<webhook-timestamp>.<body>`. Only `v1a`: a receiver that holds the public
 *   key needs no secret, and an HMAC entry beside it would make the secret a second way in.
 *   X-Falu-Signature stays HMAC with the secret, Falu's format having no asymmetric scheme.
 *
 * One entry per secret or key still valid (a rolled one signs until its grace period ends), so a
 * receiver that holds either verifies.
 */
import { createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { PRIVATE_KEY_PREFIX } from '../domain/signing-keys.js';

export const SECRET_PREFIX = 'fwhs_';

function hmac(key: Buffer | string, parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const p of parts) mac.update(p);
  return mac.digest();
}

/** The Standard Webhooks key: base64 after the prefix (`fwhs_` or `whsec_`), or the whole string. */
export function standardWebhooksKey(secret: string): Buffer {
  const body = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length)
    : secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return Buffer.from(body, 'base64');
}

export function faluSignature(secrets: readonly string[], timestamp: number, body: string | Buffer): string {
  const entries = secrets.map((s) => `sha256=${hmac(Buffer.from(s, 'utf8'), [`${timestamp}.`, body]).toString('hex')}`);
  return [`t=${timestamp}`, ...entries].join(',');
}

export function standardSignature(secrets: readonly string[], id: string, timestamp: number, body: string | Buffer): string {
  return secrets.map((s) => `v1,${hmac(standardWebhooksKey(s), [`${id}.${timestamp}.`, body]).toString('base64')}`).join(' ');
}

/** PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/**
 * Imported keys by their `whsk_…` string. An import costs about fifteen signatures
 * (BENCHMARKS.md, "Signing"), and a key signs every delivery of its endpoint; the bound keeps a platform with many endpoints
 * from holding every key it ever used (the oldest is dropped first).
 */
const ED25519_KEYS_MAX = 10_000;
const ed25519Keys = new Map<string, KeyObject>();

function ed25519Key(privateKey: string): KeyObject {
  let key = ed25519Keys.get(privateKey);
  if (key) return key;
  const seed = Buffer.from(privateKey.startsWith(PRIVATE_KEY_PREFIX) ? privateKey.slice(PRIVATE_KEY_PREFIX.length) : privateKey, 'base64');
  if (seed.length !== 32) throw new Error('an Ed25519 signing key must be whsk_ + base64 of 32 bytes');
  key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  if (ed25519Keys.size >= ED25519_KEYS_MAX) ed25519Keys.delete(ed25519Keys.keys().next().value!);
  ed25519Keys.set(privateKey, key);
  return key;
}

/** Standard Webhooks `v1a`: one Ed25519 signature per private key, space-separated. */
export function ed25519Signature(privateKeys: readonly string[], id: string, timestamp: number, body: string | Buffer): string {
  const message = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), typeof body === 'string' ? Buffer.from(body) : body]);
  return privateKeys.map((k) => `v1a,${sign(null, message, ed25519Key(k)).toString('base64')}`).join(' ');
}

export interface SignatureHeaders {
  'x-falu-signature': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Both schemes at once; `timestamp` is Unix seconds. `ed25519` (an Ed25519 endpoint's private
 * keys still signing): `webhook-signature` carries their `v1a` entries and no `v1`.
 */
export function signatureHeaders(secrets: readonly string[], eventId: string, timestamp: number, body: string | Buffer, ed25519?: readonly string[]): SignatureHeaders {
  return {
    'x-falu-signature': faluSignature(secrets, timestamp, body),
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': ed25519 && ed25519.length > 0 ? ed25519Signature(ed25519, eventId, timestamp, body) : standardSignature(secrets, eventId, timestamp, body),
  };
}

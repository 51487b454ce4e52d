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
 * One entry per secret still valid (a rolled secret signs until its grace period ends), so a
 * receiver that holds either secret verifies.
 */
import { createHmac } from 'node:crypto';

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

export interface SignatureHeaders {
  'x-falu-signature': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Both schemes at once; `timestamp` is Unix seconds. */
export function signatureHeaders(secrets: readonly string[], eventId: string, timestamp: number, body: string | Buffer): SignatureHeaders {
  return {
    'x-falu-signature': faluSignature(secrets, timestamp, body),
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardSignature(secrets, eventId, timestamp, body),
  };
}

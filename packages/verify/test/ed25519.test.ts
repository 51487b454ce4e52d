/**
 * v1a (Ed25519) verification of what hookd's own code sends for an Ed25519 endpoint
 * (fixtures.ts), with the public key only; and every way it fails, each with its code and a
 * message that says what to check.
 */
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSigningKey } from '../../../src/domain/signing-keys.js';
import {
  constructEvent, MAX_FUTURE_SKEW, verifyEd25519Webhook, verifyWebhook, WebhookVerificationError, type WebhookVerificationErrorCode,
} from '../src/index.js';
import { hookdDelivery, hookdEd25519Delivery, NOW } from './fixtures.js';

const d = hookdEd25519Delivery({ rolled: 1 });
const [current, old] = d.publicKeys as [string, string];

async function failure(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, 'verification should have failed').toBeInstanceOf(WebhookVerificationError);
  return err as WebhookVerificationError;
}

describe('verifyEd25519Webhook verifies', () => {
  it.each([
    ['the current key', current],
    ['the rolled key, during its grace', old],
    ['either of both keys', [old, current]],
    ['one of several, the others unknown', [newSigningKey().publicKey, current]],
  ])('with %s', async (_, keys) => {
    expect(await verifyEd25519Webhook(d.body, d.headers, keys, { now: NOW })).toEqual({ scheme: 'ed25519', timestamp: NOW, id: d.headers['webhook-id'] });
  });

  it('as bytes, ArrayBuffer, and with a Fetch Headers object', async () => {
    const bytes = new TextEncoder().encode(d.body);
    await expect(verifyEd25519Webhook(bytes, new Headers(d.headers), current, { now: NOW })).resolves.toMatchObject({ scheme: 'ed25519' });
    await expect(verifyEd25519Webhook(bytes.buffer, d.headers, current, { now: NOW })).resolves.toMatchObject({ scheme: 'ed25519' });
  });

  it('through constructEvent and verifyWebhook when given a whpk_ key, whatever the scheme but falu and both', async () => {
    const event = await constructEvent(d.body, d.headers, current, { now: NOW });
    expect(event).toMatchObject({ type: 'message.delivered', data: { object: { id: 'msg_123' } } });
    for (const scheme of ['auto', 'standard'] as const) {
      await expect(verifyWebhook(d.body, d.headers, [current, old], { now: NOW, scheme })).resolves.toMatchObject({ scheme: 'ed25519' });
    }
    // X-Falu-Signature is still HMAC with the endpoint's secret.
    await expect(verifyWebhook(d.body, d.headers, d.secret, { now: NOW, scheme: 'falu' })).resolves.toMatchObject({ scheme: 'falu' });
  });

  it('with a WebCrypto passed in options.crypto', async () => {
    await expect(verifyEd25519Webhook(d.body, d.headers, current, { now: NOW, crypto: webcrypto as never })).resolves.toMatchObject({ scheme: 'ed25519' });
  });
});

describe('verifyEd25519Webhook rejects', () => {
  const hmac = hookdDelivery();
  const reserialised = JSON.stringify(JSON.parse(d.body), null, 2);
  const cases: { name: string; code: WebhookVerificationErrorCode; says: RegExp; body?: string; headers?: Record<string, string>; keys?: unknown; now?: number; options?: object }[] = [
    { name: 'a wrong public key', code: 'signature_mismatch', keys: newSigningKey().publicKey, says: /current public_key/ },
    { name: 'a re-serialised body', code: 'signature_mismatch', body: reserialised, says: /re-serialised/ },
    { name: 'a tampered body', code: 'signature_mismatch', body: d.body.replace('"amount":1000', '"amount":9000'), says: /raw request body/ },
    { name: 'another webhook-id', code: 'signature_mismatch', headers: { ...d.headers, 'webhook-id': 'evt_other' }, says: /webhook-id and webhook-timestamp/ },
    { name: 'a stale timestamp', code: 'timestamp_too_old', now: NOW + 301, says: /NTP/ },
    { name: 'a timestamp in the future (clock skew)', code: 'timestamp_in_future', now: NOW - MAX_FUTURE_SKEW - 1, says: /NTP/ },
    { name: 'the HMAC secret in place of the public key', code: 'invalid_secret', keys: d.secret, says: /HMAC secret: v1a signatures are checked with its public_key/ },
    { name: 'a truncated public key', code: 'invalid_secret', keys: current.slice(0, -4), says: /32 bytes/ },
    { name: 'no key at all', code: 'invalid_secret', keys: [], says: /public key/ },
    { name: 'an HMAC (v1) delivery', code: 'malformed_header', headers: hmac.headers, body: hmac.body, says: /signed with HMAC \(v1\)/ },
    { name: 'a v1a entry that is not 64 bytes', code: 'malformed_header', headers: { ...d.headers, 'webhook-signature': 'v1a,AAAA' }, says: /v1a,<base64 of 64 bytes>/ },
    { name: 'a missing webhook-signature', code: 'missing_header', headers: { 'webhook-id': d.headers['webhook-id']!, 'webhook-timestamp': d.headers['webhook-timestamp']! }, says: /webhook-signature is missing/ },
    { name: 'a timestamp that is not Unix seconds', code: 'malformed_header', headers: { ...d.headers, 'webhook-timestamp': '2026-01-15' }, says: /Unix seconds/ },
    {
      name: 'a runtime without Ed25519 in WebCrypto', code: 'unsupported_runtime', says: /Ed25519 in crypto.subtle/,
      options: { crypto: { subtle: { importKey: () => Promise.reject(new Error('Unrecognized name')), sign: () => Promise.reject(new Error('no')) } } },
    },
  ];
  it.each(cases)('$name ($code)', async (c) => {
    const err = await failure(verifyEd25519Webhook(c.body ?? d.body, c.headers ?? d.headers, (c.keys ?? current) as string, { now: c.now ?? NOW, ...c.options }));
    expect(err.code).toBe(c.code);
    expect(err.message).toMatch(c.says);
    expect(err.scheme).toBe('ed25519');
  });

  it('refuses a public key where options.scheme checks X-Falu-Signature', async () => {
    for (const scheme of ['falu', 'both'] as const) {
      const err = await failure(verifyWebhook(d.body, d.headers, current, { now: NOW, scheme }));
      expect(err.code).toBe('invalid_secret');
      expect(err.message).toMatch(/X-Falu-Signature, which is HMAC/);
    }
  });
});

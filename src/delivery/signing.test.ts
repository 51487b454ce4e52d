import { createHmac, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { headersToSend } from './sender.js';
import { ed25519Signature, faluSignature, signatureHeaders, standardSignature } from './signing.js';

const secret = 'fwhs_' + Buffer.alloc(32, 7).toString('base64');
const rolled = 'fwhs_' + Buffer.alloc(32, 9).toString('base64');
const body = '{"id":"evt_1","type":"payment.created","data":{"object":{"amount":1000,"note":"café"}}}';

describe('faluSignature', () => {
  it('is t=<unix>,sha256=<hex of HMAC(secret string, "<t>." + body)>', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(faluSignature([secret], 1700000000, body)).toBe(`t=1700000000,sha256=${expected}`);
  });

  it('has one entry per valid secret, in order', () => {
    const sig = faluSignature([rolled, secret], 1700000000, body);
    const parts = sig.split(',');
    expect(parts).toHaveLength(3);
    expect(parts[2]).toBe(faluSignature([secret], 1700000000, body).split(',')[1]);
  });

  it('signs the exact bytes: a re-serialised body does not verify', () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    expect(faluSignature([secret], 1, reserialised)).not.toBe(faluSignature([secret], 1, body));
  });
});

describe('Standard Webhooks', () => {
  it.each([[[secret]], [[rolled, secret]], [[secret, rolled]]])('verifies with the standardwebhooks package (%#)', (secrets) => {
    const ts = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders(secrets, 'evt_0VcH4uJPcae3MwzgN0Myzsz3', ts, body);
    for (const s of secrets) {
      // The package takes the secret with a whsec_ prefix or as bare base64.
      const wh = new Webhook(s.slice('fwhs_'.length));
      expect(wh.verify(body, headers)).toEqual(JSON.parse(body));
    }
    expect(() => new Webhook(Buffer.alloc(32, 1).toString('base64')).verify(body, headers)).toThrow();
  });

  it('matches an independent HMAC over "<id>.<timestamp>.<body>" with the decoded key', () => {
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(`evt_1.1700000000.${body}`).digest('base64');
    expect(standardSignature([secret], 'evt_1', 1700000000, body)).toBe(`v1,${expected}`);
    expect(standardSignature([rolled, secret], 'evt_1', 1700000000, body).split(' ')).toHaveLength(2);
  });
});

// Checked with node:crypto directly: the public key is built from its 32 raw bytes (SPKI DER),
// never from hookd's own key handling.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
function publicKeyFromRaw(raw: Buffer) {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}
function verifyV1a(entry: string, raw: Buffer, message: string): boolean {
  expect(entry.startsWith('v1a,')).toBe(true);
  return verify(null, Buffer.from(message), publicKeyFromRaw(raw), Buffer.from(entry.slice('v1a,'.length), 'base64'));
}
// RFC 8032, section 7.1, TEST 2: a seed and the public key it makes.
const rfcSeed = Buffer.from('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', 'hex');
const rfcPublic = Buffer.from('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', 'hex');
function freshPair(): { privateKey: string; raw: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: 'whsk_' + Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url').toString('base64'),
    raw: Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'),
  };
}

describe('Ed25519 (v1a)', () => {
  const message = `evt_1.1700000000.${body}`;

  it('signs "<id>.<timestamp>.<body>" with the seed after whsk_ (RFC 8032 test key)', () => {
    const sig = ed25519Signature(['whsk_' + rfcSeed.toString('base64')], 'evt_1', 1700000000, body);
    expect(sig.split(' ')).toHaveLength(1);
    expect(verifyV1a(sig, rfcPublic, message)).toBe(true);
    expect(verifyV1a(sig, rfcPublic, `evt_1.1700000001.${body}`)).toBe(false);
    expect(verifyV1a(sig, rfcPublic, `evt_2.1700000000.${body}`)).toBe(false);
    expect(verifyV1a(sig, rfcPublic, `evt_1.1700000000.${JSON.stringify(JSON.parse(body), null, 1)}`)).toBe(false);
  });

  it('signs a Buffer body as its bytes, like the same string', () => {
    const key = 'whsk_' + rfcSeed.toString('base64');
    expect(ed25519Signature([key], 'evt_1', 1, Buffer.from(body))).toBe(ed25519Signature([key], 'evt_1', 1, body));
  });

  it.each([1, 2, 4])('has one entry per key, in order, each verifying with its own public key only (%i keys)', (n) => {
    const pairs = Array.from({ length: n }, freshPair);
    const entries = ed25519Signature(pairs.map((p) => p.privateKey), 'evt_1', 1700000000, body).split(' ');
    expect(entries).toHaveLength(n);
    entries.forEach((entry, i) => {
      pairs.forEach((pair, j) => expect(verifyV1a(entry, pair.raw, message)).toBe(i === j));
    });
  });

  it('signs the same with a cached key as with a fresh import (Ed25519 is deterministic)', () => {
    const key = freshPair();
    const first = ed25519Signature([key.privateKey], 'evt_1', 1700000000, body);
    expect(ed25519Signature([key.privateKey], 'evt_1', 1700000000, body)).toBe(first);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => ed25519Signature(['whsk_' + Buffer.alloc(31).toString('base64')], 'evt_1', 1, body)).toThrow(/32 bytes/);
  });

  it('signatureHeaders: an Ed25519 endpoint\'s webhook-signature has only v1a; X-Falu-Signature stays HMAC with the secret', () => {
    const key = freshPair();
    const headers = signatureHeaders([secret], 'evt_1', 1700000000, body, [key.privateKey]);
    expect(headers['webhook-signature']).not.toContain('v1,');
    expect(verifyV1a(headers['webhook-signature'], key.raw, message)).toBe(true);
    expect(headers['x-falu-signature']).toBe(`t=1700000000,sha256=${createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex')}`);
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe('1700000000');
  });

  it.each([[undefined], [[]]])('signatureHeaders without Ed25519 keys (%j) signs v1 as before', (keys) => {
    expect(signatureHeaders([secret], 'evt_1', 1700000000, body, keys)['webhook-signature']).toBe(standardSignature([secret], 'evt_1', 1700000000, body));
  });

  it('headersToSend signs with the request\'s Ed25519 keys', () => {
    const key = freshPair();
    const headers = headersToSend({ headers: { 'x-api-key': 'k' }, body, sign: { secrets: [secret], id: 'evt_1', timestamp: 1700000000, ed25519: [key.privateKey] } });
    expect(headers['x-api-key']).toBe('k');
    expect(verifyV1a(headers['webhook-signature']!, key.raw, message)).toBe(true);
  });
});

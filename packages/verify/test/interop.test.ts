/**
 * Interoperability: what hookd sends (its own buildRequest and signing.ts) verifies here, with
 * the npm `standardwebhooks` package and with `svix`'s Webhook.verify, for fresh and rolled
 * secrets; and this library accepts what `standardwebhooks` and `svix` sign.
 */
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { faluSignature, signatureHeaders, standardSignature } from '../../../src/delivery/signing.js';
import { newWebhookSecret } from '../../../src/domain/ids.js';
import { constructEvent, verifyFaluSignature, verifyStandardWebhook } from '../src/index.js';
import { hookdDelivery, NOW } from './fixtures.js';

const base64Part = (secret: string) => secret.slice('fwhs_'.length);
/** The three spellings of one hookd secret that a Standard Webhooks verifier accepts. */
const spellings = (secret: string) => [secret, `whsec_${base64Part(secret)}`, base64Part(secret)];

const cases = [
  { name: 'a fresh secret', rolled: 0 },
  { name: 'a rolled secret (two entries)', rolled: 1 },
  { name: 'four rolled secrets (five entries)', rolled: 4 },
] as const;

describe('hookd → @hookd/verify', () => {
  describe.each(cases)('$name', ({ rolled }) => {
    it.each(['basic', 'cloud_events'] as const)('X-Falu-Signature verifies with every valid secret (%s)', async (format) => {
      const d = hookdDelivery({ format, rolled });
      expect(d.headers['x-falu-signature']!.split(',')).toHaveLength(2 + rolled);
      for (const secret of d.secrets) {
        await expect(verifyFaluSignature(d.body, d.headers['x-falu-signature'], secret, { now: NOW })).resolves.toEqual({ scheme: 'falu', timestamp: NOW });
        // The same bytes as a Buffer, a Uint8Array and an ArrayBuffer.
        const bytes = new TextEncoder().encode(d.body);
        await verifyFaluSignature(Buffer.from(d.body), d.headers['x-falu-signature'], secret, { now: NOW });
        await verifyFaluSignature(bytes, d.headers['x-falu-signature'], secret, { now: NOW });
        await verifyFaluSignature(bytes.buffer, d.headers['x-falu-signature'], secret, { now: NOW });
      }
    });

    it.each(['basic', 'cloud_events'] as const)('the Standard Webhooks headers verify with every valid secret, in each spelling (%s)', async (format) => {
      const d = hookdDelivery({ format, rolled });
      expect(d.headers['webhook-signature']!.split(' ')).toHaveLength(1 + rolled);
      for (const secret of d.secrets) {
        for (const spelling of spellings(secret)) {
          await expect(verifyStandardWebhook(d.body, d.headers, spelling, { now: NOW })).resolves.toEqual({ scheme: 'standard', timestamp: NOW, id: d.event.id });
          await verifyStandardWebhook(d.body, new Headers(d.headers), spelling, { now: NOW });
        }
      }
    });

    it('constructEvent verifies with each valid secret', async () => {
      const d = hookdDelivery({ rolled });
      for (const secret of d.secrets) {
        const event = await constructEvent(d.body, d.headers, secret, { now: NOW });
        expect(event.id).toBe(d.event.id);
      }
    });
  });

  it('an unrelated secret does not verify either scheme', async () => {
    const d = hookdDelivery({ rolled: 1 });
    const other = newWebhookSecret();
    await expect(verifyFaluSignature(d.body, d.headers['x-falu-signature'], other, { now: NOW })).rejects.toMatchObject({ code: 'signature_mismatch' });
    await expect(verifyStandardWebhook(d.body, d.headers, other, { now: NOW })).rejects.toMatchObject({ code: 'signature_mismatch' });
  });

  it('signing.ts used directly (faluSignature, standardSignature, signatureHeaders) verifies too', async () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const body = '{"id":"evt_1","note":"ünïcödé ✓"}';
    await verifyFaluSignature(body, faluSignature([a, b], NOW, body), b, { now: NOW });
    await verifyFaluSignature(Buffer.from(body), faluSignature([a], NOW, Buffer.from(body)), a, { now: NOW });
    await verifyStandardWebhook(body, { 'Webhook-Id': 'evt_1', 'Webhook-Timestamp': String(NOW), 'Webhook-Signature': standardSignature([a, b], 'evt_1', NOW, body) }, a, { now: NOW });
    await verifyStandardWebhook(body, { ...signatureHeaders([b], 'evt_2', NOW, body) }, b, { now: NOW });
  });
});

describe('hookd → standardwebhooks and svix', () => {
  describe.each(cases)('$name', ({ rolled }) => {
    it.each(['basic', 'cloud_events'] as const)('what hookd sends verifies with standardwebhooks and svix, with every valid secret (%s)', (format) => {
      // These libraries read the system clock, so the delivery is signed now.
      const d = hookdDelivery({ format, rolled, nowMs: Date.now() });
      for (const secret of d.secrets) {
        for (const spelling of [`whsec_${base64Part(secret)}`, base64Part(secret)]) {
          expect(new StandardWebhook(spelling).verify(d.body, d.headers)).toEqual(JSON.parse(d.body));
          expect(new SvixWebhook(spelling).verify(d.body, d.headers)).toEqual(JSON.parse(d.body));
        }
      }
      const other = `whsec_${base64Part(newWebhookSecret())}`;
      expect(() => new StandardWebhook(other).verify(d.body, d.headers)).toThrow();
      expect(() => new SvixWebhook(other).verify(d.body, d.headers)).toThrow();
    });
  });
});

describe('standardwebhooks and svix → @hookd/verify', () => {
  const libraries = [
    { name: 'standardwebhooks', make: (s: string) => new StandardWebhook(s) },
    { name: 'svix', make: (s: string) => new SvixWebhook(s) },
  ];

  it.each(libraries)('accepts what $name signs, with the secret in each spelling', async ({ make }) => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ id: 'evt_x', type: 'payment.succeeded', created: '2026-01-15T12:00:00.000Z', data: { object: { amount: 5 } }, workspace: 'wksp_1', live: true });
    const signature = make(`whsec_${base64Part(secret)}`).sign('msg_2Lh9kKyd', new Date(NOW * 1000), body);
    const headers = { 'webhook-id': 'msg_2Lh9kKyd', 'webhook-timestamp': String(NOW), 'webhook-signature': signature };
    for (const spelling of spellings(secret)) {
      await expect(verifyStandardWebhook(body, headers, spelling, { now: NOW })).resolves.toMatchObject({ id: 'msg_2Lh9kKyd' });
    }
    const event = await constructEvent(body, headers, `whsec_${base64Part(secret)}`, { now: NOW });
    expect(event).toMatchObject({ id: 'evt_x', type: 'payment.succeeded', live: true, data: { object: { amount: 5 } } });
    // Alongside an entry of another version and one for another secret, as a multi-secret sender would send.
    const other = make(`whsec_${base64Part(newWebhookSecret())}`).sign('msg_2Lh9kKyd', new Date(NOW * 1000), body);
    const mixed = { ...headers, 'webhook-signature': `v1a,AAAA ${other} ${signature}` };
    await verifyStandardWebhook(body, mixed, secret, { now: NOW });
    await expect(verifyStandardWebhook(body + ' ', headers, secret, { now: NOW })).rejects.toMatchObject({ code: 'signature_mismatch' });
  });
});

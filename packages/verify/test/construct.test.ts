/** constructEvent: which signature it checks, and the one event shape for both payload formats. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { faluSignature, signatureHeaders } from '../../../src/delivery/signing.js';
import { newWebhookSecret } from '../../../src/domain/ids.js';
import { constructEvent, parseEvent, verifyWebhook, type HookdEventType, type WebhookEvent } from '../src/index.js';
import { hookdDelivery, NOW, NOW_MS } from './fixtures.js';

describe('the event', () => {
  it('basic: the event object as sent', async () => {
    const d = hookdDelivery({ format: 'basic' });
    const event = await constructEvent(d.body, d.headers, d.secrets[0]!, { now: NOW });
    expect(event).toEqual({
      id: d.event.id,
      type: 'message.delivered',
      created: new Date(NOW_MS - 1000).toISOString(),
      data: d.event.data,
      workspace: d.event.workspace,
      live: false,
      request: { id: 'req_abc', idempotency_key: 'idem-1' },
    });
  });

  it('cloud_events: the same event, type without the prefix, time as created, no request', async () => {
    const d = hookdDelivery({ format: 'cloud_events', event: { live: true } });
    expect(JSON.parse(d.body)).toMatchObject({ specversion: '1.0', type: 'io.falu.message.delivered' });
    const event = await constructEvent(d.body, d.headers, d.secrets[0]!, { now: NOW });
    expect(event).toEqual({
      id: d.event.id,
      type: 'message.delivered',
      created: new Date(NOW_MS - 1000).toISOString(),
      data: d.event.data,
      workspace: d.event.workspace,
      live: true,
    });
  });

  it('cloud_events with a configured prefix (HOOKD_CLOUDEVENTS_TYPE_PREFIX)', async () => {
    const d = hookdDelivery({ format: 'cloud_events', typePrefix: 'com.example.hooks.' });
    const event = await constructEvent(d.body, d.headers, d.secrets[0]!, { now: NOW, typePrefix: 'com.example.hooks.' });
    expect(event.type).toBe('message.delivered');
    const err = await constructEvent(d.body, d.headers, d.secrets[0]!, { now: NOW }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_payload' });
    expect((err as Error).message).toMatch(/typePrefix/);
    const bare = await constructEvent(d.body, d.headers, d.secrets[0]!, { now: NOW, typePrefix: '' });
    expect(bare.type).toBe('com.example.hooks.message.delivered');
  });

  it('an event without previous, and an event type outside the default catalog', async () => {
    const d = hookdDelivery({ event: { type: 'shipment.dispatched', data: { object: { id: 'shp_1' } } } });
    const event = await constructEvent<{ id: string }>(d.body, d.headers, d.secrets[0]!, { now: NOW });
    expect(event.type).toBe('shipment.dispatched');
    expect(event.data).toEqual({ object: { id: 'shp_1' } });
    expectTypeOf(event.data.object.id).toEqualTypeOf<string>();
  });

  it('is typed: type is the catalog union (plus any string), data.object is typed by the caller', () => {
    expectTypeOf<WebhookEvent['type']>().toExtend<string>();
    expectTypeOf<'message.delivered'>().toExtend<WebhookEvent['type']>();
    expectTypeOf<HookdEventType>().toExtend<WebhookEvent['type']>();
    expectTypeOf<WebhookEvent['live']>().toEqualTypeOf<boolean>();
  });

  it.each([
    ['not JSON', 'hello', /not UTF-8 JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['without data', JSON.stringify({ id: 'evt_1', type: 'a.b', created: 'x', workspace: 'w', live: true }), /data is missing/],
    ['without data.object', JSON.stringify({ id: 'evt_1', type: 'a.b', created: 'x', data: {}, workspace: 'w', live: true }), /data\.object/],
    ['without live', JSON.stringify({ id: 'evt_1', type: 'a.b', created: 'x', data: { object: {} }, workspace: 'w' }), /live is missing/],
    ['with a numeric id', JSON.stringify({ id: 1, type: 'a.b', created: 'x', data: { object: {} }, workspace: 'w', live: true }), /id is not a string/],
    ['CloudEvents 0.3', JSON.stringify({ specversion: '0.3', id: 'evt_1', type: 'io.falu.a.b', time: 'x', data: { object: {} }, workspace: 'w', live: true }), /specversion/],
  ])('a verified body that is not a hookd event (%s) → invalid_payload', async (_name, body, says) => {
    const secret = newWebhookSecret();
    const err = await constructEvent(body, { ...signatureHeaders([secret], 'evt_1', NOW, body) }, secret, { now: NOW }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_payload', isRequestError: true });
    expect((err as Error).message).toMatch(says);
    expect((err as Error).message).toMatch(/signature is valid/);
  });

  it('parseEvent parses without verifying (for bodies verified elsewhere)', () => {
    const d = hookdDelivery({ format: 'cloud_events' });
    expect(parseEvent(JSON.parse(d.body)).type).toBe('message.delivered');
  });
});

describe('which signature is checked', () => {
  const d = hookdDelivery();
  const secret = d.secrets[0]!;
  const b64 = secret.slice(5);
  const brokenFalu = { ...d.headers, 'x-falu-signature': faluSignature([newWebhookSecret()], NOW, d.body) };
  const brokenStandard = { ...d.headers, 'webhook-signature': d.headers['webhook-signature']!.replace('v1,', 'v1,AAAA') };

  it('auto: X-Falu-Signature when present (the Standard Webhooks headers are not looked at)', async () => {
    await expect(verifyWebhook(d.body, brokenStandard, secret, { now: NOW })).resolves.toMatchObject({ scheme: 'falu' });
    await expect(verifyWebhook(d.body, brokenFalu, secret, { now: NOW })).rejects.toMatchObject({ code: 'signature_mismatch', scheme: 'falu' });
  });

  it('auto: the Standard Webhooks headers when X-Falu-Signature is absent', async () => {
    const { 'x-falu-signature': _, ...standardOnly } = d.headers;
    await expect(verifyWebhook(d.body, standardOnly, secret, { now: NOW })).resolves.toMatchObject({ scheme: 'standard', id: d.event.id });
    await expect(verifyWebhook(d.body, standardOnly, b64, { now: NOW })).resolves.toMatchObject({ scheme: 'standard' });
  });

  it('auto: a whsec_ secret is a Standard Webhooks secret, so those headers are used', async () => {
    await expect(verifyWebhook(d.body, brokenFalu, `whsec_${b64}`, { now: NOW })).resolves.toMatchObject({ scheme: 'standard' });
  });

  it('auto: X-Falu-Signature only (e.g. a Falu-compatible sender)', async () => {
    const faluOnly = { 'x-falu-signature': d.headers['x-falu-signature']! };
    await expect(verifyWebhook(d.body, faluOnly, secret, { now: NOW })).resolves.toMatchObject({ scheme: 'falu' });
  });

  it("'both' requires both to verify", async () => {
    await expect(verifyWebhook(d.body, d.headers, secret, { now: NOW, scheme: 'both' })).resolves.toMatchObject({ scheme: 'falu' });
    await expect(verifyWebhook(d.body, brokenStandard, secret, { now: NOW, scheme: 'both' })).rejects.toMatchObject({ scheme: 'standard' });
    await expect(verifyWebhook(d.body, brokenFalu, secret, { now: NOW, scheme: 'both' })).rejects.toMatchObject({ scheme: 'falu' });
    const { 'webhook-id': _, ...noId } = d.headers;
    await expect(verifyWebhook(d.body, noId, secret, { now: NOW, scheme: 'both' })).rejects.toMatchObject({ code: 'missing_header' });
  });

  it("'falu' and 'standard' check only that one", async () => {
    await expect(verifyWebhook(d.body, brokenStandard, secret, { now: NOW, scheme: 'falu' })).resolves.toMatchObject({ scheme: 'falu' });
    await expect(verifyWebhook(d.body, brokenFalu, secret, { now: NOW, scheme: 'standard' })).resolves.toMatchObject({ scheme: 'standard' });
    await expect(verifyWebhook(d.body, brokenFalu, secret, { now: NOW, scheme: 'falu' })).rejects.toMatchObject({ code: 'signature_mismatch' });
    await expect(verifyWebhook(d.body, d.headers, secret, { now: NOW, scheme: 'nope' as 'falu' })).rejects.toBeInstanceOf(TypeError);
  });
});

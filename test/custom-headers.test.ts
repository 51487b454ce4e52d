/**
 * An endpoint's custom headers (docs/delivery.md, "Custom headers"), end to end: what the
 * receiver gets on an ordinary delivery, the test event and a manual retry; how a merge patch
 * edits them; that the API shows them masked; and which names and values get a 400 naming them.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { problem, startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { untilValue } from './wait.js';

const API_KEY = 'gw_live_7Yq2vN9kR4sT1xW8zB3m';
const TENANT = 'acme';

describe('custom headers', () => {
  let h: TestHookd;
  let ws: { id: string; test: string; live: string };
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    h = await startHookd({ retrySchedule: [0], requestTimeout: 5_000, lease: 10_000 }, { dispatcher: true });
  });
  beforeEach(async () => {
    ws = await h.workspace();
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
  });
  afterAll(async () => h.close());

  async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  }

  async function create(body: Record<string, unknown>) {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { events: ['payment.*'], ...body } });
    expect(res.statusCode, res.body).toBe(201);
    return { ...(res.json() as { id: string; etag: string; headers: Record<string, string> }), raw: res.body };
  }

  async function publish() {
    const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: 'pa_1' } } } });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string };
  }

  it('go with every delivery, as stored; GET shows them masked, never whole', async () => {
    const r = await receiver();
    const ep = await create({ url: r.url, headers: { 'X-Api-Key': API_KEY, 'X-Tenant': TENANT } });
    expect(ep.headers).toEqual({ 'X-Api-Key': `********${API_KEY.slice(-4)}`, 'X-Tenant': '********' });
    expect(ep.raw).not.toContain(API_KEY);

    await publish();
    const [got] = await r.waitFor(1);
    expect(got!.headers['x-api-key']).toBe(API_KEY);
    expect(got!.headers['x-tenant']).toBe(TENANT);
    // hookd's own headers are still its own.
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['user-agent']).toMatch(/^hookd\//);

    for (const url of [`/v1/webhooks/endpoints/${ep.id}`, '/v1/webhooks/endpoints']) {
      const res = await h.call('GET', url, { key: ws.test });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(API_KEY);
      expect(res.body).toContain(`"X-Api-Key":"********${API_KEY.slice(-4)}"`);
    }
  });

  it('are edited by merge patch: a name in any case replaces, null removes one, null removes all', async () => {
    const r = await receiver();
    const ep = await create({ url: r.url, headers: { 'X-Api-Key': API_KEY, 'X-Tenant': TENANT } });

    const patch = async (headers: unknown) => {
      const res = await h.call('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, body: { headers } });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { headers: Record<string, string> }).headers;
    };
    expect(await patch({ 'x-tenant': null, 'X-Region': 'eu-west-1', 'x-api-key': 'gw_live_rotated_0000000000AbCd' })).toEqual({ 'x-api-key': '********AbCd', 'X-Region': '********' });
    await publish();
    const [got] = await r.waitFor(1);
    expect(got!.headers['x-api-key']).toBe('gw_live_rotated_0000000000AbCd');
    expect(got!.headers['x-region']).toBe('eu-west-1');
    expect(got!.headers['x-tenant']).toBeUndefined();

    expect(await patch(null)).toEqual({});
    await publish();
    const [, second] = await r.waitFor(2);
    expect(second!.headers['x-api-key']).toBeUndefined();
    expect(second!.headers['x-region']).toBeUndefined();
  });

  it('go with the test event and a manual retry', async () => {
    const r = await receiver((n) => ({ status: n === 1 ? 500 : 200 }));
    const ep = await create({ url: r.url, headers: { 'X-Api-Key': API_KEY } });
    const test = await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/test`, { key: ws.test });
    expect(test.statusCode).toBe(200);
    // The test event carries the endpoint object, which has the header masked only.
    expect(r.received[0]!.body).not.toContain(API_KEY);
    expect(r.received[0]!.headers['x-api-key']).toBe(API_KEY);

    const event = await publish();
    await untilValue('the delivery failed', async () => {
      const res = await h.call('GET', `/v1/webhooks?event=${event.id}&endpoint=${ep.id}`, { key: ws.test });
      return (res.json() as { status: string }[])[0]?.status === 'failed' ? true : undefined;
    }, 10_000, 25);
    const retry = await h.call('POST', `/v1/events/${event.id}/retry`, { key: ws.test, body: { webhook_endpoint: ep.id } });
    expect(retry.json()).toMatchObject({ manual: true, code: 200 });
    expect(r.received.map((got) => got.headers['x-api-key'])).toEqual([API_KEY, API_KEY, API_KEY]);
  });

  it.each([
    ['Host', 'evil.example', 'headers.Host', 'hop-by-hop or framing'],
    ['Transfer-Encoding', 'chunked', 'headers.Transfer-Encoding', 'hop-by-hop or framing'],
    ['authorization', 'Bearer x', 'headers.authorization', 'use the endpoint\'s token'],
    ['X-Falu-Signature', 'x', 'headers.X-Falu-Signature', 'X-Falu-*'],
    ['Webhook-Id', 'x', 'headers.Webhook-Id', 'webhook-*'],
    ['traceparent', 'x', 'headers.traceparent', 'trace context'],
    ['X Api', 'x', 'headers.X Api', 'HTTP token'],
    ['X-Api-Key', 'a\r\nX-Injected: 1', 'headers.X-Api-Key', 'carriage return'],
    ['X-Api-Key', 'a\nb', 'headers.X-Api-Key', 'line feed'],
    ['X-Api-Key', 'a\u0000b', 'headers.X-Api-Key', 'NUL'],
    ['X-Api-Key', 'k'.repeat(1025), 'headers.X-Api-Key', 'at most 1024 bytes'],
    ['X-Api-Key', 42, 'headers.X-Api-Key', 'must be a string'],
  ])('refuses %j: %j with a 400 naming the header, on create and on patch', async (name, value, field, message) => {
    const created = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/hooks', events: ['*'], headers: { [name]: value } } });
    expect(created.statusCode).toBe(400);
    expect(problem(created).errors![field]!.join(' ')).toContain(message);
    if (typeof value === 'string' && value.length > 1) expect(created.body).not.toContain(value);

    const ep = await create({ url: 'https://example.com/hooks' });
    const patched = await h.call('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, body: { headers: { [name]: value } } });
    expect(patched.statusCode).toBe(400);
    expect(problem(patched).errors![field]!.join(' ')).toContain(message);
  });

  it('refuses more than 20, counting those the endpoint has, and one name twice', async () => {
    const many = (n: number, from = 0) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-H${from + i}`, 'v']));
    const tooMany = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/hooks', events: ['*'], headers: many(21) } });
    expect(tooMany.statusCode).toBe(400);
    expect(problem(tooMany).errors).toEqual({ headers: ['must have at most 20 headers'] });

    const ep = await create({ url: 'https://example.com/hooks', headers: many(15) });
    const merged = await h.call('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, body: { headers: many(6, 15) } });
    expect(merged.statusCode).toBe(400);
    expect(problem(merged).errors).toEqual({ headers: ['must have at most 20 headers once merged with those the endpoint has'] });
    // Replacing and removing within the 20 is fine.
    const within = await h.call('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, body: { headers: { ...many(5, 15), 'x-h0': null } } });
    expect(within.statusCode, within.body).toBe(200);
    expect(Object.keys((within.json() as { headers: object }).headers)).toHaveLength(19);

    const twice = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/hooks', events: ['*'], headers: { 'X-Api-Key': 'a', 'x-api-key': 'b' } } });
    expect(twice.statusCode).toBe(400);
    expect(problem(twice).errors).toEqual({ 'headers.x-api-key': ['is the same header as X-Api-Key (names are case-insensitive)'] });
  });
});

/**
 * The happy path of every /v1 route and the operations routes, asserting the exact public
 * shapes of docs/api.md: what a Falu client reads back, field by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { problem, startHookd, TEST_STORE, type TestHookd } from './helpers.js';

/** Falu's 77 event types (shared/falu-event-types.txt), written out so the catalog is checked against an independent list. */
const FALU_TYPES = `customer.created customer.updated customer.redacted customer.tax_id.created customer.tax_id.updated
customer.tax_id.deleted payment.method.created payment.method.updated payment.method.attached payment.method.detached
product.created product.updated product.deleted price.created price.updated price.deleted coupon.created coupon.updated
coupon.deleted discount.created discount.updated subscription.created subscription.updated subscription.cancelled
invoice.created invoice.updated credit_note.created credit_note.updated money_statement.uploaded money_provider.created
money_provider.updated money_provider.balance.updated payment.updated payment.succeeded payment.failed
payment.authorization.request payment.authorization.created payment.authorization.updated payment.refund.created
payment.refund.updated payment.refund.succeeded payment.refund.failed transfer.created transfer.updated
transfer.succeeded transfer.failed transfer.reversal.created transfer.reversal.updated transfer.reversal.succeeded
transfer.reversal.failed message.created message.scheduled message.sent message.failed message.delivered message.read
message.cancelled message.redacted message.received message_batch.created message_batch.scheduled
message_batch.cancelled message_batch.redacted message_template.created message_template.updated
message_template.deleted message_suppression.created message_suppression.updated message_suppression.deleted
file.created file.redacted identity_verification.created identity_verification.processing
identity_verification.verified identity_verification.input_required identity_verification.cancelled
identity_verification.redacted`.split(/\s+/);

const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9A-Za-z]{24}$`);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ENDPOINT_FIELDS = [
  'client_certificate', 'created', 'description', 'etag', 'events', 'filter', 'format', 'headers', 'id', 'live', 'metadata', 'ordering', 'public_key', 'rate_limit', 'retry_schedule', 'retry_schedule_source', 'secret', 'signing', 'status', 'token', 'updated', 'url', 'workspace',
];
const EVENT_FIELDS = ['created', 'data', 'id', 'live', 'redaction', 'request', 'type', 'updated', 'workspace'];

type Json = Record<string, unknown> & { id: string };
const json = (res: LightMyRequestResponse) => res.json() as Json;
const ids = (res: LightMyRequestResponse) => (res.json() as Json[]).map((x) => x.id);

let h: TestHookd;
beforeAll(async () => {
  h = await startHookd();
});
afterAll(async () => {
  await h.close();
});

describe('workspaces', () => {
  it('creates a workspace and shows its keys whole once', async () => {
    const res = await h.call('POST', '/v1/workspaces', { body: { name: '  Acme Ltd  ' } });
    expect(res.statusCode).toBe(201);
    const ws = json(res);
    expect(Object.keys(ws).sort()).toEqual(['created', 'id', 'keys', 'name', 'updated']);
    expect(ws).toMatchObject({ name: 'Acme Ltd', keys: { test: expect.stringMatching(/^fskt_[0-9A-Za-z]{32,}$/), live: expect.stringMatching(/^fskl_[0-9A-Za-z]{32,}$/) } });
    expect(ws.id).toMatch(ID('wksp'));
    expect(ws.created).toMatch(ISO);
    expect(ws.updated).toBe(ws.created);
    expect(res.headers.location).toBe(`/v1/workspaces/${ws.id}`);
  });

  it('lists and gets workspaces with keys masked to their last 4 characters', async () => {
    const ws = await h.workspace('Listed');
    const masked = { test: `fskt_********${ws.test.slice(-4)}`, live: `fskl_********${ws.live.slice(-4)}` };
    const list = await h.call('GET', '/v1/workspaces?count=100');
    expect(list.statusCode).toBe(200);
    const items = list.json() as Json[];
    expect(Array.isArray(items)).toBe(true);
    expect(items.find((w) => w.id === ws.id)).toMatchObject({ name: 'Listed', keys: masked });
    const one = await h.call('GET', `/v1/workspaces/${ws.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ id: ws.id, name: 'Listed', created: expect.stringMatching(ISO), updated: expect.stringMatching(ISO), keys: masked });
    expect(one.headers.etag).toMatch(/^"[^"]+"$/);
  });

  it('rolls both keys: the new ones work at once and the old ones are rejected', async () => {
    const ws = await h.workspace('Rolled');
    const res = await h.call('POST', `/v1/workspaces/${ws.id}/keys/roll`);
    expect(res.statusCode).toBe(200);
    const rolled = json(res) as Json & { keys: { test: string; live: string } };
    expect(rolled.keys.test).toMatch(/^fskt_[0-9A-Za-z]{32,}$/);
    expect(rolled.keys.live).toMatch(/^fskl_[0-9A-Za-z]{32,}$/);
    expect(rolled.keys.test).not.toBe(ws.test);
    expect(rolled.keys.live).not.toBe(ws.live);
    for (const key of [rolled.keys.test, rolled.keys.live]) {
      expect((await h.call('GET', '/v1/webhooks/endpoints', { key })).statusCode).toBe(200);
    }
    for (const key of [ws.test, ws.live]) {
      const old = await h.call('GET', '/v1/webhooks/endpoints', { key });
      expect(old.statusCode).toBe(401);
      expect(old.headers['www-authenticate']).toMatch(/^Bearer /);
    }
    const after = json(await h.call('GET', `/v1/workspaces/${ws.id}`));
    expect(after.keys).toEqual({ test: `fskt_********${rolled.keys.test.slice(-4)}`, live: `fskl_********${rolled.keys.live.slice(-4)}` });
  });
});

describe('event types', () => {
  async function collect(count: number): Promise<{ names: string[]; pages: number }> {
    const names: string[] = [];
    let url = `/v1/event_types?count=${count}`;
    for (let pages = 1; ; pages++) {
      const res = await h.call('GET', url);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { name: string }[];
      expect(page.length).toBeLessThanOrEqual(count);
      names.push(...page.map((t) => t.name));
      const token = res.headers['x-continuation-token'];
      if (token === undefined) return { names, pages };
      url = `/v1/event_types?count=${count}&ct=${encodeURIComponent(String(token))}`;
    }
  }

  it('serves Falu\'s 77 types plus hookd\'s two as the default catalog', async () => {
    expect(FALU_TYPES).toHaveLength(77);
    const expected = [...FALU_TYPES, 'webhook_endpoint.disabled', 'webhook_endpoint.test'].sort();
    const all = await collect(100);
    expect(all.pages).toBe(1);
    expect([...all.names].sort()).toEqual(expected);
    const paged = await collect(25);
    expect(paged.pages).toBe(4);
    expect(new Set(paged.names).size).toBe(79);
    expect([...paged.names].sort()).toEqual(expected);
  });

  it('gets one type, for any key', async () => {
    const ws = await h.workspace();
    const res = await h.call('GET', '/v1/event_types/payment.refund.failed', { key: ws.test });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'payment.refund.failed', description: expect.stringMatching(/\S/), schema: null, builtin: true,
      created: expect.stringMatching(ISO), updated: expect.stringMatching(ISO),
    });
  });

  it('adds a type with a JSON Schema that published events must satisfy', async () => {
    const ws = await h.workspace();
    const schema = { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' }, amount: { type: 'integer' } } };
    const body = { name: 'order.shipped', description: 'An order left the warehouse.', schema };
    expect((await h.call('POST', '/v1/event_types', { key: ws.test, body })).statusCode).toBe(403);

    const res = await h.call('POST', '/v1/event_types', { body });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ ...body, builtin: false, created: expect.stringMatching(ISO), updated: expect.stringMatching(ISO) });
    expect(json(await h.call('GET', '/v1/event_types/order.shipped'))).toMatchObject(body);

    for (const name of ['order.shipped', 'payment.succeeded']) {
      const dup = await h.call('POST', '/v1/event_types', { body: { name } });
      expect(dup.statusCode).toBe(409);
      expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(problem(dup).errors).toHaveProperty('name');
    }

    const bad = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'order.shipped', data: { object: { amount: 'ten' } } } });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Validation stops at the first error (docs/security.md "Event-type schemas (validation cost)").
    expect(problem(bad).errors).toEqual({ 'data.object.order_id': ['is required'] });
    expect(ids(await h.call('GET', '/v1/events', { key: ws.test }))).toEqual([]);

    const good = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'order.shipped', data: { object: { order_id: 'o_1', amount: 10 } } } });
    expect(good.statusCode).toBe(201);
    expect(json(good).type).toBe('order.shipped');
  });
});

describe('webhook endpoints', () => {
  it('creates an endpoint with every field of the Falu object and the secret whole', async () => {
    const ws = await h.workspace();
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/hooks', events: ['payment.succeeded'] } });
    expect(res.statusCode).toBe(201);
    const e = json(res);
    expect(Object.keys(e).sort()).toEqual(ENDPOINT_FIELDS);
    expect(e).toEqual({
      id: expect.stringMatching(ID('we')), created: expect.stringMatching(ISO), updated: e.created, format: 'basic',
      secret: expect.stringMatching(/^fwhs_[A-Za-z0-9+/]{43}=$/), workspace: ws.id, live: false, etag: expect.any(String),
      events: ['payment.succeeded'], description: null, status: 'enabled', url: 'https://example.com/hooks', token: null, metadata: {},
      retry_schedule: ['0', '5s', '5m', '30m', '2h', '5h', '10h', '10h'], retry_schedule_source: 'platform', ordering: 'unordered', rate_limit: null,
      headers: {}, filter: null, client_certificate: null, signing: 'hmac-sha256', public_key: null,
    });
    expect(Buffer.from(String(e.secret).slice(5), 'base64')).toHaveLength(32);
    expect(res.headers.etag).toBe(`"${String(e.etag)}"`);
    expect(res.headers.location).toBe(`/v1/webhooks/endpoints/${e.id}`);
  });

  it('echoes every optional field, then masks the secret and token on read', async () => {
    const ws = await h.workspace();
    const body = {
      url: 'http://localhost:9000/in', events: ['*'], description: 'all of it', format: 'cloud_events', status: 'disabled',
      token: 'tok_0123456789', metadata: { team: 'payments', 'env:region': 'eu-1' },
    };
    const created = json(await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body }));
    expect(created).toMatchObject(body);
    const secret = String(created.secret);
    const got = await h.call('GET', `/v1/webhooks/endpoints/${created.id}`, { key: ws.test });
    expect(got.statusCode).toBe(200);
    const e = json(got);
    expect(Object.keys(e).sort()).toEqual(ENDPOINT_FIELDS);
    expect(e.secret).not.toBe(secret);
    expect(String(e.secret).endsWith(secret.slice(-4))).toBe(true);
    expect(e.token).not.toBe(body.token);
    expect(e).toMatchObject({ ...body, secret: e.secret, token: e.token, id: created.id, etag: created.etag });
  });

  it('lists, patches and deletes', async () => {
    const ws = await h.workspace();
    const create = (url: string) => h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url, events: ['payment.*'], metadata: { a: '1', b: '2' } } }).then(json);
    const one = await create('https://one.example.com/');
    const two = await create('https://two.example.com/');
    const list = await h.call('GET', '/v1/webhooks/endpoints', { key: ws.test });
    expect(list.statusCode).toBe(200);
    expect(ids(list).sort()).toEqual([one.id, two.id].sort());
    expect((list.json() as Json[]).every((e) => e.secret !== one.secret && e.secret !== two.secret)).toBe(true);

    h.clock.advance(1000);
    const patch = { url: 'https://three.example.com/x', events: ['customer.created'], description: 'renamed', status: 'disabled', metadata: { a: null, c: '3' } };
    const patched = await h.call('PATCH', `/v1/webhooks/endpoints/${one.id}`, { key: ws.test, body: patch, headers: { 'content-type': 'application/merge-patch+json' } });
    expect(patched.statusCode).toBe(200);
    const p = json(patched);
    expect(p).toMatchObject({ ...patch, metadata: { b: '2', c: '3' }, id: one.id, created: one.created });
    expect(p.etag).not.toBe(one.etag);
    expect(p.updated).not.toBe(one.updated);
    expect(json(await h.call('GET', `/v1/webhooks/endpoints/${one.id}`, { key: ws.test }))).toMatchObject({ url: patch.url, etag: p.etag });

    const del = await h.call('DELETE', `/v1/webhooks/endpoints/${one.id}`, { key: ws.test });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const gone = await h.call('GET', `/v1/webhooks/endpoints/${one.id}`, { key: ws.test });
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(ids(await h.call('GET', '/v1/webhooks/endpoints', { key: ws.test }))).toEqual([two.id]);
  });

  it('stores and shows the URL as parsed, not as typed: the host a reader sees is the host hookd calls', async () => {
    const ws = await h.workspace();
    const cases = [
      // WHATWG parsing reads the backslash as a slash: the host is evil, not 127.0.0.1.
      ['http://evil\\@127.0.0.1:4000/', 'http://evil/@127.0.0.1:4000/'],
      ['HTTPS://Hooks.Example.COM:443/a/../in?x=é', 'https://hooks.example.com/in?x=%C3%A9'],
      ['https://example.com', 'https://example.com/'],
    ];
    for (const [typed, stored] of cases) {
      const created = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: typed, events: ['*'] } });
      expect(created.statusCode, created.body).toBe(201);
      expect(json(created).url).toBe(stored);
      expect(json(await h.call('GET', `/v1/webhooks/endpoints/${json(created).id}`, { key: ws.test })).url).toBe(stored);
      const patched = await h.call('PATCH', `/v1/webhooks/endpoints/${json(created).id}`, { key: ws.test, body: { url: typed } });
      expect(json(patched).url).toBe(stored);
    }
  });

  it.each([[['*']], [['payment.*']], [['payment.*', 'customer.created']]])('accepts the subscription %j', async (events) => {
    const ws = await h.workspace();
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/', events } });
    expect(res.statusCode).toBe(201);
    expect(json(res).events).toEqual(events);
  });

  it('requires https in live mode', async () => {
    const ws = await h.workspace();
    const http = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.live, body: { url: 'http://example.com/', events: ['*'] } });
    expect(http.statusCode).toBe(400);
    expect(problem(http).errors).toHaveProperty('url');
    const https = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.live, body: { url: 'https://example.com/', events: ['*'] } });
    expect(https.statusCode).toBe(201);
    expect(json(https).live).toBe(true);
    expect(ids(await h.call('GET', '/v1/webhooks/endpoints', { key: ws.live }))).toEqual([json(https).id]);
    expect(ids(await h.call('GET', '/v1/webhooks/endpoints', { key: ws.test }))).toEqual([]);
  });

  it('refuses an endpoint beyond the per-workspace limit, per mode', async () => {
    const small = await startHookd({ maxEndpointsPerWorkspace: 2 });
    try {
      const ws = await small.workspace();
      const create = (key: string) => small.call('POST', '/v1/webhooks/endpoints', { key, body: { url: 'https://example.com/', events: ['*'] } });
      expect((await create(ws.test)).statusCode).toBe(201);
      expect((await create(ws.test)).statusCode).toBe(201);
      const third = await create(ws.test);
      expect(third.statusCode).toBe(409);
      expect(third.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(problem(third).detail).toMatch(/2 endpoints/);
      expect(ids(await small.call('GET', '/v1/webhooks/endpoints', { key: ws.test }))).toHaveLength(2);
      expect((await create(ws.live)).statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('events', () => {
  it('publishes an event and answers with the Falu event object', async () => {
    const ws = await h.workspace();
    const data = { object: { id: 'pay_1', amount: 100 }, previous: { amount: 50 } };
    const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.updated', data }, headers: { 'x-idempotency-key': 'pub-1' } });
    expect(res.statusCode).toBe(201);
    const e = json(res);
    expect(Object.keys(e).sort()).toEqual(EVENT_FIELDS);
    expect(e).toEqual({
      id: expect.stringMatching(ID('evt')), created: expect.stringMatching(ISO), updated: e.created, type: 'payment.updated', data,
      request: { id: res.headers['x-request-id'], idempotency_key: 'pub-1' }, redaction: null, workspace: ws.id, live: false,
    });
    expect(res.headers['x-request-id']).toMatch(ID('req'));
    const plain = json(await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.updated', data: { object: {} } } }));
    expect(plain.request).toEqual({ id: expect.stringMatching(ID('req')), idempotency_key: null });
    expect(plain.data).toEqual({ object: {} });
  });

  it('publishes with the platform key for a workspace and mode', async () => {
    const ws = await h.workspace();
    const res = await h.call('POST', '/v1/events', {
      body: { type: 'customer.created', data: { object: { id: 'cus_1' } } }, headers: { 'x-workspace-id': ws.id, 'x-live-mode': 'true' },
    });
    expect(res.statusCode).toBe(201);
    const e = json(res);
    expect(e).toMatchObject({ workspace: ws.id, live: true });
    expect((await h.call('GET', `/v1/events/${e.id}`, { key: ws.live })).statusCode).toBe(200);
    expect((await h.call('GET', `/v1/events/${e.id}`, { key: ws.test })).statusCode).toBe(404);
  });

  it('lists events, filtered by one or several types, and gets one', async () => {
    const ws = await h.workspace();
    const publish = async (type: string) => {
      h.clock.advance(1);
      return json(await h.call('POST', '/v1/events', { key: ws.test, body: { type, data: { object: { type } } } }));
    };
    const a = await publish('payment.succeeded');
    const b = await publish('payment.failed');
    const c = await publish('customer.created');
    expect(ids(await h.call('GET', '/v1/events', { key: ws.test }))).toEqual([c.id, b.id, a.id]);
    expect(ids(await h.call('GET', '/v1/events?sort=asc', { key: ws.test }))).toEqual([a.id, b.id, c.id]);
    expect(ids(await h.call('GET', '/v1/events?type=payment.failed', { key: ws.test }))).toEqual([b.id]);
    expect(ids(await h.call('GET', '/v1/events?type=payment.succeeded&type=customer.created', { key: ws.test }))).toEqual([c.id, a.id]);
    const one = await h.call('GET', `/v1/events/${b.id}`, { key: ws.test });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(b);
  });

  it('redacts an event once; a second redact changes nothing', async () => {
    const ws = await h.workspace();
    const e = json(await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'customer.updated', data: { object: { email: 'a@example.com' }, previous: { email: 'b@example.com' } } } }));
    h.clock.advance(1000);
    const res = await h.call('POST', `/v1/events/${e.id}/redact`, { key: ws.test, headers: { 'x-idempotency-key': 'redact-1' } });
    expect(res.statusCode).toBe(200);
    const r = json(res);
    expect(r).toEqual({
      ...e, data: { object: {} }, updated: expect.stringMatching(ISO),
      redaction: { requested: new Date(h.clock.ms).toISOString(), request: { id: res.headers['x-request-id'], idempotency_key: 'redact-1' } },
    });
    expect(r.updated).not.toBe(e.updated);
    expect(JSON.stringify(r)).not.toContain('example.com');

    h.clock.advance(1000);
    const again = await h.call('POST', `/v1/events/${e.id}/redact`, { key: ws.test });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(r);
    expect(again.headers.etag).toBe(res.headers.etag);
    expect(json(await h.call('GET', `/v1/events/${e.id}`, { key: ws.test }))).toEqual(r);
  });

  it('fans out to every enabled matching endpoint of the workspace and mode, and no other', async () => {
    const ws = await h.workspace();
    const other = await h.workspace('Other');
    const endpoint = async (key: string, events: string[], status = 'enabled') => {
      const res = await h.call('POST', '/v1/webhooks/endpoints', { key, body: { url: 'https://example.com/', events, status } });
      expect(res.statusCode).toBe(201);
    };
    await endpoint(ws.test, ['payment.*']);
    await endpoint(ws.test, ['*']);
    await endpoint(ws.test, ['payment.succeeded'], 'disabled');
    await endpoint(ws.test, ['customer.created', 'payment.refund.failed']);
    await endpoint(ws.live, ['*']);
    await endpoint(other.test, ['*']);
    const publish = async (key: string, type: string) =>
      json(await h.call('POST', '/v1/events', { key, body: { type, data: { object: {} } } })).id;
    expect(await h.store.countDeliveries(await publish(ws.test, 'payment.succeeded'))).toBe(2);
    expect(await h.store.countDeliveries(await publish(ws.test, 'payment.refund.failed'))).toBe(3);
    expect(await h.store.countDeliveries(await publish(ws.test, 'customer.created'))).toBe(2);
    expect(await h.store.countDeliveries(await publish(ws.test, 'file.created'))).toBe(1);
    expect(await h.store.countDeliveries(await publish(ws.live, 'payment.failed'))).toBe(1);
    const lonely = await h.workspace('Lonely');
    expect(await h.store.countDeliveries(await publish(lonely.test, 'payment.failed'))).toBe(0);
  });
});

describe('operations', () => {
  it('answers /health and /ready', async () => {
    const health = await h.call('GET', '/health', { key: null });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await h.call('GET', '/ready', { key: null });
    expect(ready.statusCode).toBe(200);
    // No dispatcher in this app: that check does not apply.
    expect(ready.json()).toEqual({ status: 'ready', store: TEST_STORE, checks: { store: 'ok', migrations: 'ok', dispatcher: 'n/a' } });
  });

  it('serves an OpenAPI 3.1 document with every /v1 route', async () => {
    const res = await h.call('GET', '/openapi.json', { key: null });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const routes: [string, string[]][] = [
      ['/v1/workspaces', ['get', 'post']], ['/v1/workspaces/{id}', ['get']], ['/v1/workspaces/{id}/keys/roll', ['post']],
      ['/v1/event_types', ['get', 'post']], ['/v1/event_types/{name}', ['get']],
      ['/v1/webhooks/endpoints', ['get', 'post']], ['/v1/webhooks/endpoints/{id}', ['delete', 'get', 'patch']],
      ['/v1/events', ['get', 'post']], ['/v1/events/{id}', ['get']], ['/v1/events/{id}/redact', ['post']],
    ];
    for (const [path, methods] of routes) {
      expect(Object.keys(doc.paths[path] ?? {}), path).toEqual(expect.arrayContaining(methods));
    }
  });

  it('compiles every route schema (hookd compiles them on first use, so a bad one would otherwise fail only that route)', () => {
    expect(() => h.app.compileSchemas()).not.toThrow();
  });

  it('serves the API docs as HTML', async () => {
    let res = await h.call('GET', '/docs', { key: null });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 3; hops++) {
      const location = String(res.headers.location);
      res = await h.call('GET', location.startsWith('/') ? location : `/docs/${location.replace(/^\.\//, '')}`, { key: null });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
  });
});

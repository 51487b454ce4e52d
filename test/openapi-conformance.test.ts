/**
 * hookd's answers match its OpenAPI document (docs/api.md, "The OpenAPI document"): a session
 * against a real hookd on port 0 calls every operation of the served /openapi.json, with
 * successes and each kind of error, and test/openapi-check.ts checks every answer against the
 * served document: status declared, content type as declared (application/json for successes,
 * application/problem+json for problems), body valid against the declared schema. At the end,
 * every (operation, status) the session meant to get was got, and every operation was called.
 *
 * The rate limit is tiny (one request a second, no burst) and the test clock stands still, so
 * each call first moves the clock a second on (refilling the key's bucket); the 429 comes from
 * two calls without that. The 503s come from a store method made to fail as the dialect's
 * driver errors are classified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChecker, rawExchange, type Answer, type ServedDocument } from './openapi-check.js';
import { startReceiver, type Receiver } from './receiver.js';
import { classifyPgError } from '../src/store/postgres/index.js';
import { classifySqliteError } from '../src/store/sqlite/errors.js';
import { PLATFORM_KEY, startHookd, TEST_STORE, type TestHookd } from './helpers.js';

interface CallOptions {
  /** Default the platform key; null sends none. */
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** Do not move the clock on before this call (the second of two that empty a bucket). */
  hold?: boolean;
}

interface Got {
  status: number;
  headers: Headers;
  json: <T = Record<string, unknown>>() => T;
}

const ERROR_KINDS = [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 431, 503];
const UNKNOWN = { wksp: 'wksp_0000000000000000000000aa', we: 'we_0000000000000000000000aa', evt: 'evt_0000000000000000000000aa', wh: 'wh_0000000000000000000000aa' };
const STALE = { 'if-match': '"not-the-current-etag"' };

let h: TestHookd;
let port: number;
let receiver: Receiver;
let checker: ReturnType<typeof createChecker>;

/** Sends a request the session expects to answer `expected`, and checks the answer against the document. */
async function call(expected: number, method: string, url: string, options: CallOptions = {}): Promise<Got> {
  if (!options.hold) h.clock.advance(1_000);
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? PLATFORM_KEY : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, options.headers);
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  checker.check(method, url, expected, { status: res.status, contentType: res.headers.get('content-type') ?? '', has: (header) => res.headers.has(header), body: text });
  return { status: res.status, headers: res.headers, json: <T>() => JSON.parse(text) as T };
}

/** A request fetch cannot make or may not read the answer of (test/openapi-check.ts rawExchange), checked the same way. */
async function raw(expected: number, method: string, url: string, request: string): Promise<Answer> {
  h.clock.advance(1_000);
  const answer = await rawExchange(port, request);
  checker.check(method, url, expected, answer);
  return answer;
}

/** The mismatches found since `from`, for the assertion that ends each part of the session. */
const since = (from: number) => checker.mismatches.slice(from);

beforeAll(async () => {
  h = await startHookd({ publicUrl: '', rateLimit: { rate: 1, burst: 1 }, maxEndpointsPerWorkspace: 2 });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as { port: number }).port;
  receiver = await startReceiver();
  const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
  checker = createChecker((await res.json()) as ServedDocument);
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

// Shared by the parts below, which run in order.
let ws: { id: string; test: string; live: string };
let endpoint: { id: string };
let event: { id: string };

describe('the session', () => {
  it('probes', async () => {
    const from = checker.mismatches.length;
    await call(200, 'GET', '/health', { key: null });
    await call(200, 'GET', '/ready', { key: null });
    await raw(431, 'GET', '/health', `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(32 * 1024)}\r\nConnection: close\r\n\r\n`);
    expect(since(from)).toEqual([]);
  });

  it('workspaces', async () => {
    const from = checker.mismatches.length;
    const created = await call(201, 'POST', '/v1/workspaces', { body: { name: 'Acme' } });
    const body = created.json<{ id: string; keys: { test: string; live: string } }>();
    ws = { id: body.id, test: body.keys.test, live: body.keys.live };
    await call(400, 'POST', '/v1/workspaces', { body: { name: ' ' } });
    await call(401, 'POST', '/v1/workspaces', { key: null, body: { name: 'Acme' } });
    await call(403, 'POST', '/v1/workspaces', { key: ws.test, body: { name: 'Acme' } });
    await call(415, 'POST', '/v1/workspaces', { body: 'name=Acme', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await raw(413, 'POST', '/v1/workspaces', `POST /v1/workspaces HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${PLATFORM_KEY}\r\n`
      + `Content-Type: application/json\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{"name":"`);
    const idem = { 'x-idempotency-key': 'conformance-1' };
    await call(201, 'POST', '/v1/workspaces', { body: { name: 'Kept' }, headers: idem });
    const replay = await call(201, 'POST', '/v1/workspaces', { body: { name: 'Kept' }, headers: idem });
    expect(replay.headers.get('x-cached-response')).toBe('true');
    await call(409, 'POST', '/v1/workspaces', { body: { name: 'Another' }, headers: idem });

    const page = await call(200, 'GET', '/v1/workspaces?count=1');
    const next = page.headers.get('x-continuation-token');
    expect(next).toBeTruthy();
    await call(200, 'GET', `/v1/workspaces?count=1&ct=${encodeURIComponent(next!)}`);
    await call(400, 'GET', '/v1/workspaces?count=1&ct=forged');
    await call(400, 'GET', '/v1/workspaces?count=0');
    await call(403, 'GET', '/v1/workspaces', { key: ws.test });
    const one = await call(200, 'GET', `/v1/workspaces/${ws.id}`);
    await call(304, 'GET', `/v1/workspaces/${ws.id}`, { headers: { 'if-none-match': one.headers.get('etag')! } });
    await call(404, 'GET', `/v1/workspaces/${UNKNOWN.wksp}`);
    await call(400, 'GET', '/v1/workspaces/not-an-id');

    const other = (await call(201, 'POST', '/v1/workspaces', { body: { name: 'Rolled' } })).json<{ id: string }>();
    await call(200, 'POST', `/v1/workspaces/${other.id}/keys/roll`, { body: { expires_in: 60 } });
    await call(404, 'POST', `/v1/workspaces/${UNKNOWN.wksp}/keys/roll`);
    await call(403, 'POST', `/v1/workspaces/${other.id}/keys/roll`, { key: ws.test });
    expect(since(from)).toEqual([]);
  });

  it('event types', async () => {
    const from = checker.mismatches.length;
    await call(200, 'GET', '/v1/event_types?count=5', { key: ws.test });
    const one = await call(200, 'GET', '/v1/event_types/payment.succeeded', { key: ws.test });
    await call(304, 'GET', '/v1/event_types/payment.succeeded', { key: ws.test, headers: { 'if-none-match': one.headers.get('etag')! } });
    await call(404, 'GET', '/v1/event_types/order.unheard_of', { key: ws.test });
    const orderShipped = { name: 'order.shipped', description: 'An order left the warehouse', schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } } };
    await call(201, 'POST', '/v1/event_types', { body: orderShipped });
    await call(409, 'POST', '/v1/event_types', { body: orderShipped });
    await call(403, 'POST', '/v1/event_types', { key: ws.test, body: { name: 'order.packed' } });
    await call(400, 'POST', '/v1/event_types', { body: { name: 'Not A Name' } });
    expect(since(from)).toEqual([]);
  });

  it('webhook endpoints', async () => {
    const from = checker.mismatches.length;
    const T = { key: ws.test };
    endpoint = (await call(201, 'POST', '/v1/webhooks/endpoints', { ...T, body: { url: `${receiver.url}/main`, events: ['*'], description: 'main' } })).json<{ id: string }>();
    await call(422, 'POST', '/v1/webhooks/endpoints', { ...T, body: { url: 'http://10.0.0.1/hooks', events: ['*'] } });
    await call(400, 'POST', '/v1/webhooks/endpoints', { ...T, body: { url: 'ftp://example.com/', events: ['no.such_type'] } });
    const second = (await call(201, 'POST', '/v1/webhooks/endpoints', { ...T, body: { url: `${receiver.url}/second`, events: ['payment.*'] } })).json<{ id: string }>();
    await call(409, 'POST', '/v1/webhooks/endpoints', { ...T, body: { url: `${receiver.url}/third`, events: ['*'] } });
    await call(403, 'POST', '/v1/webhooks/endpoints', { ...T, body: { url: `${receiver.url}/x`, events: ['*'] }, headers: { 'x-workspace-id': UNKNOWN.wksp } });
    await call(404, 'POST', '/v1/webhooks/endpoints', { body: { url: `${receiver.url}/x`, events: ['*'] }, headers: { 'x-workspace-id': UNKNOWN.wksp } });

    await call(200, 'GET', '/v1/webhooks/endpoints', T);
    await call(400, 'GET', '/v1/webhooks/endpoints', { headers: { 'x-workspace-id': ws.id, 'x-live-mode': 'maybe' } });
    await call(403, 'GET', '/v1/webhooks/endpoints', { ...T, headers: { 'x-live-mode': 'true' } });
    await call(404, 'GET', '/v1/webhooks/endpoints', { headers: { 'x-workspace-id': UNKNOWN.wksp } });
    const one = await call(200, 'GET', `/v1/webhooks/endpoints/${endpoint.id}`, T);
    await call(304, 'GET', `/v1/webhooks/endpoints/${endpoint.id}`, { ...T, headers: { 'if-none-match': one.headers.get('etag')! } });
    await call(404, 'GET', `/v1/webhooks/endpoints/${UNKNOWN.we}`, T);

    const patched = await call(200, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { ...T, body: { description: null, metadata: { team: 'billing' } }, headers: { 'content-type': 'application/merge-patch+json', 'if-match': one.headers.get('etag')! } });
    await call(412, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { ...T, body: { description: 'late' }, headers: STALE });
    await call(422, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { ...T, body: { url: 'http://192.168.1.1/' } });
    await call(415, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { ...T, body: 'description=x', headers: { 'content-type': 'text/plain' } });
    expect(patched.json<{ metadata: object }>().metadata).toEqual({ team: 'billing' });
    await call(200, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { ...T, body: { description: 'a' }, headers: { 'x-idempotency-key': 'patch-1' } });
    await call(409, 'PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { ...T, body: { description: 'b' }, headers: { 'x-idempotency-key': 'patch-1' } });

    await call(200, 'GET', `/v1/webhooks/endpoints/${endpoint.id}/secret`, T);
    await call(404, 'GET', `/v1/webhooks/endpoints/${UNKNOWN.we}/secret`, T);
    await call(200, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/secret/roll`, { ...T, body: { expires_in: 3600 } });
    await call(412, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/secret/roll`, { ...T, headers: STALE });
    await call(400, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/secret/roll`, { ...T, body: { expires_in: -1 } });

    await call(200, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/test`, T);
    await call(404, 'POST', `/v1/webhooks/endpoints/${UNKNOWN.we}/test`, T);
    await call(200, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/recover`, { ...T, body: { since: '2026-01-01' } });
    await call(400, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/recover`, { ...T, body: { since: 'yesterday' } });
    await call(200, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/replay`, { ...T, body: { since: '2026-01-01', types: ['message.*'], include_delivered: true } });
    await call(400, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/replay`, { ...T, body: { since: '2026-01-01', types: ['no_such.type'] } });
    await call(422, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/replay`, { ...T, body: { since: '2020-01-01' } });
    await call(200, 'GET', `/v1/webhooks/endpoints/${endpoint.id}/stats?hours=2`, T);
    await call(400, 'GET', `/v1/webhooks/endpoints/${endpoint.id}/stats?hours=0`, T);

    await call(412, 'DELETE', `/v1/webhooks/endpoints/${second.id}`, { ...T, headers: STALE });
    await call(204, 'DELETE', `/v1/webhooks/endpoints/${second.id}`, T);
    await call(404, 'DELETE', `/v1/webhooks/endpoints/${second.id}`, T);
    await call(415, 'DELETE', `/v1/webhooks/endpoints/${second.id}`, { ...T, body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(since(from)).toEqual([]);
  });

  it('events and deliveries', async () => {
    const from = checker.mismatches.length;
    const T = { key: ws.test };
    const published = await call(201, 'POST', '/v1/events', { ...T, body: { type: 'payment.succeeded', data: { object: { id: 'pay_1', amount: 100 } } } });
    event = published.json<{ id: string }>();
    await call(422, 'POST', '/v1/events', { ...T, body: { type: 'order.shipped', data: { object: { amount: 'ten' } } } });
    await call(400, 'POST', '/v1/events', { ...T, body: { type: 'order.unheard_of', data: { object: {} } } });
    await raw(413, 'POST', '/v1/events', `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ws.test}\r\n`
      + `Content-Type: application/json\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{"type"`);
    const portal = (await call(201, 'POST', '/v1/portal/sessions', { body: { workspace: ws.id, live: false } })).json<{ url: string }>();
    const session = portal.url.split('#portal=')[1]!;
    await call(403, 'POST', '/v1/events', { key: session, body: { type: 'payment.succeeded', data: { object: {} } } });
    await call(404, 'POST', '/v1/portal/sessions', { body: { workspace: UNKNOWN.wksp, live: false } });
    await call(403, 'POST', '/v1/portal/sessions', T);

    await call(200, 'GET', '/v1/events?type=payment.succeeded', T);
    await call(400, 'GET', '/v1/events?color=blue', T);
    const one = await call(200, 'GET', `/v1/events/${event.id}`, T);
    await call(304, 'GET', `/v1/events/${event.id}`, { ...T, headers: { 'if-none-match': one.headers.get('etag')! } });
    await call(404, 'GET', `/v1/events/${UNKNOWN.evt}`, T);

    await call(200, 'POST', `/v1/events/${event.id}/retry`, { ...T, body: { webhook_endpoint: endpoint.id } });
    await call(404, 'POST', `/v1/events/${event.id}/retry`, { ...T, body: { webhook_endpoint: UNKNOWN.we } });

    const deliveries = (await call(200, 'GET', `/v1/webhooks?event=${event.id}`, T)).json<{ id: string }[]>();
    expect(deliveries.length).toBeGreaterThan(0);
    const delivery = await call(200, 'GET', `/v1/webhooks/${deliveries[0]!.id}`, T);
    await call(304, 'GET', `/v1/webhooks/${deliveries[0]!.id}`, { ...T, headers: { 'if-none-match': delivery.headers.get('etag')! } });
    await call(404, 'GET', `/v1/webhooks/${UNKNOWN.wh}`, T);
    await call(400, 'GET', '/v1/webhooks?status=lost', T);

    await call(412, 'POST', `/v1/events/${event.id}/redact`, { ...T, headers: STALE });
    await call(200, 'POST', `/v1/events/${event.id}/redact`, T);
    await call(404, 'POST', `/v1/events/${UNKNOWN.evt}/redact`, T);
    expect(since(from)).toEqual([]);
  });

  it('status, statistics, listen and portal', async () => {
    const from = checker.mismatches.length;
    const T = { key: ws.test };
    await call(200, 'GET', '/v1/status');
    await call(200, 'GET', '/v1/status?limit=5', T);
    await call(400, 'GET', '/v1/status?limit=1000', T);
    await call(200, 'GET', '/v1/stats/endpoints?hours=24', T);
    await call(200, 'GET', '/v1/stats/hourly?hours=3', T);
    await call(400, 'GET', '/v1/stats/hourly?hours=721', T);
    await call(200, 'POST', '/v1/realtime/negotiate/events', { ...T, body: { events: ['payment.*'] } });
    await call(400, 'POST', '/v1/realtime/negotiate/events', { ...T, body: { events: ['no_such.*'] } });
    expect(since(from)).toEqual([]);
  });

  it('a rate-limited key, and no key at all on every operation', async () => {
    const from = checker.mismatches.length;
    // The live key has not been used: its bucket holds one token, and the clock stands still between the two.
    await call(200, 'GET', '/v1/stats/endpoints', { key: ws.live });
    const limited = await call(429, 'GET', '/v1/stats/endpoints', { key: ws.live, hold: true });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    for (const { method, template } of checker.operations()) {
      if (template.startsWith('/v1/')) await call(401, method, template.replace(/\{[^}]+\}/g, 'x'), { key: null });
    }
    expect(since(from)).toEqual([]);
  });

  it('a store that does not answer', async () => {
    const from = checker.mismatches.length;
    // The error the dialect's classifier makes of a driver failure, thrown where the store would throw it.
    const fault = TEST_STORE === 'sqlite' ? classifySqliteError({ code: 'SQLITE_IOERR_WRITE' }) : classifyPgError({ code: 'ECONNREFUSED' });
    const { getEvent, ping } = h.store;
    h.store.getEvent = () => Promise.reject(fault);
    h.store.ping = () => Promise.reject(fault);
    try {
      const down = await call(503, 'GET', `/v1/events/${event.id}`, { key: ws.test });
      expect(down.json<{ type: string }>().type).toBe('urn:hookd:problem:store_unavailable');
      expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
      await call(503, 'GET', '/ready', { key: null });
    } finally {
      Object.assign(h.store, { getEvent, ping });
    }
    await call(200, 'GET', `/v1/events/${event.id}`, { key: ws.test });
    expect(since(from)).toEqual([]);
  });

  it('got every answer it meant to, called every operation, and met every kind of error', () => {
    expect(checker.mismatches).toEqual([]);
    const missed = [...checker.meant].filter((pair) => {
      const [operation, status] = pair.split(' ') as [string, string];
      return !checker.hits.get(operation)?.has(Number(status));
    });
    expect(missed).toEqual([]);
    expect(checker.operations().map((o) => o.operationId).filter((operation) => !checker.hits.has(operation))).toEqual([]);
    const statuses = new Set([...checker.hits.values()].flatMap((s) => [...s]));
    expect(ERROR_KINDS.filter((s) => !statuses.has(s))).toEqual([]);
  });
});

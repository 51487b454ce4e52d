/**
 * The client against a scripted fetch (test/fake.ts): the headers, the retry rule of
 * src/retry.ts as a caller meets it, the bounded give-up, pagination and errors.
 */
import { describe, expect, it } from 'vitest';
import { createClient, HookdApiError } from '../src/index.js';
import { fake, problem, refused, type Scripted } from './fake.js';

const event = { id: 'evt_1', type: 'message.delivered', data: { object: { id: 'm1' } } };
const publish = { type: 'message.delivered', data: { object: { id: 'm1' } } };

describe('every request', () => {
  it('carries the key, and with the platform key the workspace and mode', async () => {
    const f = fake([{ status: 200, body: { status: 'ok' } }, { status: 200, body: [] }]);
    await createClient({ ...f.options, key: 'hkp_platform', workspace: 'wksp_1', live: true, headers: { 'user-agent': 'acme/1' } }).health();
    await createClient({ ...f.options, url: 'http://hookd.test/prefix/' }).events.page();
    expect(f.calls[0]).toMatchObject({
      method: 'GET', url: 'http://hookd.test/health',
      headers: { authorization: 'Bearer hkp_platform', 'x-workspace-id': 'wksp_1', 'x-live-mode': 'true', 'user-agent': 'acme/1' },
    });
    expect(f.calls[1]!.url).toBe('http://hookd.test/prefix/v1/events');
    expect(f.calls[1]!.headers).not.toHaveProperty('x-workspace-id');
    expect(f.calls[1]!.headers).not.toHaveProperty('x-live-mode');
    expect(f.calls[1]!.headers).not.toHaveProperty('content-type');
  });

  it('fills path parameters encoded, and writes queries with repeated arrays', async () => {
    const f = fake([{ status: 200, body: {} }, { status: 200, body: [] }]);
    const client = createClient(f.options);
    await client.eventTypes.get('a/b c');
    await client.deliveries.page({ type: ['a.b', 'c.d'], status: 'failed', count: 5, 'created.gte': '2026-01-01' });
    expect(f.calls[0]!.url).toBe('http://hookd.test/v1/event_types/a%2Fb%20c');
    expect(f.calls[1]!.url).toBe('http://hookd.test/v1/webhooks?type=a.b&type=c.d&status=failed&count=5&created.gte=2026-01-01');
  });

  it('sends If-Match quoted, as the ETag header is, from the object\'s etag or as given', async () => {
    const f = fake([{ status: 200, body: {} }, { status: 204 }, { status: 200, body: {} }]);
    const client = createClient(f.options);
    await client.endpoints.update('we_1', { description: null }, { ifMatch: 'abc' });
    await expect(client.endpoints.delete('we_1', { ifMatch: '"abc"' })).resolves.toBeUndefined();
    await client.events.redact('evt_1', { ifMatch: 'W/"x"' });
    expect(f.calls.map((c) => [c.method, c.headers['if-match']])).toEqual([['PATCH', '"abc"'], ['DELETE', '"abc"'], ['POST', 'W/"x"']]);
    expect(f.calls[0]!.body).toEqual({ description: null });
    expect(f.calls[0]!.headers['content-type']).toBe('application/json');
  });
});

describe('events.publish', () => {
  it('sends a generated X-Idempotency-Key, the same on every try, through 503, a network error and 429', async () => {
    const f = fake([
      { status: 503, body: problem('store_unavailable', 503), headers: { 'retry-after': '2' } },
      { throws: refused() },
      { status: 429, body: problem('rate_limited', 429), headers: { 'retry-after': 'Thu, 01 Jan 1970 00:16:50 GMT' } },
      { status: 201, body: event },
    ]);
    await expect(createClient(f.options).events.publish(publish)).resolves.toEqual(event);
    const keys = f.calls.map((c) => c.headers['x-idempotency-key']);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.calls.every((c) => JSON.stringify(c.body) === JSON.stringify(publish))).toBe(true);
    // Retry-After 2 s; then backoff (second retry: a 1000 ms step, 750 with random 0.5); then the date: 1_010_000 − 1_002_750.
    expect(f.sleeps).toEqual([2000, 750, 7250]);
  });

  it('keeps the caller\'s key', async () => {
    const f = fake([{ status: 500, body: problem('internal', 500) }, { status: 201, body: event }]);
    await createClient(f.options).events.publish(publish, { idempotencyKey: 'order-42' });
    expect(f.calls.map((c) => c.headers['x-idempotency-key'])).toEqual(['order-42', 'order-42']);
  });

  it('gives up within maxRetryTime with the last failure', async () => {
    const f = fake(Array.from({ length: 50 }, () => ({ status: 503, body: problem('store_unavailable', 503) })));
    const err = await createClient({ ...f.options, maxRetryTime: 20_000 }).events.publish(publish).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HookdApiError);
    expect(err).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(f.elapsed()).toBeLessThanOrEqual(20_000);
    // Equal jitter at 0.5: 375 … 7500 (the 10 s cap) end at 19_125 ms; the next 7500 would end past 20 s.
    expect(f.sleeps).toEqual([375, 750, 1500, 3000, 6000, 7500]);
    expect(f.calls).toHaveLength(7);
  });

  it('gives up at once when Retry-After is beyond the budget, telling the caller when to come back', async () => {
    const f = fake([{ status: 429, body: problem('rate_limited', 429), headers: { 'retry-after': '120' } }]);
    const err = await createClient(f.options).events.publish(publish).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 120 });
    expect(f.sleeps).toEqual([]);
  });

  it('maxRetryTime 0 is one try', async () => {
    const f = fake([{ status: 503, body: problem('store_unavailable', 503), headers: { 'retry-after': '0' } }]);
    await expect(createClient({ ...f.options, maxRetryTime: 0 }).events.publish(publish)).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(f.calls).toHaveLength(1);
  });

  it('does not repeat a 4xx', async () => {
    const f = fake([{ status: 400, body: problem('validation_failed', 400, { errors: { type: ['is not in the catalog'] } }) }]);
    await expect(createClient(f.options).events.publish(publish)).rejects.toMatchObject({ status: 400, code: 'validation_failed', errors: { type: ['is not in the catalog'] } });
    expect(f.calls).toHaveLength(1);
  });

  it('waits for the first request of its key while hookd says it still runs (409 with Retry-After)', async () => {
    const f = fake([{ status: 409, body: problem('idempotency_conflict', 409), headers: { 'retry-after': '1' } }, { status: 201, body: event }]);
    await expect(createClient(f.options).events.publish(publish)).resolves.toEqual(event);
    expect(f.sleeps).toEqual([1000]);
  });
});

describe('which other calls are repeated', () => {
  it('a GET: on 5xx and network errors', async () => {
    const f = fake([{ throws: refused() }, { status: 502, text: '<html>bad gateway</html>' }, { status: 200, body: event }]);
    await expect(createClient(f.options).events.get('evt_1')).resolves.toEqual(event);
    expect(f.calls).toHaveLength(3);
  });

  it('a POST without a key: only on 429, as nothing was done', async () => {
    const f = fake([{ status: 429, body: problem('rate_limited', 429), headers: { 'retry-after': '1' } }, { status: 503, body: problem('store_unavailable', 503) }]);
    await expect(createClient(f.options).endpoints.create({ url: 'https://e.test/', events: ['*'] })).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(f.calls).toHaveLength(2);
    expect(f.calls[0]!.headers).not.toHaveProperty('x-idempotency-key');
  });

  it('a POST or PATCH with a key: like publish', async () => {
    const f = fake([{ throws: refused() }, { status: 200, body: {} }, { status: 500, body: problem('internal', 500) }, { status: 200, body: {} }]);
    const client = createClient(f.options);
    await client.endpoints.rollSecret('we_1', { expires_in: 0 }, { idempotencyKey: 'k1' });
    await client.endpoints.update('we_1', { status: 'disabled' }, { idempotencyKey: 'k2' });
    expect(f.calls.map((c) => c.headers['x-idempotency-key'])).toEqual(['k1', 'k1', 'k2', 'k2']);
  });

  it('a DELETE: not on a network error, since a repeat of a delete that happened answers 404', async () => {
    const f = fake([{ throws: refused() }]);
    await expect(createClient(f.options).endpoints.delete('we_1')).rejects.toMatchObject({ status: 0, code: 'network_error' });
    expect(f.calls).toHaveLength(1);
  });
});

describe('errors', () => {
  it('a problem answer: status, code from the type, problem, the request id', async () => {
    const body = problem('not_found', 404, { title: 'Not found', detail: 'No event evt_1 in this workspace and mode.', traceId: 'req_abc' });
    const f = fake([{ status: 404, body }]);
    const err = (await createClient(f.options).events.get('evt_1').catch((e: unknown) => e)) as HookdApiError;
    expect(err).toBeInstanceOf(HookdApiError);
    expect(err).toMatchObject({ name: 'HookdApiError', status: 404, code: 'not_found', problem: body, requestId: 'req_abc', method: 'GET', url: 'http://hookd.test/v1/events/evt_1' });
    expect(err.message).toBe('404 Not found — No event evt_1 in this workspace and mode.');
  });

  it('without a detail, the message lists the fields', async () => {
    const f = fake([{ status: 400, body: { ...problem('validation_failed', 400), title: 'Validation failed', errors: { url: ['must use http or https'], events: ['is empty'] } } }]);
    await expect(createClient(f.options).endpoints.create({ url: 'ftp://x', events: [] })).rejects.toThrow('400 Validation failed url: must use http or https; events: is empty');
  });

  it('an answer that is not a problem: code http_error and the start of the text', async () => {
    const f = fake([{ status: 404, text: 'no such page' }]);
    await expect(createClient(f.options).workspaces.get('wksp_1')).rejects.toMatchObject({ status: 404, code: 'http_error', problem: undefined, message: '404 no such page' });
  });

  it('no answer: status 0, code network_error, the reason in the message and the cause', async () => {
    const f = fake([{ throws: refused() }]);
    const err = (await createClient({ ...f.options, maxRetryTime: 0 }).events.get('evt_1').catch((e: unknown) => e)) as HookdApiError;
    expect(err).toMatchObject({ status: 0, code: 'network_error' });
    expect(err.message).toBe('GET http://hookd.test/v1/events/evt_1: connect ECONNREFUSED 127.0.0.1:1');
    expect((err.cause as Error).message).toBe('fetch failed');
  });

  it('no answer in time: code timeout', async () => {
    const hang = (_url: string, init: RequestInit) => new Promise<Response>((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const f = fake([]);
    await expect(createClient({ ...f.options, fetch: hang, timeout: 1, maxRetryTime: 0 }).events.get('evt_1')).rejects.toMatchObject({ status: 0, code: 'timeout', message: 'GET http://hookd.test/v1/events/evt_1: no answer within 1 ms' });
  });

  it('the caller\'s signal: code aborted, and no retry', async () => {
    const controller = new AbortController();
    controller.abort();
    const f = fake([{ throws: new DOMException('aborted', 'AbortError') }]);
    await expect(createClient(f.options).events.get('evt_1', { signal: controller.signal })).rejects.toMatchObject({ status: 0, code: 'aborted' });
    expect(f.calls).toHaveLength(1);
  });

  it('a 2xx answer that is not JSON: code invalid_response', async () => {
    const f = fake([{ status: 200, text: '<html>' }]);
    await expect(createClient(f.options).health()).rejects.toMatchObject({ status: 200, code: 'invalid_response' });
  });
});

describe('lists', () => {
  const page = (ids: string[], next?: string): Scripted => ({ status: 200, body: ids.map((id) => ({ id })), headers: next ? { 'x-continuation-token': next } : {} });

  it('iterating follows X-Continuation-Token to the last page, asking for full pages', async () => {
    const f = fake([page(['e1', 'e2'], 't1'), page(['e3'], 't2'), page([])]);
    const ids: string[] = [];
    for await (const e of createClient(f.options).events.list({ type: ['message.delivered'] })) ids.push(e.id);
    expect(ids).toEqual(['e1', 'e2', 'e3']);
    expect(f.calls.map((c) => c.url)).toEqual([
      'http://hookd.test/v1/events?type=message.delivered&count=100',
      'http://hookd.test/v1/events?type=message.delivered&count=100&ct=t1',
      'http://hookd.test/v1/events?type=message.delivered&count=100&ct=t2',
    ]);
  });

  it('keeps the query\'s count and starts at its ct; pages() and toArray()', async () => {
    const f = fake([page(['w2'], 't3'), page(['w3']), page(['w1'])]);
    const client = createClient(f.options);
    const pages = [];
    for await (const p of client.workspaces.list({ count: 1, ct: 't2' }).pages()) pages.push(p);
    expect(pages).toEqual([{ data: [{ id: 'w2' }], next: 't3' }, { data: [{ id: 'w3' }], next: undefined }]);
    expect(f.calls.map((c) => c.url)).toEqual(['http://hookd.test/v1/workspaces?count=1&ct=t2', 'http://hookd.test/v1/workspaces?count=1&ct=t3']);
    expect(await client.endpoints.list().toArray()).toEqual([{ id: 'w1' }]);
  });

  it('page() is one page and its token', async () => {
    const f = fake([page(['d1'], 'next-token')]);
    await expect(createClient(f.options).deliveries.page({ count: 1 })).resolves.toEqual({ data: [{ id: 'd1' }], next: 'next-token' });
    expect(f.calls).toHaveLength(1);
  });

  it('a server that answers the token it was sent stops the iteration instead of looping', async () => {
    const f = fake([page(['e1'], 't1'), page(['e2'], 't1')]);
    await expect(createClient(f.options).events.list().toArray()).rejects.toThrow(/answered the continuation token it was sent/);
  });

  it('nothing is fetched before iterating', () => {
    const f = fake([]);
    createClient(f.options).events.list();
    expect(f.calls).toHaveLength(0);
  });
});

/**
 * @hookd/client against a real hookd listening on 127.0.0.1:0, on the store under test: every
 * resource through the client's methods, ETag preconditions, lists followed across pages,
 * errors as HookdApiError, and a publish that meets the rate limit and waits out Retry-After
 * (the client's sleep advances the test clock, so nothing waits for real).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, HookdApiError, type HookdClient } from '@hookd/client';
import { PLATFORM_KEY, startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('@hookd/client against hookd', () => {
  let h: TestHookd;
  let url: string;
  let receiver: Receiver;
  let platform: HookdClient;
  let ws: { id: string; test: string; live: string };
  let client: HookdClient;

  beforeAll(async () => {
    h = await startHookd();
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    receiver = await startReceiver(() => ({ status: 200 }));
    platform = createClient({ url, key: PLATFORM_KEY });
    const created = await platform.workspaces.create({ name: 'Client Co' });
    // The create answer is the one that shows both keys whole.
    ws = { id: created.id, test: created.keys.test!, live: created.keys.live! };
    client = createClient({ url, key: ws.test });
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  it('probes and workspaces (platform key)', async () => {
    await expect(platform.health()).resolves.toEqual({ status: 'ok' });
    await expect(platform.ready()).resolves.toMatchObject({ status: 'ready', checks: { store: 'ok', migrations: 'ok' } });
    const names = ['W1', 'W2', 'W3'];
    for (const name of names) await platform.workspaces.create({ name }, { idempotencyKey: `ws-${name}` });
    // The same key again replays the first answer: no fourth workspace.
    const again = await platform.workspaces.create({ name: 'W1' }, { idempotencyKey: 'ws-W1' });
    const all = await platform.workspaces.list({ count: 2 }).toArray();
    expect(all.map((w) => w.name).sort()).toEqual(['Client Co', 'W1', 'W2', 'W3']);
    expect(all.find((w) => w.name === 'W1')!.id).toBe(again.id);
    // One page, then the next from its token (the test clock stands still: all four share a creation time, so no order is asserted).
    const first = await platform.workspaces.page({ count: 2, sort: 'asc' });
    expect(first.data).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    const second = await platform.workspaces.page({ count: 2, sort: 'asc', ct: first.next });
    expect([...first.data, ...second.data].map((w) => w.name).sort()).toEqual(['Client Co', 'W1', 'W2', 'W3']);
    await expect(platform.workspaces.get(ws.id)).resolves.toMatchObject({ id: ws.id, name: 'Client Co', keys: { test: expect.stringMatching(/^fskt_\*+/) } });
    const other = all.find((w) => w.name === 'W3')!;
    const rolled = await platform.workspaces.rollKeys(other.id, { expires_in: 0 });
    expect(rolled.keys.test).toMatch(/^fskt_[A-Za-z0-9]{40}$/);
  });

  it('the event-type catalog, followed across pages', async () => {
    const created = await platform.eventTypes.create({ name: 'order.shipped', description: 'An order left the warehouse' });
    expect(created).toMatchObject({ name: 'order.shipped', builtin: false });
    await expect(client.eventTypes.get('order.shipped')).resolves.toMatchObject({ name: 'order.shipped' });
    const pages = [];
    for await (const page of client.eventTypes.list({ count: 25 }).pages()) pages.push(page);
    const names = pages.flatMap((p) => p.data.map((t) => t.name));
    expect(pages.length).toBeGreaterThan(3);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('order.shipped');
    expect(names).toContain('message.delivered');
    expect(pages.at(-1)!.next).toBeUndefined();
  });

  it('endpoints: create, read, update and delete with If-Match, secrets, test, recover, replay, stats', async () => {
    const ep = await client.endpoints.create({ url: `${receiver.url}/hooks`, events: ['message.*'], description: 'orders' });
    expect(ep.secret).toMatch(/^fwhs_[A-Za-z0-9+/]{43}=$/);
    await expect(client.endpoints.get(ep.id)).resolves.toMatchObject({ id: ep.id, secret: expect.stringMatching(/^fwhs_\*+/) });
    expect((await client.endpoints.list().toArray()).map((e) => e.id)).toContain(ep.id);

    const updated = await client.endpoints.update(ep.id, { description: null, metadata: { team: 'billing' } }, { ifMatch: ep.etag });
    expect(updated).toMatchObject({ description: null, metadata: { team: 'billing' } });
    const stale = await client.endpoints.update(ep.id, { description: 'late' }, { ifMatch: ep.etag }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(HookdApiError);
    expect(stale).toMatchObject({ status: 412, code: 'precondition_failed', problem: { errors: { 'If-Match': [expect.any(String)] } } });

    await expect(client.endpoints.secret(ep.id)).resolves.toEqual({ secret: ep.secret, previous: [], previous_public_keys: [] });
    const rolled = await client.endpoints.rollSecret(ep.id, { expires_in: 60 });
    expect(rolled.secret).not.toBe(ep.secret);
    await expect(client.endpoints.secret(ep.id)).resolves.toMatchObject({ secret: rolled.secret, previous: [{ expires: expect.any(String) }] });

    const attempt = await client.endpoints.test(ep.id);
    expect(attempt).toMatchObject({ manual: true, code: 200, successful: true });
    expect(receiver.received).toHaveLength(1);
    const since = new Date(h.clock.now() - 3_600_000).toISOString();
    await expect(client.endpoints.recover(ep.id, { since })).resolves.toMatchObject({ recovered: 0, since: expect.any(String) });
    await expect(client.endpoints.replay(ep.id, { since })).resolves.toMatchObject({ queued: 0, has_more: false });
    await expect(client.endpoints.replay(ep.id, { since, types: ['message.*'], include_delivered: true })).resolves.toMatchObject({ queued: 0, since });
    await expect(client.endpoints.stats(ep.id, { hours: 2 })).resolves.toHaveLength(2);

    const current = await client.endpoints.get(ep.id);
    await expect(client.endpoints.delete(ep.id, { ifMatch: updated.etag })).rejects.toMatchObject({ status: 412, code: 'precondition_failed' });
    await expect(client.endpoints.delete(ep.id, { ifMatch: current.etag })).resolves.toBeUndefined();
    await expect(client.endpoints.get(ep.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('events and deliveries: publish once per key, read, retry, redact; the platform key acts for a workspace', async () => {
    const ep = await client.endpoints.create({ url: `${receiver.url}/events`, events: ['message.delivered'] });
    const body = { type: 'message.delivered', data: { object: { id: 'msg_1', to: '+254700000000' } } };
    const event = await client.events.publish(body, { idempotencyKey: 'order-1' });
    expect(event).toMatchObject({ type: 'message.delivered', workspace: ws.id, live: false, request: { idempotency_key: 'order-1' } });
    await expect(client.events.publish(body, { idempotencyKey: 'order-1' })).resolves.toEqual(event);
    const generated = await client.events.publish(body);
    expect(generated.request.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);

    await expect(client.events.get(event.id)).resolves.toEqual(event);
    expect((await client.events.list({ type: ['message.delivered'] }).toArray()).map((e) => e.id).sort()).toEqual([event.id, generated.id].sort());
    const one = await client.events.page({ count: 1 });
    expect(one.data).toHaveLength(1);
    expect(one.next).toEqual(expect.any(String));

    const deliveries = await client.deliveries.list({ event: event.id }).toArray();
    expect(deliveries).toEqual([expect.objectContaining({ event: event.id, endpoint: ep.id, status: 'pending' })]);
    await expect(client.deliveries.get(deliveries[0]!.id)).resolves.toMatchObject({ id: deliveries[0]!.id });
    await expect(client.deliveries.page({ endpoint: ep.id, status: 'pending', count: 100 })).resolves.toMatchObject({ data: expect.any(Array), next: undefined });

    const attempt = await client.events.retry(event.id, { webhook_endpoint: ep.id });
    expect(attempt).toMatchObject({ manual: true, successful: true, code: 200 });

    // An event's ETag is a header, not a field: request() answers with the headers.
    const read = await client.request('GET /v1/events/{id}', { params: { id: generated.id } });
    const etag = read.headers.get('etag')!;
    await expect(client.events.redact(generated.id, { ifMatch: '"stale"' })).rejects.toMatchObject({ status: 412 });
    await expect(client.events.redact(generated.id, { ifMatch: etag })).resolves.toMatchObject({ data: { object: {} }, redaction: { requested: expect.any(String) } });

    const acting = createClient({ url, key: PLATFORM_KEY, workspace: ws.id, live: false });
    await expect(acting.events.get(event.id)).resolves.toMatchObject({ id: event.id });
    await expect(createClient({ url, key: PLATFORM_KEY, workspace: ws.id, live: true }).events.get(event.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('stats, status, portal sessions and listen grants', async () => {
    await expect(client.stats.endpoints({ hours: 24 })).resolves.toEqual(expect.any(Array));
    await expect(client.stats.hourly({ hours: 3 })).resolves.toHaveLength(3);
    await expect(client.status.get({ limit: 5 })).resolves.toMatchObject({ scope: { workspace: ws.id, live: false }, deliveries: { pending: expect.any(Number) } });
    await expect(platform.status.get()).resolves.toMatchObject({ scope: { workspace: null, live: null } });
    const session = await platform.portalSessions.create({ workspace: ws.id, live: false, expires_in: 600 });
    expect(session).toMatchObject({ url: expect.stringContaining('hkps_'), expires: expect.any(String) });
    const grant = await client.realtime.negotiateEvents({ events: ['message.*'] });
    expect(grant).toMatchObject({ workspace: ws.id, live: false, token: expect.any(String), url: expect.stringMatching(/^ws/) });
  });

  it('errors: validation_failed by field, unauthenticated, forbidden, and no answer', async () => {
    const bad = (await client.endpoints.create({ url: 'ftp://example.com/', events: ['message.*'] }).catch((e: unknown) => e)) as HookdApiError;
    expect(bad).toBeInstanceOf(HookdApiError);
    expect(bad).toMatchObject({ status: 400, code: 'validation_failed', errors: { url: [expect.stringMatching(/http or https/)] } });
    expect(bad.requestId).toMatch(/^req_/);
    expect(bad.problem?.traceId).toBe(bad.requestId);
    await expect(createClient({ url, key: 'fskt_not_a_key' }).events.page()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    await expect(client.workspaces.page()).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    // A port nothing listens on: the one that was free a moment ago.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    await expect(createClient({ url: `http://127.0.0.1:${port}`, key: ws.test, maxRetryTime: 0 }).health()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});

describe('@hookd/client meets the rate limit', () => {
  let h: TestHookd;
  afterAll(async () => h?.close());

  it('publish waits out Retry-After and is accepted once, with the same key', async () => {
    h = await startHookd({ rateLimit: { rate: 1, burst: 1 } });
    const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const ws = await h.workspace();
    const waits: number[] = [];
    // The test clock is the rate limit's: waiting advances it instead of sleeping.
    const client = createClient({ url, key: ws.test, sleep: async (ms) => {
      waits.push(ms);
      h.clock.advance(ms);
    } });
    const first = await client.events.publish({ type: 'message.delivered', data: { object: { n: 1 } } });
    const second = await client.events.publish({ type: 'message.delivered', data: { object: { n: 2 } } }, { idempotencyKey: 'second' });
    expect(waits).toEqual([1000]);
    expect(second.request.idempotency_key).toBe('second');
    const res = await h.call('GET', '/v1/events?count=10', { headers: { 'x-workspace-id': ws.id } });
    expect((res.json() as { id: string }[]).map((e) => e.id).sort()).toEqual([first.id, second.id].sort());
  });
});

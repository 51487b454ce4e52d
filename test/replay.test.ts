/**
 * POST /v1/webhooks/endpoints/{id}/replay (docs/delivery.md, "Replay"): what an endpoint
 * missed arrives, once; nothing of another workspace or mode; bad windows and types refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('replay', () => {
  let h: TestHookd;
  let r: Receiver;
  let ws: { id: string; test: string; live: string };
  const since = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    h = await startHookd({ retrySchedule: [0, 100, 100], requestTimeout: 5_000, lease: 10_000 }, { dispatcher: true });
    r = await startReceiver();
    ws = await h.workspace();
  });
  afterAll(async () => {
    await r.close();
    await h.close();
  });

  async function endpoint(path: string, events: string[], key = ws.test) {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key, body: { url: `${r.url}/${path}`, events } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  }

  async function patch(id: string, body: Record<string, unknown>) {
    const res = await h.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key: ws.test, body });
    expect(res.statusCode, res.body).toBe(200);
  }

  async function publish(type: string, key = ws.test) {
    const res = await h.call('POST', '/v1/events', { key, body: { type, data: { object: { id: 'pa_1' } } } });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  }

  async function replay(id: string, body: Record<string, unknown> = {}, key = ws.test) {
    return h.call('POST', `/v1/webhooks/endpoints/${id}/replay`, { key, body: { since, ...body } });
  }

  async function queued(id: string, body: Record<string, unknown> = {}) {
    const res = await replay(id, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { queued: number; has_more: boolean; since: string; until: string };
  }

  /** Event ids that arrived at `path`, sorted. */
  const arrivedAt = (path: string) => r.received.filter((x) => x.path.endsWith(`/${path}`)).map((x) => x.headers['webhook-id'] as string).sort();

  it('queues exactly what each endpoint missed, once, and it arrives', async () => {
    const a = await endpoint('a', ['payment.*']);
    const c = await endpoint('c', ['invoice.created']);
    const e1 = await publish('payment.succeeded'); // a gets it; b is not there yet; c is not subscribed
    await r.waitFor(1); // before a is disabled, which would end its pending delivery unsent
    await patch(a.id, { status: 'disabled' });
    const e2 = await publish('payment.failed'); // nobody: a is disabled
    await patch(a.id, { status: 'enabled' });
    await patch(c.id, { events: ['payment.*'] });
    const b = await endpoint('b', ['payment.succeeded']);
    const e3 = await publish('payment.succeeded'); // a, b and c
    await r.waitFor(4);

    // Another workspace's and the live mode's events of the same types and window: never queued.
    const other = await h.workspace('Other');
    await endpoint('other', ['payment.*'], other.test);
    await publish('payment.succeeded', other.test);
    await publish('payment.succeeded', ws.live);
    await r.waitFor(5);

    const answer = await queued(a.id);
    expect(answer).toMatchObject({ queued: 1, has_more: false, since });
    expect(Date.parse(answer.until)).toBeGreaterThan(Date.parse(since));
    expect(await queued(b.id)).toMatchObject({ queued: 1 });
    expect(await queued(c.id)).toMatchObject({ queued: 2 });
    await r.waitFor(9);
    expect(arrivedAt('a')).toEqual([e1, e2, e3].sort());
    expect(arrivedAt('b')).toEqual([e1, e3].sort());
    expect(arrivedAt('c')).toEqual([e1, e2, e3].sort());

    // The same requests again: nothing new.
    for (const ep of [a, b, c]) expect((await queued(ep.id)).queued).toBe(0);

    // include_delivered: every matching event once more, once per identical request.
    expect(await queued(b.id, { include_delivered: true })).toMatchObject({ queued: 2 });
    expect(await queued(b.id, { include_delivered: true })).toMatchObject({ queued: 0 });
    await r.waitFor(11);
    expect(arrivedAt('b')).toEqual([e1, e1, e3, e3].sort());

    // types narrows the endpoint's subscription; wildcards as in `events`.
    expect(await queued(a.id, { include_delivered: true, types: ['payment.failed'] })).toMatchObject({ queued: 1 });
    expect(await queued(a.id, { include_delivered: true, types: ['payment.failed'] })).toMatchObject({ queued: 0 });
    expect(await queued(c.id, { include_delivered: true, types: ['payment.*', 'invoice.created'] })).toMatchObject({ queued: 3 });
    await r.waitFor(15);
    expect(arrivedAt('a')).toEqual([e1, e2, e2, e3].sort());

    // The records: ordinary deliveries, due at once, and the replayed ones among them.
    const list = await h.call('GET', `/v1/webhooks?endpoint=${b.id}`, { key: ws.test });
    const records = list.json() as { event: string; replayed: boolean; status: string }[];
    expect(records.map((x) => [x.event, x.replayed]).sort()).toEqual([[e1, true], [e1, true], [e3, false], [e3, true]].sort());
    expect(r.received.filter((x) => x.path.endsWith('/other'))).toHaveLength(1);
    const metrics = (await h.call('GET', '/metrics', { key: null })).body;
    expect(/^hookd_replayed_deliveries_total (\d+)/m.exec(metrics)?.[1]).toBe('10');
  });

  it('the store queues nothing for an endpoint disabled after the route checked it', async () => {
    const g = await endpoint('g', ['discount.created']);
    await publish('discount.created');
    await patch(g.id, { status: 'disabled' });
    const now = Date.now();
    const options = { endpoint: g.id, since: now - 60_000, until: now, includeDelivered: true, key: 'rp_test', limit: 10, now };
    expect(await h.store.replayDeliveries({ workspace: ws.id, live: false }, options)).toEqual({ queued: 0, hasMore: false });
    await patch(g.id, { status: 'enabled' });
    expect(await h.store.replayDeliveries({ workspace: ws.id, live: false }, options)).toEqual({ queued: 1, hasMore: false });
    // Another mode's view of the same endpoint id finds no endpoint, and queues nothing.
    expect(await h.store.replayDeliveries({ workspace: ws.id, live: true }, { ...options, key: 'rp_other' })).toEqual({ queued: 0, hasMore: false });
  });

  it('queues at most limit rows a call, and says when more are left', async () => {
    const d = await endpoint('d', ['customer.created']);
    const events = [await publish('customer.created'), await publish('customer.created'), await publish('customer.created')];
    const window = { since: new Date(Date.now() - 30_000).toISOString(), include_delivered: true, limit: 2 };
    expect(await queued(d.id, window)).toMatchObject({ queued: 2, has_more: true });
    expect(await queued(d.id, window)).toMatchObject({ queued: 1, has_more: false });
    expect(await queued(d.id, window)).toMatchObject({ queued: 0, has_more: false });
    const list = await h.call('GET', `/v1/webhooks?endpoint=${d.id}`, { key: ws.test });
    const rows = (list.json() as { event: string }[]).map((x) => x.event).sort();
    expect(rows).toEqual([...events, ...events].sort());
  });

  it('refuses bad windows and types naming the field, a window past retention, and a disabled endpoint', async () => {
    const e = await endpoint('e', ['payment.*']);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ since: 'yesterday' }, 400, 'since'],
      [{ until: '2026-13-01' }, 400, 'until'],
      [{ until: since }, 400, 'until'],
      [{ types: ['no_such.type'] }, 400, 'types'],
      [{ types: [] }, 400, 'types'],
      [{ limit: 0 }, 400, 'limit'],
      [{ include_delivered: 'yes' }, 400, 'include_delivered'],
      [{ since: '2020-01-01' }, 422, 'since'],
    ];
    for (const [body, status, field] of cases) {
      const res = await replay(e.id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(Object.keys(problem(res).errors ?? {}), JSON.stringify(body)).toContain(field);
    }
    expect(problem(await replay(e.id, { since: '2020-01-01' })).detail).toMatch(/HOOKD_RETENTION/);

    await patch(e.id, { status: 'disabled' });
    expect((await replay(e.id)).statusCode).toBe(409);
    const other = await h.workspace('Third');
    expect((await replay(e.id, {}, other.test)).statusCode).toBe(404);
    expect((await replay(e.id, {}, ws.live)).statusCode).toBe(404);
  });

  it('answers a repeated X-Idempotency-Key with the kept answer', async () => {
    const f = await endpoint('f', ['coupon.created']);
    await publish('coupon.created');
    const headers = { 'X-Idempotency-Key': 'replay-f-1' };
    const body = { since, include_delivered: true };
    const first = await h.call('POST', `/v1/webhooks/endpoints/${f.id}/replay`, { key: ws.test, body, headers });
    const again = await h.call('POST', `/v1/webhooks/endpoints/${f.id}/replay`, { key: ws.test, body, headers });
    expect(first.json()).toMatchObject({ queued: 1 });
    expect(again.json()).toEqual(first.json());
  });
});

/**
 * Payload filters (docs/delivery.md, "Filters"): a publish, a replay and the test route each
 * respect an endpoint's filter; bad filters get a 400 naming the path inside; and
 * POST /v1/webhooks/filters/test tries one against a stored event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('filters', () => {
  let h: TestHookd;
  let r: Receiver;
  let ws: { id: string; test: string; live: string };
  const since = new Date(Date.now() - 60_000).toISOString();
  const big = { data: { object: { amount: { $gte: 1000 }, currency: { $in: ['kes', 'usd'] } } } };

  beforeAll(async () => {
    h = await startHookd({ retrySchedule: [0, 100, 100], requestTimeout: 5_000, lease: 10_000 }, { dispatcher: true });
    r = await startReceiver();
    ws = await h.workspace();
  });
  afterAll(async () => {
    await r.close();
    await h.close();
  });

  async function endpoint(path: string, filter?: Record<string, unknown>, events = ['payment.succeeded']) {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: `${r.url}/${path}`, events, ...(filter ? { filter } : {}) } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; filter: unknown };
  }

  async function publish(object: Record<string, unknown>, key = ws.test) {
    const res = await h.call('POST', '/v1/events', { key, body: { type: 'payment.succeeded', data: { object } } });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  }

  /** The events an endpoint has delivery records of, sorted. */
  async function deliveredEvents(id: string) {
    const res = await h.call('GET', `/v1/webhooks?endpoint=${id}`, { key: ws.test });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { event: string }[]).map((d) => d.event).sort();
  }

  const arrivedAt = (path: string) => r.received.filter((x) => x.path.endsWith(`/${path}`)).map((x) => x.headers['webhook-id'] as string).sort();

  let matching = '';
  let small = '';
  let euro = '';

  it('a publish reaches an endpoint with a filter only when it matches, and the others as before', async () => {
    const all = await endpoint('all');
    const filtered = await endpoint('big', big);
    expect(filtered.filter).toEqual(big);
    matching = await publish({ id: 'pay_1', amount: 1500, currency: 'kes' });
    small = await publish({ id: 'pay_2', amount: 500, currency: 'kes' });
    euro = await publish({ id: 'pay_3', amount: 2000, currency: 'eur' });

    expect(await deliveredEvents(filtered.id)).toEqual([matching]);
    expect(await deliveredEvents(all.id)).toEqual([matching, small, euro].sort());
    await r.waitFor(4);
    expect(arrivedAt('big')).toEqual([matching]);
    expect(arrivedAt('all')).toEqual([matching, small, euro].sort());

    // null removes the filter: the next small payment reaches it.
    const patched = await h.call('PATCH', `/v1/webhooks/endpoints/${filtered.id}`, { key: ws.test, body: { filter: null } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ filter: null });
    const next = await publish({ id: 'pay_4', amount: 1, currency: 'kes' });
    expect(await deliveredEvents(filtered.id)).toEqual([matching, next].sort());
  });

  it('refuses a bad filter on create and patch with a 400 naming the path inside it', async () => {
    const { id } = await endpoint('bad-cases');
    const cases: [Record<string, unknown>, string, string][] = [
      [{ data: { object: { amount: { $gte: true } } } }, 'filter.data.object.amount.$gte', 'must be a number or a string'],
      [{ data: { object: { amount: { $regex: '^1' } } } }, 'filter.data.object.amount.$regex', 'is not an operator'],
      [{ id: 'evt_1' }, 'filter.id', 'is not visible to a filter'],
      [{ $or: [{ type: 'a' }, { data: { object: { n: { $in: [] } } } }] }, 'filter.$or.1.data.object.n.$in', 'must be a non-empty array of values'],
      [{ data: { object: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } } } }, 'filter.data.object.a.b.c.d.e.f.g.h.i.j', 'is nested too deeply'],
      [{}, 'filter', 'must have at least one condition'],
    ];
    for (const [filter, field, message] of cases) {
      for (const res of [
        await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: `${r.url}/bad`, events: ['payment.succeeded'], filter } }),
        await h.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key: ws.test, body: { filter } }),
      ]) {
        expect(res.statusCode, `${JSON.stringify(filter)}: ${res.body}`).toBe(400);
        const errors = problem(res).errors ?? {};
        expect(Object.keys(errors), JSON.stringify(filter)).toEqual([field]);
        expect(errors[field]![0]).toContain(message);
      }
    }
    // Not an object at all: the request schema's own 400, on the field.
    const res = await h.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key: ws.test, body: { filter: ['type'] } });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(problem(res).errors ?? {})).toEqual(['filter']);
    // Nothing was stored by any of them.
    expect((await h.call('GET', `/v1/webhooks/endpoints/${id}`, { key: ws.test })).json()).toMatchObject({ filter: null });
  });

  it('a replay queues only what a publish would have, and has_more counts only matches', async () => {
    const late = await endpoint('late', { data: { object: { amount: { $gte: 1000 } } } });
    expect(await h.call('POST', `/v1/webhooks/endpoints/${late.id}/replay`, { key: ws.test, body: { since, limit: 1 } }).then((x) => x.json())).toMatchObject({ queued: 1, has_more: true });
    expect(await h.call('POST', `/v1/webhooks/endpoints/${late.id}/replay`, { key: ws.test, body: { since, limit: 1 } }).then((x) => x.json())).toMatchObject({ queued: 1, has_more: false });
    expect(await deliveredEvents(late.id)).toEqual([matching, euro].sort());

    // One match among candidates that do not: after it, nothing left that matches.
    const tiny = await endpoint('tiny', { data: { object: { amount: { $lt: 600, $gt: 100 } } } });
    expect(await h.call('POST', `/v1/webhooks/endpoints/${tiny.id}/replay`, { key: ws.test, body: { since, limit: 1 } }).then((x) => x.json())).toMatchObject({ queued: 1, has_more: false });
    expect(await deliveredEvents(tiny.id)).toEqual([small]);
  });

  it('the test event is sent whatever the filter, and says when the filter excludes it', async () => {
    const cases: [Record<string, unknown> | undefined, boolean][] = [
      [undefined, false],
      [big, true],
      [{ type: 'webhook_endpoint.test' }, false],
      [{ type: 'webhook_endpoint.test', data: { object: { url: { $startsWith: 'https://' } } } }, true],
    ];
    for (const [i, [filter, filtered]] of cases.entries()) {
      const { id } = await endpoint(`test-${i}`, filter);
      const res = await h.call('POST', `/v1/webhooks/endpoints/${id}/test`, { key: ws.test });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json(), JSON.stringify(filter)).toMatchObject({ successful: true, filtered, manual: true });
    }
  });

  it('a manual send of a stored event to an endpoint ignores its filter', async () => {
    const only = await endpoint('manual', { data: { object: { currency: 'usd' } } });
    const res = await h.call('POST', `/v1/events/${small}/retry`, { key: ws.test, body: { webhook_endpoint: only.id } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ successful: true });
    expect(await deliveredEvents(only.id)).toEqual([small]);
  });

  describe('POST /v1/webhooks/filters/test', () => {
    const tryIt = (body: unknown, key = ws.test) => h.call('POST', '/v1/webhooks/filters/test', { key, body });

    it('says whether a filter matches a stored event', async () => {
      for (const [event, matches] of [[matching, true], [small, false], [euro, false]] as const) {
        const res = await tryIt({ filter: big, event });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toEqual({ matches, event, type: 'payment.succeeded', redacted: false });
      }
      expect((await tryIt({ filter: { type: { $startsWith: 'payment.' } }, event: small })).json()).toMatchObject({ matches: true });
    });

    it('a redacted event is tried with the data it has left', async () => {
      const id = await publish({ id: 'pay_r', amount: 5000, currency: 'usd' });
      expect((await tryIt({ filter: big, event: id })).json()).toMatchObject({ matches: true });
      expect((await h.call('POST', `/v1/events/${id}/redact`, { key: ws.test, body: {} })).statusCode).toBe(200);
      expect((await tryIt({ filter: big, event: id })).json()).toEqual({ matches: false, event: id, type: 'payment.succeeded', redacted: true });
    });

    it('a bad filter is the 400 an endpoint gets; an event of another workspace or mode, or none, is 404', async () => {
      const bad = await tryIt({ filter: { data: { object: { amount: { $gte: [] } } } }, event: matching });
      expect(bad.statusCode).toBe(400);
      expect(problem(bad).errors).toEqual({ 'filter.data.object.amount.$gte': ['must be a number or a string'] });
      const other = await h.workspace('Other');
      const theirs = await publish({ amount: 1 }, other.test);
      const live = await publish({ amount: 1 }, ws.live);
      for (const event of [theirs, live, `evt_${'0'.repeat(24)}`]) {
        const res = await tryIt({ filter: big, event });
        expect(res.statusCode, event).toBe(404);
      }
      expect((await tryIt({ filter: big })).statusCode).toBe(400);
    });
  });
});

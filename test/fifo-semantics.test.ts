/**
 * Ordered endpoints' edges (docs/delivery.md, "Ordered endpoints"), on both stores: a disabled
 * queue waits, a given-up head lets the next go and the record says so, a recover puts failed
 * deliveries back in their places, switching FIFO on orders the backlog by acceptance and off
 * lets it go, a manual retry and the test event go at once; and a throttled endpoint's
 * Retry-After holds its whole bucket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimOptions, ClaimResult } from '../src/store/types.js';
import { startHookd, type StartOptions, type TestHookd } from './helpers.js';
import { startReceiver, type Behaviour, type Receiver } from './receiver.js';
import { sleep, until, untilValue } from './wait.js';

interface DeliveryJson {
  id: string; event: string; status: string; sequence: number | null; waiting_behind: string | null; follows_given_up: string | null;
  attempts: { code: number | null; manual: boolean }[];
}

describe('ordered endpoints', () => {
  let h: TestHookd | null = null;
  let r: Receiver | null = null;
  afterEach(async () => {
    await h?.close();
    await r?.close();
    h = r = null;
  });

  /** Discoveries as the dispatcher made them, with the endpoints each found due. */
  const discoveries: { now: number; endpoints: string[] }[] = [];

  async function setUp(behaviour: Behaviour, options: StartOptions = { dispatcher: true }) {
    discoveries.length = 0;
    r = await startReceiver(behaviour);
    h = await startHookd({ requestTimeout: 5_000, lease: 10_000 }, options);
    const discover = h.store.dueEndpoints.bind(h.store);
    h.store.dueEndpoints = async (now: number) => {
      const found = await discover(now);
      discoveries.push({ now, endpoints: found.map((d) => d.endpoint) });
      return found;
    };
    const ws = await h.workspace();
    const hookd = h;
    const receiver = r;
    return {
      hookd, receiver, key: ws.test,
      async endpoint(body: Record<string, unknown>): Promise<string> {
        const res = await hookd.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: receiver.url, events: ['payment.*'], ...body } });
        expect(res.statusCode, res.body).toBe(201);
        return (res.json() as { id: string }).id;
      },
      async patch(id: string, body: Record<string, unknown>) {
        const res = await hookd.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key: ws.test, body });
        expect(res.statusCode, res.body).toBe(200);
      },
      async publish(n: number): Promise<string> {
        const res = await hookd.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: `pa_${n}` } } } });
        expect(res.statusCode, res.body).toBe(201);
        return (res.json() as { id: string }).id;
      },
      /** The endpoint's deliveries in the order of their places. */
      async deliveries(endpoint: string): Promise<DeliveryJson[]> {
        const res = await hookd.call('GET', `/v1/webhooks?endpoint=${endpoint}&count=100`, { key: ws.test });
        expect(res.statusCode, res.body).toBe(200);
        return (res.json() as DeliveryJson[]).sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
      },
    };
  }

  /** Event ids in the order requests arrived. */
  const arrivals = () => r!.received.map((x) => String(x.headers['webhook-id']));

  it('a disabled FIFO endpoint keeps its queue, in order, until it is enabled again', async () => {
    const t = await setUp((n) => (n === 0 ? 'hang' : { status: 200 }));
    const ep = await t.endpoint({ ordering: 'fifo', retry_schedule: ['0', '100ms'] });
    const events: string[] = [];
    for (let i = 0; i < 5; i++) events.push(await t.publish(i));
    await t.receiver.waitFor(1, 10_000); // the head, held by the receiver; the rest wait behind it
    await t.patch(ep, { status: 'disabled' });
    t.receiver.releaseHanging(500);
    const head = await untilValue('the head\'s retry scheduled', async () => {
      const [d] = await t.deliveries(ep);
      return d && d.attempts.length === 1 ? d : undefined;
    }, 10_000, 20);
    const due = Date.parse((head as unknown as { next: { scheduled: string } }).next.scheduled);
    // A discovery made once the head's retry was due did not name the endpoint: a disabled
    // FIFO queue is not due at all (src/store/sql/claim.ts `dueEndpoints`), so nothing claims it.
    const seen = await untilValue('a discovery after the head came due', () => discoveries.find((d) => d.now >= due), 10_000, 10);
    expect(seen.endpoints).not.toContain(ep);
    expect(t.receiver.received).toHaveLength(1);
    expect((await t.deliveries(ep)).map((d) => d.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    await t.patch(ep, { status: 'enabled' });
    await t.receiver.waitFor(6, 10_000);
    expect(arrivals()).toEqual([events[0], ...events]);
  });

  it('goes on past a delivery given up on, and the next one\'s record says so', async () => {
    const t = await setUp((_n, req) => ({ status: req.body.includes('"pa_2"') ? 500 : 200 }));
    const ep = await t.endpoint({ ordering: 'fifo', retry_schedule: ['0'] });
    const e1 = await t.publish(1);
    const e2 = await t.publish(2);
    const e3 = await t.publish(3);
    await t.receiver.waitFor(3, 10_000);
    expect(arrivals()).toEqual([e1, e2, e3]);
    const [d1, d2, d3] = await untilValue('every delivery ended', async () => {
      const list = await t.deliveries(ep);
      return list.every((d) => d.status !== 'pending') ? list : undefined;
    }, 10_000, 20);
    expect([d1!.status, d2!.status, d3!.status]).toEqual(['succeeded', 'failed', 'succeeded']);
    expect([d1!.sequence, d2!.sequence, d3!.sequence]).toEqual([1, 2, 3]);
    expect([d1!.follows_given_up, d2!.follows_given_up, d3!.follows_given_up]).toEqual([null, null, d2!.id]);
  });

  it('a waiting delivery names the head it waits behind; a manual retry and the test event go at once', async () => {
    const t = await setUp((_n, req) => ({ status: req.body.includes('"pa_1"') ? 500 : 200 }));
    const ep = await t.endpoint({ ordering: 'fifo', retry_schedule: ['0', '1h'] });
    await t.publish(1);
    const e2 = await t.publish(2);
    await t.publish(3);
    const [head, second, third] = await untilValue('the head failed once', async () => {
      const list = await t.deliveries(ep);
      return list[0]?.attempts.length === 1 ? list : undefined;
    }, 10_000, 20);
    expect([head!.status, second!.waiting_behind, third!.waiting_behind, head!.waiting_behind]).toEqual(['pending', head!.id, head!.id, null]);
    const manual = await t.hookd.call('POST', `/v1/events/${e2}/retry`, { key: t.key, body: { webhook_endpoint: ep } });
    expect(manual.statusCode, manual.body).toBe(200);
    const test = await t.hookd.call('POST', `/v1/webhooks/endpoints/${ep}/test`, { key: t.key });
    expect(test.statusCode, test.body).toBe(200);
    expect(t.receiver.received).toHaveLength(3); // the head once, the manual retry, the test event
    const after = await t.deliveries(ep);
    expect(after.map((d) => d.status)).toEqual(['pending', 'succeeded', 'pending']);
    expect(after[1]!.attempts.map((a) => a.manual)).toEqual([true]);
  });

  it('a recover puts failed deliveries back in their places, ahead of what still waits', async () => {
    let up = false;
    const t = await setUp(() => ({ status: up ? 200 : 500 }));
    const ep = await t.endpoint({ ordering: 'fifo', retry_schedule: ['0'] });
    const given = [await t.publish(1), await t.publish(2), await t.publish(3)];
    await t.receiver.waitFor(3, 10_000);
    await until('all three given up', async () => (await t.deliveries(ep)).every((d) => d.status === 'failed'), 10_000, 20);
    expect(arrivals()).toEqual(given);
    await t.patch(ep, { status: 'disabled' });
    await t.patch(ep, { status: 'enabled' });
    up = true;
    const recovered = await t.hookd.call('POST', `/v1/webhooks/endpoints/${ep}/recover`, { key: t.key, body: { since: new Date(Date.now() - 60_000).toISOString() } });
    expect(recovered.statusCode, recovered.body).toBe(200);
    expect(recovered.json()).toMatchObject({ recovered: 3 });
    await t.receiver.waitFor(6, 10_000);
    expect(arrivals().slice(3)).toEqual(given);
    expect((await t.deliveries(ep)).map((d) => d.sequence)).toEqual([1, 2, 3]);
  });

  it('a replay appends what the endpoint missed to its queue, in the events\' order', async () => {
    const t = await setUp(() => ({ status: 200 }));
    const missed: string[] = [];
    for (let i = 0; i < 4; i++) {
      missed.push(await t.publish(i)); // before the endpoint exists
      await sleep(2); // a replay reads events by acceptance (created, then id): a millisecond apart, their order is the publishes'
    }
    const ep = await t.endpoint({ ordering: 'fifo' });
    const res = await t.hookd.call('POST', `/v1/webhooks/endpoints/${ep}/replay`, { key: t.key, body: { since: new Date(Date.now() - 60_000).toISOString() } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ queued: 4 });
    const next = await t.publish(4);
    await t.receiver.waitFor(5, 10_000);
    expect(arrivals()).toEqual([...missed, next]);
    expect((await t.deliveries(ep)).map((d) => [d.event, d.sequence])).toEqual([...missed, next].map((e, i) => [e, i + 1]));
  });

  it('switching FIFO on orders the waiting backlog by acceptance; switching it off lets it go unordered', async () => {
    const t = await setUp(() => ({ status: 200 }), {});
    const ep = await t.endpoint({});
    const events: string[] = [];
    for (let i = 0; i < 6; i++) {
      events.push(await t.publish(i));
      t.hookd.clock.advance(1); // a millisecond apart: acceptance decides their order
    }
    expect((await t.deliveries(ep)).map((d) => d.sequence)).toEqual([null, null, null, null, null, null]);
    await t.patch(ep, { ordering: 'fifo' });
    const fifo = await t.deliveries(ep);
    expect(fifo.map((d) => d.event)).toEqual(events);
    expect(fifo.map((d) => d.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fifo.map((d) => d.waiting_behind)).toEqual([null, ...Array(5).fill(fifo[0]!.id)]);
    events.push(await t.publish(6));
    expect((await t.deliveries(ep)).at(-1)).toMatchObject({ event: events[6], sequence: 7 });
    await t.patch(ep, { ordering: 'unordered' });
    expect((await t.deliveries(ep)).map((d) => d.waiting_behind)).toEqual(Array(7).fill(null));
  });
});

describe('throttled endpoints', () => {
  let h: TestHookd | null = null;
  let r: Receiver | null = null;
  afterEach(async () => {
    await h?.close();
    await r?.close();
    h = r = null;
  });

  it('a Retry-After answer holds the whole bucket until then', async () => {
    r = await startReceiver((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '3600' } } : { status: 200 }));
    h = await startHookd({ requestTimeout: 5_000, lease: 10_000 }, { dispatcher: true });
    const results: ClaimResult[] = [];
    const claim = h.store.claimDeliveries.bind(h.store);
    h.store.claimDeliveries = async (o: ClaimOptions) => {
      const result = await claim(o);
      results.push(result);
      return result;
    };
    const ws = await h.workspace();
    const created = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: r.url, events: ['payment.*'], rate_limit: 1_000, retry_schedule: ['0', '1s'] } });
    expect(created.statusCode, created.body).toBe(201);
    const ep = (created.json() as { id: string }).id;
    for (let i = 0; i < 3; i++) {
      const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: `pa_${i}` } } } });
      expect(res.statusCode, res.body).toBe(201);
    }
    await r.waitFor(1, 10_000);
    const answered = r.received[0]!.at;
    const held = await untilValue('a claim after the pause that found the bucket empty', () => {
      const i = results.findIndex((x) => x.deliveries.length > 0);
      return results.slice(i + 1).find((x) => x.controlled.some((c) => c.endpoint === ep && c.retryAt !== null && c.retryAt >= answered + 3_600_000));
    }, 10_000, 20);
    expect(held.deliveries).toEqual([]);
    expect(r.received).toHaveLength(1);
  });
});

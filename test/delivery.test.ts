import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { sleep, until, untilValue } from './wait.js';

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
const eventually = <T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> =>
  untilValue('the record was as the test expects', check, timeoutMs, 25);

describe('delivery', () => {
  let h: TestHookd;
  let ws: { id: string; test: string; live: string };
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    // A request timeout no local answer comes near, however loaded the machine: the tests count
    // attempts exactly, and a timed-out one would be an extra. The timeout has a test of its own below.
    h = await startHookd({ retrySchedule: [0, 100, 100], requestTimeout: 5_000, lease: 10_000 }, { dispatcher: true });
  });
  // A workspace per test, so that one test's endpoints never receive another's events.
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

  async function endpoint(url: string, extra: Record<string, unknown> = {}) {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url, events: ['payment.*'], ...extra } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string; status: string };
  }

  async function publish(object: Record<string, unknown> = { id: 'pa_1', amount: 1000 }, headers: Record<string, string> = {}) {
    const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object } }, headers });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string };
  }

  async function deliveryOf(eventId: string, endpointId: string) {
    const res = await h.call('GET', `/v1/webhooks?event=${eventId}&endpoint=${endpointId}`, { key: ws.test });
    expect(res.statusCode).toBe(200);
    return (res.json() as { id: string; status: string; attempts: { code: number | null; successful: boolean; error: string | null; manual: boolean }[]; next: unknown }[])[0];
  }

  it('arrives signed with both schemes, and the record shows the attempt', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url, { token: 'tok_receiver_secret' });
    const published = Date.now();
    const event = await publish();
    const [got] = await r.waitFor(1);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['user-agent']).toMatch(/^hookd\/\d+\.\d+\.\d+$/);
    expect(got!.headers.authorization).toBe('Bearer tok_receiver_secret');
    expect(got!.headers['webhook-id']).toBe(event.id);
    // Standard Webhooks, checked by the reference library.
    expect(new Webhook(ep.secret.slice('fwhs_'.length)).verify(got!.body, got!.headers as Record<string, string>)).toMatchObject({ id: event.id });
    // X-Falu-Signature, checked by an independent HMAC over "<t>." + the exact body.
    const header = got!.headers['x-falu-signature'] as string;
    const t = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(header)!;
    expect(t[2]).toBe(createHmac('sha256', ep.secret).update(`${t[1]}.${got!.body}`).digest('hex'));
    // Signed at the attempt's start (whole seconds): after the publish, before the receiver read it.
    expect(Number(t[1])).toBeGreaterThanOrEqual(Math.floor(published / 1000));
    expect(Number(t[1])).toBeLessThanOrEqual(Math.floor(got!.at / 1000));
    expect(JSON.parse(got!.body)).toMatchObject({ id: event.id, type: 'payment.succeeded', data: { object: { id: 'pa_1' } }, workspace: ws.id, live: false });

    const record = await eventually(async () => {
      const d = await deliveryOf(event.id, ep.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ code: 200, successful: true, manual: false, error: null });
    expect(record.next).toBeNull();
    const one = await h.call('GET', `/v1/webhooks/${record.id}`, { key: ws.test });
    expect(one.json()).toMatchObject({ id: record.id, event: event.id, endpoint: ep.id, type: 'payment.succeeded', status: 'succeeded' });
  });

  it('retries a 500 and records both attempts', async () => {
    const r = await receiver((n) => ({ status: n === 0 ? 500 : 200 }));
    const ep = await endpoint(r.url);
    const event = await publish();
    await r.waitFor(2);
    const record = await eventually(async () => {
      const d = await deliveryOf(event.id, ep.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(record.attempts.map((a) => a.code)).toEqual([500, 200]);
    expect(r.received[0]!.headers['webhook-id']).toBe(r.received[1]!.headers['webhook-id']);
  });

  it('does not retry an ordinary 4xx', async () => {
    const r = await receiver(() => ({ status: 400 }));
    const ep = await endpoint(r.url);
    const event = await publish();
    const record = await eventually(async () => {
      const d = await deliveryOf(event.id, ep.id);
      return d?.status === 'failed' ? d : undefined;
    });
    await new Promise((res) => setTimeout(res, 300));
    expect(r.received).toHaveLength(1);
    expect(record.attempts.map((a) => a.code)).toEqual([400]);
  });

  it('disables an endpoint that answers 410 and announces it', async () => {
    const r = await receiver(() => ({ status: 410 }));
    const ep = await endpoint(r.url);
    await publish();
    const disabled = await eventually(async () => {
      const res = await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test });
      const body = res.json() as { status: string };
      return body.status === 'disabled' ? body : undefined;
    });
    expect(disabled.status).toBe('disabled');
    const events = await eventually(async () => {
      const res = await h.call('GET', '/v1/events?type=webhook_endpoint.disabled', { key: ws.test });
      const list = res.json() as { data: { object: { id: string } } }[];
      return list.some((e) => e.data.object.id === ep.id) ? list : undefined;
    });
    expect(events[0]!.data.object.id).toBe(ep.id);
  });

  it('honours Retry-After: a 503 asking for 1 s is not retried sooner', async () => {
    const r = await receiver((n) => (n === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    await endpoint(r.url);
    await publish();
    const [first, second] = await r.waitFor(2, 5_000);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('times out a hanging endpoint and retries it, recording why', async () => {
    // A short timeout of its own, and retries enough that a local answer slower than it (a
    // stalled machine) only costs another attempt: what is asserted is the first one.
    const quick = await startHookd({ retrySchedule: [0, ...Array.from({ length: 10 }, () => 100)], requestTimeout: 400, lease: 5_000 }, { dispatcher: true });
    try {
      const key = (await quick.workspace()).test;
      const r = await receiver((n) => (n === 0 ? 'hang' : { status: 200 }));
      const ep = (await quick.call('POST', '/v1/webhooks/endpoints', { key, body: { url: r.url, events: ['payment.*'] } })).json() as { id: string };
      const event = (await quick.call('POST', '/v1/events', { key, body: { type: 'payment.succeeded', data: { object: {} } } })).json() as { id: string };
      await r.waitFor(2);
      const record = await eventually(async () => {
        const [d] = (await quick.call('GET', `/v1/webhooks?event=${event.id}&endpoint=${ep.id}`, { key })).json() as { status: string; attempts: { code: number | null; successful: boolean; error: string | null }[] }[];
        return d?.status === 'succeeded' ? d : undefined;
      });
      expect(record.attempts[0]).toMatchObject({ code: null, successful: false });
      expect(record.attempts[0]!.error).toMatch(/no complete answer within 400 ms/);
    } finally {
      await quick.close();
    }
  });

  it('signs with the old and the new secret while a rolled secret is in its grace period', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    const rolled = await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/secret/roll`, { key: ws.test, body: { expires_in: 3600 } });
    expect(rolled.statusCode).toBe(200);
    const fresh = (rolled.json() as { secret: string }).secret;
    expect(fresh).not.toBe(ep.secret);
    await publish();
    const [got] = await r.waitFor(1);
    expect((got!.headers['x-falu-signature'] as string).split(',')).toHaveLength(3);
    expect((got!.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    for (const secret of [ep.secret, fresh]) {
      expect(new Webhook(secret.slice(5)).verify(got!.body, got!.headers as Record<string, string>)).toBeTruthy();
    }
  });

  it('stops signing with a rolled secret once its grace period ends', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    const rolled = await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/secret/roll`, { key: ws.test, body: { expires_in: 1 } });
    const fresh = (rolled.json() as { secret: string }).secret;
    await new Promise((res) => setTimeout(res, 1_100));
    await publish();
    const [got] = await r.waitFor(1);
    expect((got!.headers['x-falu-signature'] as string).split(',')).toHaveLength(2);
    expect(new Webhook(fresh.slice(5)).verify(got!.body, got!.headers as Record<string, string>)).toBeTruthy();
    expect(() => new Webhook(ep.secret.slice(5)).verify(got!.body, got!.headers as Record<string, string>)).toThrow();
  });

  it('does not follow a redirect, retries it, and keeps at most 16 KiB of an answer', async () => {
    const big = 'x'.repeat(50 * 1024);
    const r = await receiver((n) => (n === 0 ? { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } } : { status: 200, body: big }));
    const ep = await endpoint(r.url);
    const event = await publish();
    const record = await eventually(async () => {
      const d = await deliveryOf(event.id, ep.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(r.received.map((x) => x.path)).toEqual(['/webhooks', '/webhooks']);
    expect(record.attempts.map((a) => a.code)).toEqual([302, 200]);
    const full = (await h.call('GET', `/v1/webhooks/${record.id}`, { key: ws.test })).json() as { attempts: { response: string }[] };
    expect(full.attempts[1]!.response).toHaveLength(16 * 1024);
  });

  it('an idempotent publish creates no second delivery', async () => {
    const r = await receiver();
    await endpoint(r.url);
    const first = await publish({ id: 'pa_idem' }, { 'X-Idempotency-Key': 'idem-delivery-1' });
    const again = await publish({ id: 'pa_idem' }, { 'X-Idempotency-Key': 'idem-delivery-1' });
    expect(again.id).toBe(first.id);
    expect(await h.store.countDeliveries(first.id)).toBe(1);
    await r.waitFor(1);
    await new Promise((res) => setTimeout(res, 200));
    expect(r.received).toHaveLength(1);
  });

  it('sends cloud_events with the configured type prefix', async () => {
    const r = await receiver();
    await endpoint(r.url, { format: 'cloud_events' });
    const event = await publish();
    const [got] = await r.waitFor(1);
    expect(JSON.parse(got!.body)).toMatchObject({ specversion: '1.0', id: event.id, type: 'io.falu.payment.succeeded', workspace: ws.id, live: false });
  });

  it('answers /test, /retry and /recover with what they did', async () => {
    // 500 to the test send and the three automatic attempts, then 200 to the manual retry.
    const r = await receiver((n) => ({ status: n < 4 ? 500 : 200, body: 'nope' }));
    const ep = await endpoint(r.url);
    const test = await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/test`, { key: ws.test });
    expect(test.statusCode).toBe(200);
    expect(test.json()).toMatchObject({ manual: true, code: 500, successful: false, response: 'nope' });
    expect(JSON.parse(r.received[0]!.body)).toMatchObject({ type: 'webhook_endpoint.test', data: { object: { id: ep.id } } });

    const event = await publish();
    await eventually(async () => ((await deliveryOf(event.id, ep.id))?.status === 'failed' ? true : undefined));
    const retry = await h.call('POST', `/v1/events/${event.id}/retry`, { key: ws.test, body: { webhook_endpoint: ep.id } });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ manual: true, code: 200, successful: true });
    const record = await deliveryOf(event.id, ep.id);
    expect(record!.status).toBe('succeeded');
    expect(record!.attempts.map((a) => [a.code, a.manual])).toEqual([[500, false], [500, false], [500, false], [200, true]]);

    const recover = await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/recover`, { key: ws.test, body: { since: '2020-01-01' } });
    expect(recover.statusCode).toBe(200);
    expect(recover.json()).toMatchObject({ recovered: 0 });
  });
});

describe('isolation', () => {
  it('50 hanging endpoints do not hold back a healthy one', async () => {
    // No hanging request ends during the test (60 s timeout), and the global cap (16) is below the
    // 50 hanging endpoints: a healthy delivery that waited for a hanging one would never arrive, so
    // each one's arrival, not its latency, is what shows the isolation (endpoint-slots.ts rules 1 and 2).
    const h = await startHookd({ retrySchedule: [0], requestTimeout: 60_000, lease: 120_000, maxInFlight: 16, maxInFlightPerEndpoint: 16 }, { dispatcher: true });
    const ws = await h.workspace();
    const hanging = await startReceiver(() => 'hang');
    const healthy = await startReceiver();
    try {
      for (let i = 0; i < 50; i++) {
        const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: `${hanging.url}/${i}`, events: ['payment.succeeded'] } });
        expect(res.statusCode).toBe(201);
      }
      await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: healthy.url, events: ['payment.succeeded'] } });
      const publish = async (n: number) => {
        const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { n } } } });
        expect(res.statusCode).toBe(201);
      };
      await publish(0);
      await healthy.waitFor(1);
      // Every hanging endpoint holds a request open from here to the end of the test.
      await until('all 50 hanging endpoints have a request open', () => new Set(hanging.received.map((r) => r.path)).size === 50, 10_000, 25);
      for (let i = 1; i < 20; i++) {
        await publish(i);
        await healthy.waitFor(i + 1);
        await sleep(50);
      }
      expect(healthy.received.map((r) => JSON.parse(r.body).data.object.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      // Still one request per hanging endpoint, none answered: the healthy deliveries got through beside them.
      expect(hanging.received).toHaveLength(50);
      expect(hanging.releaseHanging().lost).toEqual([]);
    } finally {
      await hanging.close();
      await healthy.close();
      await h.close();
    }
  });
});

describe('guards and housekeeping', () => {
  it('refuses loopback targets unless HOOKD_ALLOW_NETWORKS opens them, and records why', async () => {
    const h = await startHookd({ allowNetworks: [], retrySchedule: [0] }, { dispatcher: true });
    const r = await startReceiver();
    try {
      const ws = await h.workspace();
      const literal = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: r.url, events: ['payment.*'] } });
      expect(literal.statusCode).toBe(422);
      expect(literal.json().errors.url[0]).toMatch(/refused address \(127\.0\.0\.1 is a loopback address\)/);
      // A name that resolves to loopback passes creation and is refused at connect time.
      const port = new URL(r.url).port;
      const named = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: `http://localhost:${port}/webhooks`, events: ['payment.*'] } });
      expect(named.statusCode).toBe(201);
      const event = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: {} } } });
      const record = await eventually(async () => {
        const list = (await h.call('GET', `/v1/webhooks?event=${event.json().id}`, { key: ws.test })).json() as { status: string; attempts: { error: string | null; code: number | null }[] }[];
        return list[0]?.status === 'failed' ? list[0] : undefined;
      });
      expect(record.attempts[0]!.code).toBeNull();
      expect(record.attempts[0]!.error).toMatch(/refused by the SSRF guard: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
      expect(r.received).toHaveLength(0);
    } finally {
      await r.close();
      await h.close();
    }
  });

  it('disables an endpoint that has only failed for HOOKD_DISABLE_AFTER', async () => {
    const h = await startHookd({ disableAfter: 300, retrySchedule: [0, 100, 100, 100, 100, 100, 100] }, { dispatcher: true });
    const r = await startReceiver(() => ({ status: 503 }));
    try {
      const ws = await h.workspace();
      const ep = (await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: r.url, events: ['payment.*'] } })).json() as { id: string };
      await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: {} } } });
      await eventually(async () => {
        const got = (await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test })).json() as { status: string };
        return got.status === 'disabled' ? true : undefined;
      });
      // The announcement is published right after the disabling batch commits.
      const announced = await eventually(async () => {
        const list = (await h.call('GET', '/v1/events?type=webhook_endpoint.disabled', { key: ws.test })).json() as { data: { object: { id: string } } }[];
        return list.length > 0 ? list : undefined;
      });
      expect(announced.map((e) => e.data.object.id)).toEqual([ep.id]);
    } finally {
      await r.close();
      await h.close();
    }
  });

  it('prunes events, deliveries and attempts past retention', async () => {
    const h = await startHookd();
    try {
      const ws = await h.workspace();
      await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/hooks', events: ['payment.*'] } });
      const old = (await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { n: 1 } } } })).json() as { id: string };
      h.clock.advance(31 * 86_400_000);
      const fresh = (await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { n: 2 } } } })).json() as { id: string };
      expect(await h.store.pruneBefore(h.clock.now() - h.config.retention)).toBe(1);
      expect((await h.call('GET', `/v1/events/${old.id}`, { key: ws.test })).statusCode).toBe(404);
      expect(await h.store.countDeliveries(old.id)).toBe(0);
      expect((await h.call('GET', `/v1/events/${fresh.id}`, { key: ws.test })).statusCode).toBe(200);
      expect(await h.store.countDeliveries(fresh.id)).toBe(1);
    } finally {
      await h.close();
    }
  });
});

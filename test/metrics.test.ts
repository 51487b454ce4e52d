/**
 * /metrics of a real `hookd serve` (startServer) after real deliveries: every series docs/operations.md
 * names is exposed under `hookd_`, the ones this run exercised have counted what happened, API
 * requests are labelled by route template (an id never becomes a label), and each store call is
 * timed under its operation's name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../src/config/config.js';
import { createMetrics, type StoreCounts } from '../src/metrics.js';
import { startServer, type Server } from '../src/server/serve.js';
import { TEST_STORE, startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { until, untilValue } from './wait.js';

const ADMIN = 'hkp_metrics_test_platform_key_0123456789abcdef';

/** Every sample line of a series (`name{labels} value`), or of a bare name. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
}
/** The sample's value; undefined when the series has no such sample. */
function value(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe.skipIf(TEST_STORE !== 'sqlite')('/metrics of hookd serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-metrics-'));
  let server: Server;
  let ok: Receiver;
  let failing: Receiver;
  let text: string;
  let eventId: string;

  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) => {
    const res = await request(`${server.url}${path}`, {
      method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    ok = await startReceiver();
    failing = await startReceiver(() => ({ status: 503, body: 'down for maintenance' }));
    server = await startServer({
      ...defaultConfig(), dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', logLevel: 'silent', adminKey: ADMIN,
      allowNetworks: ['127.0.0.0/8'], retrySchedule: [0, 3_600_000],
    }, { print: () => undefined });
    const ws = (await call('POST', '/v1/workspaces', ADMIN, { name: 'Metrics' })).body as { keys: { test: string } };
    // The failing one on a schedule of its own (the platform's entries), so that both sources are counted.
    expect((await call('POST', '/v1/webhooks/endpoints', ws.keys.test, { url: ok.url, events: ['*'] })).status).toBe(201);
    expect((await call('POST', '/v1/webhooks/endpoints', ws.keys.test, { url: failing.url, events: ['*'], retry_schedule: ['0', '1h'] })).status).toBe(201);
    eventId = String((await call('POST', '/v1/events', ws.keys.test, { type: 'payment.succeeded', data: { object: { id: 'pay_1' } } })).body.id);
    await Promise.all([ok.waitFor(1), failing.waitFor(1)]);
    expect((await call('GET', `/v1/events/${eventId}`, ws.keys.test)).status).toBe(200);
    expect((await call('GET', '/v1/no/such/route', ws.keys.test)).status).toBe(404);
    // The outcomes are written (each with its attempt) a few ms after the answers arrive.
    await until('both outcomes are written', async () => {
      const list = (await call('GET', `/v1/webhooks?event=${eventId}`, ws.keys.test)).body as unknown as { attempts: unknown[] }[];
      return list.length === 2 && list.every((d) => d.attempts.length === 1);
    }, 10_000, 50);
    // No scrape before the writes, so the store gauges (a count reused for a second) count after them;
    // the second scrape shows the timing of the counts the first one made.
    await (await request(`${server.url}/metrics`)).body.text();
    text = await (await request(`${server.url}/metrics`)).body.text();
  });
  afterAll(async () => {
    await server?.close();
    await ok?.close();
    await failing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exposes every series docs/operations.md lists, each under hookd_', () => {
    const declared = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(declared.length).toBeGreaterThan(20);
    for (const [name] of declared) expect(name).toMatch(/^hookd_/);
    const types = Object.fromEntries(declared);
    expect(types).toMatchObject({
      hookd_delivery_attempts_total: 'counter',
      hookd_deliveries_total: 'counter',
      hookd_delivery_attempts_by_schedule_total: 'counter',
      hookd_delivery_attempt_duration_seconds: 'histogram',
      hookd_deliveries_pending: 'gauge',
      hookd_endpoints_failing: 'gauge',
      hookd_fifo_blocked_endpoints: 'gauge',
      hookd_fifo_head_age_seconds: 'gauge',
      hookd_throttled_deliveries_waiting: 'gauge',
      hookd_deliveries_in_flight: 'gauge',
      hookd_claims_total: 'counter',
      hookd_claimed_deliveries_total: 'counter',
      hookd_claim_errors_total: 'counter',
      hookd_retries_scheduled_total: 'counter',
      hookd_endpoints_disabled_total: 'counter',
      hookd_http_requests_total: 'counter',
      hookd_http_request_duration_seconds: 'histogram',
      hookd_http_connections_dropped_total: 'counter',
      hookd_store_query_duration_seconds: 'histogram',
      hookd_store_unavailable_total: 'counter',
      hookd_process_cpu_seconds_total: 'counter',
      hookd_process_resident_memory_bytes: 'gauge',
      hookd_nodejs_eventloop_lag_seconds: 'gauge',
    });
  });

  it('counts the claims, the attempts by outcome and the retries, and times the attempts', () => {
    expect(value(text, 'hookd_claims_total')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'hookd_claimed_deliveries_total')).toBe(2);
    expect(value(text, 'hookd_delivery_attempts_total{outcome="succeeded"}')).toBe(1);
    expect(value(text, 'hookd_delivery_attempts_total{outcome="retry_scheduled"}')).toBe(1);
    expect(value(text, 'hookd_retries_scheduled_total')).toBe(1);
    // By whose schedule, never by endpoint: two series at most.
    expect(value(text, 'hookd_delivery_attempts_by_schedule_total{schedule="platform"}')).toBe(1);
    expect(value(text, 'hookd_delivery_attempts_by_schedule_total{schedule="endpoint"}')).toBe(1);
    expect(samples(text, 'hookd_delivery_attempts_by_schedule_total')).toHaveLength(2);
    // Deliveries that ended, counted once written: the retried one has not ended.
    expect(value(text, 'hookd_deliveries_total{outcome="succeeded"}')).toBe(1);
    expect(samples(text, 'hookd_deliveries_total').filter((s) => !s.includes('succeeded'))).toEqual([]);
    expect(value(text, 'hookd_delivery_attempt_duration_seconds_count')).toBe(2);
    expect(value(text, 'hookd_deliveries_in_flight')).toBe(0);
  });

  it('reads the backlog and the failing endpoints from the store: the failed delivery waits an hour for its retry', () => {
    expect(value(text, 'hookd_deliveries_pending')).toBe(1);
    expect(value(text, 'hookd_endpoints_failing')).toBe(1);
    expect(value(text, 'hookd_fifo_blocked_endpoints')).toBe(0);
    expect(value(text, 'hookd_fifo_head_age_seconds')).toBe(0);
    expect(value(text, 'hookd_throttled_deliveries_waiting')).toBe(0);
  });

  it('labels API requests by route template, never by the URL', () => {
    expect(value(text, 'hookd_http_requests_total{method="POST",route="/v1/events",status="201"}')).toBe(1);
    expect(value(text, 'hookd_http_requests_total{method="GET",route="/v1/events/:id",status="200"}')).toBe(1);
    expect(value(text, 'hookd_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(value(text, 'hookd_http_request_duration_seconds_count{method="POST",route="/v1/events"}')).toBe(1);
    expect(text).not.toContain(eventId);
    expect(text).not.toContain('/v1/no/such/route');
  });

  it('times each store call under its operation', () => {
    for (const operation of ['publishEvent', 'claimDeliveries', 'recordResults', 'getEvent', 'findApiKey', 'countPendingDeliveries']) {
      expect(value(text, `hookd_store_query_duration_seconds_count{operation="${operation}"}`), operation).toBeGreaterThanOrEqual(1);
    }
    expect(samples(text, 'hookd_store_unavailable_total')).toEqual([]);
  });
});

/** Store reads that answer the same every time; a test overrides the ones it watches. */
function fixedCounts(overrides: Partial<StoreCounts> = {}): StoreCounts {
  return {
    countPending: async () => 0, countFailing: async () => 2, fifoHeads: async () => ({ blocked: 0, oldestCreated: null }), countThrottledWaiting: async () => 0,
    ...overrides,
  };
}

describe('store gauges', () => {
  it('count once a second however often scraped, and read NaN, not a stale number, while the store fails', async () => {
    let clock = 0;
    let counts = 0;
    let failing = false;
    const count = async () => {
      counts++;
      if (failing) throw new Error('store down');
      return 7;
    };
    const metrics = createMetrics({ defaultMetrics: false, store: fixedCounts({ countPending: count }), now: () => clock });
    const scrape = async () => metrics.registry.metrics();
    expect(value(await scrape(), 'hookd_deliveries_pending')).toBe(7);
    await scrape();
    expect(counts).toBe(1);
    clock += 1_000;
    failing = true;
    const text = await scrape();
    expect(counts).toBe(2);
    expect(value(text, 'hookd_deliveries_pending')).toBeNaN();
    expect(value(text, 'hookd_endpoints_failing')).toBe(2);
  });

  it('answer NaN when the store does not answer in time, rather than holding up the scrape', async () => {
    // Fake timers: the scrape must end exactly when the 50 ms bound does, however slow the machine.
    vi.useFakeTimers();
    try {
      const metrics = createMetrics({ defaultMetrics: false, store: fixedCounts({ countPending: () => new Promise<number>(() => undefined) }), storeCountTimeoutMs: 50 });
      let text: string | undefined;
      const scraping = metrics.registry.metrics().then((t) => (text = t));
      await vi.advanceTimersByTimeAsync(49);
      expect(text).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await scraping;
      expect(value(text!, 'hookd_deliveries_pending')).toBeNaN();
      expect(value(text!, 'hookd_endpoints_failing')).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('FIFO and throttle gauges', () => {
  let h: TestHookd | null = null;
  let receiver: Receiver | null = null;
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('age the oldest FIFO head at scrape time from the cached read, and read 0 without one', async () => {
    let clock = 10_000;
    let oldestCreated: number | null = 4_000;
    const metrics = createMetrics({ defaultMetrics: false, store: fixedCounts({ fifoHeads: async () => ({ blocked: 3, oldestCreated }) }), now: () => clock });
    const first = await metrics.registry.metrics();
    expect(value(first, 'hookd_fifo_head_age_seconds')).toBe(6);
    expect(value(first, 'hookd_fifo_blocked_endpoints')).toBe(3);
    clock += 500;
    expect(value(await metrics.registry.metrics(), 'hookd_fifo_head_age_seconds')).toBe(6.5);
    oldestCreated = null;
    clock += 1_000;
    expect(value(await metrics.registry.metrics(), 'hookd_fifo_head_age_seconds')).toBe(0);
  });

  /**
   * On the test clock with the jitter pinned, so every time is exact: the dispatcher sends what
   * is due at the instant the clock stands at, and a throttle's bucket, empty at its first claim,
   * gains no token while the clock stands still.
   */
  it('count the blocked FIFO endpoints, the oldest head\'s age and the throttled deliveries waiting, from the store', async () => {
    receiver = await startReceiver(() => ({ status: 500, body: 'down' }));
    h = await startHookd({}, { dispatcher: true, testClock: true, random: () => 0.5 });
    const hookd = h;
    const ws = await hookd.workspace();
    const create = async (body: Record<string, unknown>): Promise<string> => {
      const res = await hookd.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: receiver!.url, ...body } });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { id: string }).id;
    };
    const publish = async (type: string): Promise<string> => {
      const res = await hookd.call('POST', '/v1/events', { key: ws.test, body: { type, data: { object: { id: 'x_1' } } } });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { id: string }).id;
    };
    const metrics = createMetrics({
      defaultMetrics: false, now: () => hookd.clock.now(),
      store: {
        countPending: () => hookd.store.countPendingDeliveries(), countFailing: () => hookd.store.countFailingEndpoints(),
        fifoHeads: () => hookd.store.fifoHeads(), countThrottledWaiting: (now) => hookd.store.countThrottledWaiting(now),
      },
    });

    // Blocked by a failed attempt: its head failed and waits an hour, the second waits behind it.
    await create({ events: ['coupon.created'], ordering: 'fifo', retry_schedule: ['0', '1h'] });
    // Blocked by being disabled with a delivery waiting (due in an hour, so never sent here).
    const disabled = await create({ events: ['coupon.updated'], ordering: 'fifo', retry_schedule: ['1h'] });
    // Not blocked: its head has not been tried yet.
    await create({ events: ['coupon.deleted'], ordering: 'fifo', retry_schedule: ['1h'] });
    const failedFirst = await publish('coupon.created');
    await publish('coupon.created');
    await publish('coupon.updated');
    await publish('coupon.deleted');
    await untilValue('the FIFO head\'s failed attempt written', async () => {
      const [d] = (await hookd.call('GET', `/v1/webhooks?event=${failedFirst}`, { key: ws.test })).json() as { status: string; attempts: unknown[]; next: unknown }[];
      return d && d.status === 'pending' && d.attempts.length === 1 && d.next !== null ? d : undefined;
    }, 10_000, 10);
    const patched = await hookd.call('PATCH', `/v1/webhooks/endpoints/${disabled}`, {
      key: ws.test, body: { status: 'disabled' }, headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    hookd.clock.advance(30_000);

    // Throttled: three due now, none sent while the clock stands; a second throttled endpoint's are not due for an hour.
    await create({ events: ['coupon.created'], rate_limit: 10 });
    await create({ events: ['coupon.created'], rate_limit: 10, retry_schedule: ['1h'] });
    // Another FIFO endpoint's head, newer than the others: the age is the oldest head's.
    await create({ events: ['coupon.created'], ordering: 'fifo', retry_schedule: ['1h'] });
    for (let i = 0; i < 3; i++) await publish('coupon.created');

    const text = await metrics.registry.metrics();
    expect(value(text, 'hookd_fifo_blocked_endpoints')).toBe(2);
    expect(value(text, 'hookd_fifo_head_age_seconds')).toBe(30);
    expect(value(text, 'hookd_throttled_deliveries_waiting')).toBe(3);
    expect(receiver.received).toHaveLength(1);
  });
});

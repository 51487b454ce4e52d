/**
 * The dashboard's statistics (docs/dashboard.md): GET /v1/stats/endpoints (24 h success rate and p95 per
 * endpoint), GET /v1/stats/hourly and /v1/webhooks/endpoints/{id}/stats (deliveries by outcome,
 * latency percentiles per hour, for the workspace or one endpoint),
 * computed by one SQL text on both stores. Attempts are written through the store's own
 * recordResults with chosen durations, so the expected percentiles are known exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, randomToken } from '../src/domain/ids.js';
import type { Attempt } from '../src/domain/types.js';
import { startHookd, type TestHookd } from './helpers.js';

const HOUR = 3_600_000;

describe('delivery statistics', () => {
  let h: TestHookd;
  let ws: { id: string; test: string; live: string };
  let other: { id: string; test: string; live: string };
  let fast: string;
  let slow: string;
  let quiet: string;

  async function endpoint(url: string): Promise<string> {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url, events: ['payment.*'] } });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  }

  /** Publishes one event (a delivery to every endpoint) and records one attempt per duration on `endpoint`'s delivery. */
  async function attempts(endpointId: string, durations: number[], successful: (i: number) => boolean, status: 'succeeded' | 'failed' = 'succeeded') {
    const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: 'p' } } } });
    expect(res.statusCode, res.body).toBe(201);
    const event = (res.json() as { id: string }).id;
    const delivery = (await h.store.findDelivery(event, endpointId))!;
    const now = h.clock.now();
    await h.store.recordResults(durations.map((time, i): { delivery: string; attempt: Attempt; workspace: string; live: boolean; endpoint: string; status: 'succeeded' | 'failed'; nextAttemptAt: null; etag: string; disableEndpoint: boolean } => ({
      delivery: delivery.id, workspace: ws.id, live: false, endpoint: endpointId, status, nextAttemptAt: null, etag: randomToken(), disableEndpoint: false,
      attempt: {
        id: newId('wha', now), delivery: delivery.id, manual: false, url: 'https://x.example.com', attempted: now + i, request: '{}',
        code: successful(i) ? 200 : 500, response: '', time, successful: successful(i), error: null,
      },
    })), now);
  }

  beforeAll(async () => {
    h = await startHookd();
    ws = await h.workspace('Stats');
    other = await h.workspace('Other');
    fast = await endpoint('https://fast.example.com/hook');
    slow = await endpoint('https://slow.example.com/hook');
    quiet = await endpoint('https://quiet.example.com/hook');
    // What becomes two hours ago: 20 attempts on `fast`, 1..20 ms, all successful.
    await attempts(fast, Array.from({ length: 20 }, (_, i) => i + 1), () => true);
    // Now: 10 attempts on `slow`, 100..1000 ms, the first 4 failing.
    h.clock.advance(2 * HOUR);
    await attempts(slow, Array.from({ length: 10 }, (_, i) => (i + 1) * 100), (i) => i >= 4, 'failed');
  });
  afterAll(async () => h.close());

  it('gives each endpoint its success rate and nearest-rank p95 over the last 24 h', async () => {
    const res = await h.call('GET', '/v1/stats/endpoints', { key: ws.test });
    expect(res.statusCode, res.body).toBe(200);
    const stats = res.json() as { endpoint: string; attempts: number; successful: number; success_rate: number; p95: number }[];
    const of = (id: string) => stats.find((s) => s.endpoint === id);
    // p95 of 1..20 is the 19th value; of 100..1000 the 10th.
    expect(of(fast)).toEqual({ endpoint: fast, attempts: 20, successful: 20, success_rate: 1, p95: 19 });
    expect(of(slow)).toEqual({ endpoint: slow, attempts: 10, successful: 6, success_rate: 0.6, p95: 1000 });
    expect(of(quiet)).toBeUndefined();
  });

  it('leaves out attempts older than the span asked for', async () => {
    const res = await h.call('GET', '/v1/stats/endpoints?hours=1', { key: ws.test });
    expect((res.json() as { endpoint: string }[]).map((s) => s.endpoint)).toEqual([slow]);
  });

  it('counts deliveries by outcome and attempt percentiles per hour, oldest first, empty hours as zeros', async () => {
    const res = await h.call('GET', '/v1/stats/hourly?hours=3', { key: ws.test });
    expect(res.statusCode, res.body).toBe(200);
    const hours = res.json() as { hour: string; deliveries: Record<string, number>; attempts: number; successful: number; latency: Record<string, number | null> }[];
    const first = Math.floor(h.clock.now() / HOUR) * HOUR - 2 * HOUR;
    expect(hours.map((x) => x.hour)).toEqual([first, first + HOUR, first + 2 * HOUR].map((t) => new Date(t).toISOString()));
    // Two hours ago: one event to three endpoints; only fast's delivery was completed.
    expect(hours[0]).toEqual({
      hour: new Date(first).toISOString(), deliveries: { succeeded: 1, failed: 0, pending: 2 }, attempts: 20, successful: 20,
      latency: { p50: 10, p90: 18, p99: 20 },
    });
    expect(hours[1]).toMatchObject({ deliveries: { succeeded: 0, failed: 0, pending: 0 }, attempts: 0, latency: { p50: null, p90: null, p99: null } });
    expect(hours[2]).toEqual({
      hour: new Date(first + 2 * HOUR).toISOString(), deliveries: { succeeded: 0, failed: 1, pending: 2 }, attempts: 10, successful: 6,
      latency: { p50: 500, p90: 900, p99: 1000 },
    });
  });

  it('narrows to one endpoint, and answers 404 for an endpoint of another workspace', async () => {
    const res = await h.call('GET', `/v1/webhooks/endpoints/${fast}/stats?hours=3`, { key: ws.test });
    const hours = res.json() as { deliveries: Record<string, number>; attempts: number }[];
    expect(hours.map((x) => x.attempts)).toEqual([20, 0, 0]);
    expect(hours.map((x) => Object.values(x.deliveries).reduce((a, b) => a + b, 0))).toEqual([1, 0, 1]);
    expect((await h.call('GET', `/v1/webhooks/endpoints/${fast}/stats`, { key: other.test })).statusCode).toBe(404);
    expect((await h.call('GET', `/v1/webhooks/endpoints/${fast}/stats`, { key: ws.live })).statusCode).toBe(404);
  });

  it('shows another workspace and the other mode nothing of these', async () => {
    expect((await h.call('GET', '/v1/stats/endpoints', { key: other.test })).json()).toEqual([]);
    expect((await h.call('GET', '/v1/stats/endpoints', { key: ws.live })).json()).toEqual([]);
    const hourly = (await h.call('GET', '/v1/stats/hourly?hours=3', { key: other.test })).json() as { attempts: number }[];
    expect(hourly.every((x) => x.attempts === 0)).toBe(true);
  });

  it.each(['hours=0', 'hours=721', 'hours=x', 'extra=1'])('refuses %s with a 400 naming the field', async (q) => {
    const res = await h.call('GET', `/v1/webhooks/endpoints/${fast}/stats?${q}`, { key: ws.test });
    expect(res.statusCode).toBe(400);
    expect(Object.keys((res.json() as { errors: Record<string, unknown> }).errors)).toContain(q.split('=')[0]);
  });
});

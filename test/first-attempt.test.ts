/**
 * HOOKD_RETRY_SCHEDULE's first entry is the delay from an event's acceptance to its deliveries'
 * first attempt (docs/delivery.md), on both stores: the delivery row says when, and no claim
 * before then returns it. The dispatcher runs on the test clock, so an hour passes at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimOptions } from '../src/store/types.js';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { until } from './wait.js';

const HOUR = 3_600_000;

describe("the retry schedule's first entry", () => {
  let h: TestHookd | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = receiver = null;
  });

  /** hookd with its dispatcher on the test clock, a workspace and one endpoint on a receiver; every claim's `now` and row count recorded. */
  async function setUp(retrySchedule?: number[]) {
    receiver = await startReceiver();
    h = await startHookd(retrySchedule ? { retrySchedule } : {}, { dispatcher: true, testClock: true });
    const ws = await h.workspace();
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: receiver.url, events: ['payment.*'] } });
    expect(res.statusCode, res.body).toBe(201);
    const endpoint = (res.json() as { id: string }).id;
    const claims: { now: number; got: number }[] = [];
    const claim = h.store.claimDeliveries.bind(h.store);
    h.store.claimDeliveries = async (options: ClaimOptions) => {
      const got = await claim(options);
      if (options.take.some((t) => t.endpoint === endpoint)) claims.push({ now: options.now, got: got.deliveries.length });
      return got;
    };
    const hookd = h;
    return {
      hookd, endpoint, claims,
      async publish() {
        const accepted = hookd.clock.now();
        const event = await hookd.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: 'pa_1' } } } });
        expect(event.statusCode).toBe(201);
        const list = await hookd.call('GET', `/v1/webhooks?event=${(event.json() as { id: string }).id}`, { key: ws.test });
        const [delivery] = list.json() as { status: string; attempts: unknown[]; next: { scheduled: string } | null }[];
        return { accepted, delivery: delivery! };
      },
    };
  }

  it('with a first entry of an hour, the first attempt is due an hour after acceptance, and not sent before', async () => {
    const { hookd, endpoint, claims, publish } = await setUp([HOUR, 1_000]);
    const { accepted, delivery } = await publish();
    expect(delivery).toMatchObject({ status: 'pending', attempts: [], next: { scheduled: new Date(accepted + HOUR).toISOString() } });

    // A millisecond before: a claim for the endpoint (as a wake would make) finds nothing.
    hookd.clock.advance(HOUR - 1);
    hookd.dispatcher!.wake([endpoint]);
    await until('the dispatcher has claimed a millisecond before the hour', () => claims.some((c) => c.now === accepted + HOUR - 1), 10_000, 10);
    expect(claims.filter((c) => c.got > 0)).toEqual([]);
    expect(receiver!.received).toHaveLength(0);

    hookd.clock.advance(1);
    hookd.dispatcher!.wake([endpoint]);
    await receiver!.waitFor(1);
    expect(claims.find((c) => c.got > 0)).toEqual({ now: accepted + HOUR, got: 1 });
  });

  it('with the default schedule (first entry 0), the first attempt is due at once', async () => {
    const { claims, publish } = await setUp();
    const { accepted } = await publish();
    await receiver!.waitFor(1);
    // The test clock has not moved: a claim at the very time of acceptance found it due.
    expect(claims.find((c) => c.got > 0)).toEqual({ now: accepted, got: 1 });
  });
});

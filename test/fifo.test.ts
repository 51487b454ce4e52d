/**
 * A FIFO endpoint under failures (docs/delivery.md, "Ordered endpoints"), on both stores: a
 * retried delivery holds every later one back until it ends, and the receiver sees the events
 * in their places' order, one request at a time. The dispatcher runs on the test clock with the
 * jitter pinned, so a retry comes only when the test advances the clock past it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { consecutive, fifoLog } from './delivery-control.js';
import { startReceiver, type Receiver } from './receiver.js';
import { untilValue } from './wait.js';

interface Record { id: string; event: string; status: string; attempts: unknown[]; next: { scheduled: string } | null; sequence: number | null; waiting_behind: string | null; follows_given_up: string | null }

describe('a FIFO endpoint under failures', () => {
  let h: TestHookd | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = receiver = null;
  });

  async function setUp(answer: (n: number) => number, retrySchedule: string[]) {
    receiver = await startReceiver((n) => ({ status: answer(n) }));
    h = await startHookd({}, { dispatcher: true, testClock: true, random: () => 0.5 });
    const hookd = h;
    const ws = await hookd.workspace();
    const ep = await hookd.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: receiver.url, events: ['payment.*'], ordering: 'fifo', retry_schedule: retrySchedule } });
    expect(ep.statusCode, ep.body).toBe(201);
    return {
      hookd,
      async publish(count: number): Promise<string[]> {
        const ids: string[] = [];
        // One at a time: each commit takes the next place, so the places follow this order.
        for (let n = 0; n < count; n++) {
          const res = await hookd.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { n } } } });
          expect(res.statusCode, res.body).toBe(201);
          ids.push((res.json() as { id: string }).id);
        }
        return ids;
      },
      async records(): Promise<Record[]> {
        const all: Record[] = [];
        let ct: string | undefined;
        do {
          const res = await hookd.call('GET', `/v1/webhooks?count=100${ct ? `&ct=${encodeURIComponent(ct)}` : ''}`, { key: ws.test });
          expect(res.statusCode, res.body).toBe(200);
          all.push(...(res.json() as Record[]));
          ct = res.headers['x-continuation-token'] as string | undefined;
        } while (ct);
        return all;
      },
    };
  }

  it('60 events arrive in order while failed attempts are retried; nothing later is attempted before the earlier one ends', async () => {
    const EVENTS = 60;
    // The first three requests (the head, three times) and a few mid-stream, one of them twice in a row.
    const FAIL = [0, 1, 2, 20, 41, 42];
    const t = await setUp((n) => (FAIL.includes(n) ? 500 : 200), ['0', '1s', '1s', '1s', '1s', '1s']);
    const published = await t.publish(EVENTS);
    const r = receiver!;

    for (const [i, f] of FAIL.entries()) {
      await r.waitFor(f + 1);
      const event = String(r.received[f]!.headers['webhook-id']);
      const tries = r.received.filter((x) => x.headers['webhook-id'] === event).length;
      // The failed attempt is written and its retry is due 1 s on: only the clock can bring it.
      const records = await untilValue(`the failed attempt of ${event} written`, async () => {
        const all = await t.records();
        const d = all.find((x) => x.event === event);
        return d?.status === 'pending' && d.attempts.length === tries && d.next !== null ? all : undefined;
      }, 10_000, 10);
      if (i === 0) {
        // Everything behind the failing head says whom it waits for.
        const head = records.find((x) => x.event === event)!;
        const behind = records.filter((x) => x.id !== head.id);
        expect(behind).toHaveLength(EVENTS - 1);
        expect(new Set(behind.map((x) => x.waiting_behind))).toEqual(new Set([head.id]));
        expect(head.waiting_behind).toBeNull();
      }
      expect(r.received).toHaveLength(f + 1);
      t.hookd.clock.advance(1_000);
    }
    await r.waitFor(EVENTS + FAIL.length);
    const records = await untilValue('every delivery succeeded', async () => {
      const all = await t.records();
      return all.length === EVENTS && all.every((d) => d.status === 'succeeded') ? all : undefined;
    }, 10_000, 25);

    const log = fifoLog(r.received, records);
    expect(log.expected).toEqual(published);
    expect(log.firstArrivals).toEqual(published);
    expect(log.outOfTurn).toEqual([]);
    expect(log.resends).toBe(FAIL.length);
    expect(log.sequences).toHaveLength(EVENTS);
    expect(log.sequences).toEqual(consecutive(log.sequences));
    // Each event's last arrival is its successful one, and the next event's first comes after it.
    const ids = r.received.map((x) => String(x.headers['webhook-id']));
    for (const event of published) expect(FAIL).not.toContain(ids.lastIndexOf(event));
    expect(r.peakOpen()).toBe(1);
    expect(records.every((d) => d.waiting_behind === null && d.follows_given_up === null)).toBe(true);
  });

  it('a head given up on (a 4xx, not retried) lets the next go, which records whom it follows', async () => {
    const t = await setUp((n) => (n === 0 ? 400 : 200), ['0', '1h']);
    const published = await t.publish(5);
    const r = receiver!;
    await r.waitFor(5);
    const records = await untilValue('every delivery ended', async () => {
      const all = await t.records();
      return all.length === 5 && all.every((d) => d.status !== 'pending') ? all : undefined;
    }, 10_000, 25);
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(published);
    const byEvent = new Map(records.map((d) => [d.event, d]));
    const head = byEvent.get(published[0]!)!;
    expect(head.status).toBe('failed');
    expect(byEvent.get(published[1]!)).toMatchObject({ status: 'succeeded', follows_given_up: head.id, waiting_behind: null });
    for (const e of published.slice(2)) expect(byEvent.get(e)).toMatchObject({ status: 'succeeded', follows_given_up: null, waiting_behind: null });
    expect(r.peakOpen()).toBe(1);
  });
});

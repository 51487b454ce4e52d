/**
 * Isolation with per-endpoint delivery control (docs/delivery.md, "Ordered endpoints" and
 * "Throttles"; docs/architecture.md, "Isolation"), on both stores: a FIFO endpoint stuck behind
 * a failing head and a throttled endpoint with 100,000 deliveries waiting cost a healthy
 * endpoint of the same workspace nothing. As in delivery.test.ts's isolation test, the bound is
 * each healthy delivery's arrival within the receiver's wait (10 s), in order, while the two
 * others stay within their own rules: the FIFO one never sends past its head, the throttled one
 * never more than N + B in a second.
 */
import { describe, expect, it } from 'vitest';
import { newEvent } from '../src/domain/new-event.js';
import { busiestWindow, fifoLog } from './delivery-control.js';
import { startHookd } from './helpers.js';
import { startReceiver } from './receiver.js';
import { sleep } from './wait.js';

const BACKLOG = 100_000;

describe('isolation with delivery control', () => {
  it('a blocked FIFO endpoint and a throttled one with 100,000 waiting do not hold back a healthy one', async () => {
    const h = await startHookd({ retrySchedule: [0, 100, 100], requestTimeout: 5_000, lease: 10_000 }, { dispatcher: true });
    const failing = await startReceiver(() => ({ status: 500 }));
    const throttled = await startReceiver(undefined, { light: true });
    const healthy = await startReceiver();
    try {
      const ws = await h.workspace();
      const endpoint = async (body: Record<string, unknown>) => {
        const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body });
        expect(res.statusCode, res.body).toBe(201);
      };
      // Each endpoint takes its own event type, so each backlog is only its own.
      await endpoint({ url: failing.url, events: ['payment.updated'], ordering: 'fifo', retry_schedule: ['0', ...Array.from({ length: 19 }, () => '200ms')] });
      await endpoint({ url: throttled.url, events: ['payment.failed'], rate_limit: 1 });
      await endpoint({ url: healthy.url, events: ['payment.succeeded'] });

      // The throttled backlog straight into the store (publish groups batch them), not through HTTP.
      const mode = { workspace: ws.id, live: false };
      const filling = Date.now();
      for (let done = 0; done < BACKLOG; done += 2_000) {
        await Promise.all(Array.from({ length: Math.min(2_000, BACKLOG - done) }, (_, i) =>
          h.store.publishEvent(newEvent({ mode, type: 'payment.failed', data: { object: { n: done + i } }, requestId: 'req_isolation' }, Date.now()))));
      }
      const filled = Date.now();
      const fifo: string[] = [];
      for (let n = 0; n < 10; n++) {
        const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.updated', data: { object: { n } } } });
        expect(res.statusCode, res.body).toBe(201);
        fifo.push((res.json() as { id: string }).id);
      }
      await failing.waitFor(1);

      for (let n = 0; n < 20; n++) {
        const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { n } } } });
        expect(res.statusCode, res.body).toBe(201);
        await healthy.waitFor(n + 1);
        await sleep(50);
      }
      console.log(`delivery-control isolation: ${BACKLOG} throttled deliveries stored in ${((filled - filling) / 1000).toFixed(1)} s; `
        + `throttled sent ${throttled.received.length}, the FIFO endpoint ${failing.received.length} attempts`);

      expect(healthy.received.map((r) => (JSON.parse(r.body) as { data: { object: { n: number } } }).data.object.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(busiestWindow(throttled.received, 1_000).count).toBeLessThanOrEqual(2);
      // Only heads were tried, one request at a time, in order: 20 attempts of 200 ms each keep the
      // first head failing beyond the time the healthy deliveries took here, or it was given up and the next went on.
      const log = fifoLog(failing.received, fifo.map((event, i) => ({ event, sequence: i })));
      expect(log.outOfTurn).toEqual([]);
      expect(log.firstArrivals).toEqual(log.expected.slice(0, log.firstArrivals.length));
      expect(failing.peakOpen()).toBe(1);
    } finally {
      await failing.close();
      await throttled.close();
      await healthy.close();
      await h.close();
    }
  }, 60_000);
});

/**
 * A throttled endpoint served by three worker processes on one PostgreSQL database
 * (docs/delivery.md, "Throttles"; docs/scaling.md): the token bucket is shared through the
 * endpoint's row, so together they start at most N + B deliveries in any one second
 * (B: src/domain/rate-limit.ts `burstOf`), and the whole backlog still arrives, once each. How close the rate
 * comes to N is the benchmark's to measure, not this test's.
 *
 * The bound is checked on when each attempt started (its `attempted`, stamped by the worker as it
 * hands the request to the sender): that is what hookd promises and controls. Arrivals at the
 * receiver add the sender thread's and the network's jitter, which a loaded machine can bunch,
 * so they are reported, not asserted.
 */
import { burstOf } from '../src/domain/rate-limit.js';
import { describe, expect, it } from 'vitest';
import { expectedPairs } from './hookd-client.js';
import { busiestWindow } from './delivery-control.js';
import { pairCounter, startReceiver, type Received } from './receiver.js';
import { deploy } from './reliability/deployment.js';
import { sleep, until } from './wait.js';
import { cleanupAfterEach } from './cleanup.js';

describe('a throttled endpoint with three workers on PostgreSQL (real processes)', () => {
  const cleanup = cleanupAfterEach();

  it('at most N + B deliveries start in any one second across the workers, and all arrive once', async () => {
    const N = 20;
    const B = burstOf(N);
    const EVENTS = 8 * N; // about 8 s of work at the limit
    const receiver = await startReceiver(undefined, { light: true });
    cleanup.push(() => receiver.close());
    const deployment = await deploy({ env: { HOOKD_RETRY_SCHEDULE: '0,100ms,200ms,400ms', HOOKD_REQUEST_TIMEOUT: '10s', HOOKD_LEASE: '20s' } });
    cleanup.push(() => deployment.close());
    const [api] = await Promise.all([
      deployment.start({ HOOKD_ROLE: 'api' }),
      ...Array.from({ length: 3 }, () => deployment.start({ HOOKD_ROLE: 'worker', HOOKD_DB_POOL_SIZE: '4' })),
    ]);
    const http = deployment.client(api!, 8);
    const { scope } = await http.workspace(null, 0);
    const ep = await http.call('POST', '/v1/webhooks/endpoints', { url: `${receiver.url}/0`, events: ['payment.succeeded'], rate_limit: N }, scope);
    expect(ep.status, ep.text).toBe(201);
    const pairs = pairCounter(receiver);

    const ids = await http.publish(scope, EVENTS, 8);
    const expected = expectedPairs(ids, 1);
    await until(() => `every delivery has arrived (${receiver.received.length} of ${EVENTS})`, () => pairs.missing(expected).length === 0, 60_000, 100);
    await until('every delivery row has succeeded', async () => (await http.deliveries(scope, '&status=pending')).length === 0, 10_000);
    await sleep(300); // anything sent twice would arrive within this

    const starts = (await http.deliveries(scope)).flatMap((d) => d.attempts.map((a) => ({ at: Date.parse(a.attempted) })));
    const busiestStart = busiestWindow(starts as Received[], 1_000);
    const busiest = busiestWindow(receiver.received, 1_000);
    const first = Math.min(...receiver.received.map((r) => r.at));
    const last = Math.max(...receiver.received.map((r) => r.at));
    console.log(`throttle-workers.pg: ${EVENTS} at ${N}/s (burst ${B}) over ${((last - first) / 1000).toFixed(1)} s; `
      + `busiest second of starts ${busiestStart.count}, of arrivals ${busiest.count} from +${busiest.from - first} ms`);

    expect(pairs.duplicates()).toEqual([]);
    expect(receiver.received).toHaveLength(EVENTS);
    expect(starts).toHaveLength(EVENTS);
    const window = starts.map((s) => s.at).filter((at) => at >= busiestStart.from && at < busiestStart.from + 1_000).sort((a, b) => a - b);
    expect(busiestStart.count, `starts in the busiest second, ms after the first: ${window.map((at) => at - window[0]!).join(' ')}`).toBeLessThanOrEqual(N + B);
  }, 120_000);
});

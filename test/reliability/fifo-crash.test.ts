/**
 * Scenario: FIFO under crashes (docs/reliability.md, docs/delivery.md "Ordered endpoints"): a
 * backend publishes to one FIFO endpoint while hookd is SIGKILLed twice mid-stream and started
 * again on the same store. Every event arrives, their first arrivals are exactly in the order
 * of their places, and the only thing that may arrive twice is the head a kill interrupted,
 * sent again before anything after it (at most one per kill: one request in flight).
 */
import { describe, expect, it } from 'vitest';
import { expectedPairs } from '../hookd-client.js';
import type { HookdProcess } from '../hookd-process.js';
import { consecutive, fifoLog } from '../delivery-control.js';
import { pairCounter, startReceiver } from '../receiver.js';
import { sleep, until, untilValue } from '../wait.js';
import { ADMIN_KEY, deploy } from './deployment.js';
import { startPublisher } from './publisher.js';
import { report } from './report.js';
import { sized } from './scale.js';
import { cleanupAfterEach } from '../cleanup.js';

const EVENTS = sized(3_000, 300);
const KILLS = 2;

describe('reliability: FIFO under crashes', () => {
  const cleanup = cleanupAfterEach();

  it(`SIGKILLed ${KILLS} times mid-stream: every event of a FIFO endpoint arrives, first arrivals in order`, async () => {
    const startedAt = Date.now();
    const receiver = await startReceiver(undefined, { light: true });
    cleanup.push(() => receiver.close());
    // A short lease: on PostgreSQL the interrupted head waits for it before it is sent again.
    const deployment = await deploy({ env: { HOOKD_RETRY_SCHEDULE: '0,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s', HOOKD_REQUEST_TIMEOUT: '1s', HOOKD_LEASE: '2s' } });
    cleanup.push(() => deployment.close());
    let current: HookdProcess = await deployment.start();
    const setup = deployment.client(current);
    const { scope } = await setup.workspace(null, 0);
    const ep = await setup.call('POST', '/v1/webhooks/endpoints', { url: `${receiver.url}/0`, events: ['payment.succeeded'], ordering: 'fifo' }, scope);
    expect(ep.status, ep.text).toBe(201);
    const pairs = pairCounter(receiver);
    const publisher = startPublisher({ target: () => current.url, adminKey: ADMIN_KEY, scope, count: EVENTS, concurrency: 4 });
    cleanup.push(() => publisher.stop());

    // Mid-stream by what has arrived, each a random few tens of ms later: the assertions hold
    // wherever a kill lands (between requests, mid-request, or with an answer not yet written).
    const killedAt: number[] = [];
    for (let k = 1; k <= KILLS; k++) {
      const at = Math.floor((k * EVENTS) / (KILLS + 1));
      await until(() => `${at} deliveries arrived (${receiver.received.length})`, () => receiver.received.length >= at, 120_000, 20);
      await sleep(Math.random() * 50);
      current.child.kill('SIGKILL');
      expect(await current.exited).toBeNull();
      killedAt.push(receiver.received.length);
      current = await deployment.start();
    }
    await publisher.done;

    const expected = expectedPairs(publisher.accepted, 1);
    await until('every accepted event has arrived', () => pairs.missing(expected).length === 0, sized(600_000, 90_000), 250);
    const http = deployment.client(current, 4);
    // Publishes cut off by a kill may have committed unanswered: the store's records are the truth.
    const records = await untilValue('every delivery succeeded', async () => {
      const all = await http.deliveries(scope);
      return all.every((d) => d.status === 'succeeded') ? all : undefined;
    }, 60_000, 250);
    await sleep(500); // anything still being sent again arrives within this
    const log = fifoLog(receiver.received, records);
    report({
      scenario: 'FIFO under crashes', did: `${EVENTS} events to one FIFO endpoint, SIGKILL after ${killedAt.join(', ')} arrivals`,
      accepted: publisher.accepted.length, delivered: expected.length - pairs.missing(expected).length, expected: expected.length,
      duplicates: log.resends, startedAt,
      notes: `${log.resends} re-sends of an interrupted head; ${records.length - publisher.accepted.length} events committed unanswered; peak open ${receiver.peakOpen()}`,
    });

    expect(publisher.unexpected).toEqual([]);
    expect(log.missing).toEqual([]);
    expect(log.firstArrivals).toEqual(log.expected);
    expect(log.outOfTurn).toEqual([]);
    expect(log.resends).toBeLessThanOrEqual(KILLS);
    expect(log.sequences).toHaveLength(records.length);
    expect(log.sequences).toEqual(consecutive(log.sequences));
    expect(receiver.peakOpen()).toBe(1);
  }, sized(900_000, 150_000));
});

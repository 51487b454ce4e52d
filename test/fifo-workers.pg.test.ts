/**
 * A FIFO endpoint served by three worker processes on one PostgreSQL database (docs/delivery.md,
 * "Ordered endpoints"; docs/scaling.md): whichever worker claims, the endpoint never has two
 * requests in flight, and they arrive in the order of their places (`sequence`), which follows
 * the publishes' commits, concurrent ones included.
 */
import { describe, expect, it } from 'vitest';
import { consecutive, fifoLog } from './delivery-control.js';
import { startReceiver } from './receiver.js';
import { deploy } from './reliability/deployment.js';
import { sleep, untilValue } from './wait.js';
import { cleanupAfterEach } from './cleanup.js';
import { readMetric } from './hookd-client.js';

describe('a FIFO endpoint with three workers on PostgreSQL (real processes)', () => {
  const cleanup = cleanupAfterEach();

  it('one request in flight at a time, in the order of the places, with nothing sent twice', async () => {
    const SEQUENTIAL = 20;
    const CONCURRENT = 40;
    const EVENTS = SEQUENTIAL + CONCURRENT;
    // Each request is held a few ms: a second one sent meanwhile would find the first still open.
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 5 }));
    cleanup.push(() => receiver.close());
    const deployment = await deploy({ env: { HOOKD_RETRY_SCHEDULE: '0,100ms,200ms,400ms', HOOKD_REQUEST_TIMEOUT: '10s', HOOKD_LEASE: '20s' } });
    cleanup.push(() => deployment.close());
    const [api, ...workers] = await Promise.all([
      deployment.start({ HOOKD_ROLE: 'api' }),
      ...Array.from({ length: 3 }, () => deployment.start({ HOOKD_ROLE: 'worker', HOOKD_DB_POOL_SIZE: '4' })),
    ]);
    const http = deployment.client(api!, 8);
    const { scope } = await http.workspace(null, 0);
    const ep = await http.call('POST', '/v1/webhooks/endpoints', { url: receiver.url, events: ['payment.succeeded'], ordering: 'fifo' }, scope);
    expect(ep.status, ep.text).toBe(201);

    // Some one after another, then some eight at a time, while the workers already deliver.
    const ids = await http.publish(scope, SEQUENTIAL, 1);
    ids.push(...await http.publish(scope, CONCURRENT, 8));
    expect(new Set(ids).size).toBe(EVENTS);

    await receiver.waitFor(EVENTS, 60_000);
    const records = await untilValue('every delivery succeeded', async () => {
      const all = await http.deliveries(scope);
      return all.length === EVENTS && all.every((d) => d.status === 'succeeded') ? all : undefined;
    }, 20_000, 100);
    await sleep(300); // anything sent twice would arrive within this
    const log = fifoLog(receiver.received, records);
    const split = await Promise.all(workers.map((w) => readMetric(w.url, 'hookd_delivery_attempts_total', 'outcome="succeeded"')));
    console.log(`fifo-workers.pg: ${EVENTS} events, peak open ${receiver.peakOpen()}, re-sends ${log.resends}, per worker ${split.join(' / ')}`);

    expect(receiver.peakOpen()).toBe(1);
    expect(log.missing).toEqual([]);
    expect(new Set(log.expected)).toEqual(new Set(ids));
    expect(log.firstArrivals).toEqual(log.expected);
    expect(log.outOfTurn).toEqual([]);
    expect(log.resends).toBe(0);
    expect(receiver.received).toHaveLength(EVENTS);
    expect(log.sequences).toHaveLength(EVENTS);
    expect(log.sequences).toEqual(consecutive(log.sequences));
    // The sequential publishes committed one after another: their places are in publish order.
    expect(log.expected.slice(0, SEQUENTIAL)).toEqual(ids.slice(0, SEQUENTIAL));
    expect(split.reduce((a, b) => a + b, 0)).toBe(EVENTS);
  }, 120_000);
});

/**
 * Scenario 1, crash loop (docs/reliability.md): hookd is SIGKILLed at random moments while a backend
 * publishes to 3 endpoints, and started again each time on the same store. Every (event,
 * endpoint) pair answered 201 must arrive at least once; what arrives twice is reported and
 * bounded by the work in flight at each kill.
 */
import { describe, expect, it } from 'vitest';
import { expectedPairs } from '../hookd-client.js';
import type { HookdProcess } from '../hookd-process.js';
import { pairCounter, startReceiver } from '../receiver.js';
import { sleep, until } from '../wait.js';
import { ADMIN_KEY, deploy } from './deployment.js';
import { startPublisher } from './publisher.js';
import { report } from './report.js';
import { sized } from './scale.js';
import { cleanupAfterEach } from '../cleanup.js';

const EVENTS = sized(20_000, 2_000);
const ENDPOINTS = 3;
const KILLS = 5;
const MAX_IN_FLIGHT = 64;
/** The result writer's batch: answers already received but not yet written are resent after a kill too. */
const UNWRITTEN = 500;

describe('reliability: crash loop', () => {
  const cleanup = cleanupAfterEach();

  it(`SIGKILLed ${KILLS} times at random moments while ${EVENTS} events are published: every accepted (event, endpoint) pair arrives`, async () => {
    const startedAt = Date.now();
    const receiver = await startReceiver(undefined, { light: true });
    cleanup.push(() => receiver.close());
    const deployment = await deploy({
      env: { HOOKD_RETRY_SCHEDULE: '0,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s', HOOKD_REQUEST_TIMEOUT: '3s', HOOKD_LEASE: '4s', HOOKD_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT) },
    });
    cleanup.push(() => deployment.close());
    let current: HookdProcess = await deployment.start();
    const { scope } = await deployment.client(current).workspace(receiver, ENDPOINTS);
    const pairs = pairCounter(receiver);
    const publisher = startPublisher({ target: () => current.url, adminKey: ADMIN_KEY, scope, count: EVENTS, concurrency: 8 });
    cleanup.push(() => publisher.stop());

    // Random moments, spread over the run by progress (so they land mid-publish and
    // mid-delivery however fast this machine is), each a random few hundred ms later.
    const moments = Array.from({ length: KILLS }, () => Math.floor((0.05 + Math.random() * 0.9) * EVENTS)).sort((a, b) => a - b);
    const killedWith: number[] = [];
    for (const at of moments) {
      await until(`${at} events are accepted`, () => publisher.accepted.length >= at, 120_000, 20);
      await sleep(Math.random() * 300);
      current.child.kill('SIGKILL');
      expect(await current.exited).toBeNull();
      killedWith.push(publisher.accepted.length);
      current = await deployment.start();
    }
    await publisher.done;

    const expected = expectedPairs(publisher.accepted, ENDPOINTS);
    await until('every accepted (event, endpoint) pair has arrived', () => pairs.missing(expected).length === 0, sized(900_000, 120_000), 250)
      .catch(() => undefined);
    await sleep(500); // anything still being resent arrives and counts within this
    const missing = pairs.missing(expected);
    const duplicates = pairs.extraArrivals();
    report({
      scenario: 'crash loop', did: `${EVENTS} events × ${ENDPOINTS} endpoints, SIGKILL after ${killedWith.join(', ')} accepted`,
      accepted: publisher.accepted.length, delivered: expected.length - missing.length, expected: expected.length, duplicates, startedAt,
      notes: `${publisher.unanswered} publishes got no answer and were retried`,
    });

    expect(publisher.unexpected).toEqual([]);
    // Publishers in flight when the count was reached add a few more.
    expect(publisher.accepted.length).toBeGreaterThanOrEqual(EVENTS);
    expect(new Set(publisher.accepted).size).toBe(publisher.accepted.length);
    expect(missing).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(KILLS * (MAX_IN_FLIGHT + UNWRITTEN));
  }, sized(1_200_000, 240_000));
});

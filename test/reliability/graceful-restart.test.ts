/**
 * Scenario 5, graceful restart under load (docs/reliability.md): SIGTERM while deliveries are in flight,
 * several times, each process started again on the same store. Each exits 0 within the
 * shutdown bound (requests in flight get up to HOOKD_REQUEST_TIMEOUT, then outcomes are
 * written and the store closed); the restarts themselves send nothing twice and lose nothing.
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

const EVENTS = sized(10_000, 600);
const ENDPOINTS = 3;
const RESTARTS = sized(5, 2);
/** Long enough that no request held below (until its process is shutting down) can time out. */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * The shutdown bound: in-flight requests get up to HOOKD_REQUEST_TIMEOUT, then the outcomes
 * are written, leases released and the store closed; on a loaded 2-core machine that last part
 * takes well under the margin given here.
 */
const SHUTDOWN_BOUND_MS = REQUEST_TIMEOUT_MS + 5_000;

describe('reliability: graceful restart under load', () => {
  const cleanup = cleanupAfterEach();

  it(`SIGTERM ${RESTARTS} times during steady delivery: each exit is clean and in bound, nothing sent twice, nothing lost`, async () => {
    const startedAt = Date.now();
    // Answers that take a while (never longer than the request timeout), so requests are always in flight;
    // while `hold` is set, none until the test releases them.
    let hold = false;
    const receiver = await startReceiver(() => (hold ? 'hang' : { status: 200, delayMs: 20 + Math.floor(Math.random() * 180) }), { light: true });
    cleanup.push(() => receiver.close());
    const deployment = await deploy({
      env: { HOOKD_RETRY_SCHEDULE: '0,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s', HOOKD_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`, HOOKD_LEASE: `${REQUEST_TIMEOUT_MS + 5_000}ms` },
    });
    cleanup.push(() => deployment.close());
    let current: HookdProcess = await deployment.start();
    const { scope } = await deployment.client(current).workspace(receiver, ENDPOINTS);
    const pairs = pairCounter(receiver);
    const publisher = startPublisher({ target: () => current.url, adminKey: ADMIN_KEY, scope, count: EVENTS, concurrency: 8 });
    cleanup.push(() => publisher.stop());

    const exits: { ms: number; code: number | null; held: number; lost: number }[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      // Steady delivery first: a random stretch of arrivals since the last restart.
      const arrivals = receiver.received.length + 100 + Math.floor(Math.random() * 400);
      await until(`${arrivals} deliveries have arrived`, () => receiver.received.length >= arrivals, 120_000, 20);
      // The signal lands on work in flight by construction: requests held at the receiver are
      // answered only once the process says it is shutting down.
      hold = true;
      const before = receiver.received.length;
      await until('a request is held', () => receiver.received.length > before, 30_000, 5);
      const signalled = Date.now();
      current.child.kill('SIGTERM');
      const stopping = current;
      await until('the process is shutting down', () => stopping.output().includes('shutting down'), 30_000, 5);
      hold = false;
      const { answered, lost } = receiver.releaseHanging(200);
      const code = await current.exited;
      exits.push({ ms: Date.now() - signalled, code, held: answered.length, lost: lost.length });
      current = await deployment.start();
    }
    await publisher.done;

    const expected = expectedPairs(publisher.accepted, ENDPOINTS);
    await until('every accepted (event, endpoint) pair has arrived', () => pairs.missing(expected).length === 0, sized(600_000, 120_000), 250)
      .catch(() => undefined);
    await sleep(500); // anything sent twice would arrive and count within this
    const slowestExit = Math.max(...exits.map((e) => e.ms));
    report({
      scenario: 'graceful restart', did: `${EVENTS} events × ${ENDPOINTS} endpoints, SIGTERM ${RESTARTS} times during delivery (held in flight: ${exits.map((e) => e.held).join(', ')})`,
      accepted: publisher.accepted.length, delivered: expected.length - pairs.missing(expected).length, expected: expected.length,
      duplicates: pairs.extraArrivals(), startedAt,
      notes: `exits in ${exits.map((e) => e.ms).join(', ')} ms, bound ${SHUTDOWN_BOUND_MS} ms`,
    });

    expect(exits.map((e) => e.code)).toEqual(exits.map(() => 0));
    expect(slowestExit).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
    // Every restart landed on work in flight (or it would prove nothing about it), and that work finished.
    for (const e of exits) expect([e.held > 0, e.lost]).toEqual([true, 0]);
    expect(publisher.unexpected).toEqual([]);
    expect(pairs.missing(expected)).toEqual([]);
    expect(pairs.duplicates()).toEqual([]);
  }, sized(900_000, 180_000));
});

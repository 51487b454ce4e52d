/**
 * Scenario 3, store outage on PostgreSQL (docs/reliability.md): every connection to the database is reset
 * mid-run and new ones refused (a TCP proxy in front of the shared server, so the server itself
 * never stops under other test files), then it comes back. The API answers 503 problems
 * quickly, the dispatcher backs off instead of spinning, and everything accepted with 201 is
 * delivered. (Cutting connections used to kill the process: see the 'connect' listener in
 * src/store/postgres/index.ts.) The SQLite half is store-faults.sqlite.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { expectedPairs } from '../hookd-client.js';
import { PG_URL } from '../pg-database.js';
import { pairCounter, startReceiver } from '../receiver.js';
import { startTcpProxy } from '../tcp-proxy.js';
import { sleep, until } from '../wait.js';
import { ADMIN_KEY, deploy } from './deployment.js';
import { cpuMs } from './process-usage.js';
import { startPublisher } from './publisher.js';
import { report } from './report.js';
import { sized } from './scale.js';
import { cleanupAfterEach } from '../cleanup.js';

const ENDPOINTS = 2;
/** How long the database stays away. */
const OUTAGE_MS = sized(15_000, 3_000);

describe('reliability: PostgreSQL outage', () => {
  const cleanup = cleanupAfterEach({ failOnError: false });

  it('PostgreSQL goes away and comes back: API answers 503, the dispatcher backs off, nothing accepted is lost', async () => {
    const startedAt = Date.now();
    const target = new URL(PG_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    cleanup.push(() => proxy.close());
    const receiver = await startReceiver();
    cleanup.push(() => receiver.close());
    const deployment = await deploy();
    cleanup.push(() => deployment.close());
    // A short lease: deliveries claimed just as the connections were reset (the claim committed
    // but its answer was lost, or the reads after it failed) wait for their lease to end.
    const p = await deployment.start({
      DATABASE_URL: deployment.db!.url(proxy.port), HOOKD_DB_POOL_SIZE: '6', HOOKD_LEASE: '4s', HOOKD_REQUEST_TIMEOUT: '2s',
      HOOKD_RETRY_SCHEDULE: '0,50ms,100ms,200ms,400ms,800ms,1s,1s,1s,1s',
    });
    const http = deployment.client(p, 4);
    const { scope } = await http.workspace(receiver, ENDPOINTS);
    const pairs = pairCounter(receiver);

    // A publisher that runs across the outage: every answer must be a 201 or a 503 problem
    // (never a 500, a hang or a dropped connection), and every 201 must be delivered.
    const publisher = startPublisher({ target: () => p.url, adminKey: ADMIN_KEY, scope, concurrency: 4 });
    cleanup.push(() => publisher.stop());
    await until('some events are accepted', () => publisher.accepted.length >= 100, 15_000, 20);

    // The outage starts while events are being published, delivered and written.
    proxy.cut();
    const acceptedBefore = publisher.accepted.length;
    const publish = (n: number) => http.call('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { n } } }, scope);
    const during = await Promise.all(Array.from({ length: 4 }, (_, i) => publish(-1 - i)));
    for (const res of during) {
      expect(res.status, res.text).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.json()).toMatchObject({ status: 503, type: 'urn:hookd:problem:store_unavailable' });
      // The pool's connection timeout is 5 s: a request never waits longer than that and a margin.
      expect(res.ms).toBeLessThan(7_000);
    }
    const ready = await http.call('GET', '/ready');
    expect(ready.status, ready.text).toBe(503);
    expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(ready.ms).toBeLessThan(7_000);
    expect((await http.call('GET', '/health')).status).toBe(200);

    // The rest of the outage: the dispatcher, the result writer and the LISTEN connection fail
    // and back off (100 ms doubling to 5 s), or the dispatcher waits for the writer. A loop that
    // spun on errors would count thousands of failed claims and use a whole core.
    const claimErrorsBefore = await http.metric('hookd_claim_errors_total');
    const cpuBefore = cpuMs(p.child.pid!);
    await sleep(OUTAGE_MS);
    const cpuDuring = cpuMs(p.child.pid!) - cpuBefore;
    const claimErrors = (await http.metric('hookd_claim_errors_total')) - claimErrorsBefore;
    // At most the publishes already committing when the connections were reset got a 201 after the cut.
    expect(publisher.accepted.length - acceptedBefore).toBeLessThanOrEqual(4);

    proxy.restore();
    const restored = Date.now();
    await until('/ready answers 200 again', async () => (await http.call('GET', '/ready')).status === 200, 15_000, 200);
    const readyAfter = Date.now() - restored;
    const acceptedRestored = publisher.accepted.length;
    await until('more events are accepted after the outage', () => publisher.accepted.length >= acceptedRestored + 100, 15_000, 20);
    await publisher.stop();

    const expected = expectedPairs(publisher.accepted, ENDPOINTS);
    await until('every accepted event has reached the receiver', () => pairs.missing(expected).length === 0, 30_000, 200)
      .catch(async (err: Error) => {
        // Say where the missing ones are stuck: never written, pending, or leased and waiting.
        const events = [...new Set(pairs.missing(expected).map((k) => k.split('/')[0]))];
        const rows = await deployment.db!.query('SELECT event, endpoint, status, attempts, locked_until, next_attempt_at FROM deliveries WHERE event = ANY($1) LIMIT 10', [events]);
        throw new Error(`${err.message}; ${events.length} events missing at ${Date.now()}: ${JSON.stringify(rows)}`);
      });
    const slowest503 = Math.max(...publisher.unavailable);
    report({
      scenario: 'store outage', did: `PostgreSQL connections cut for ${OUTAGE_MS / 1000} s under a steady publisher, ${ENDPOINTS} endpoints`,
      accepted: publisher.accepted.length, delivered: expected.length - pairs.missing(expected).length, expected: expected.length,
      duplicates: pairs.extraArrivals(), startedAt,
      notes: `${publisher.unavailable.length} publishes answered 503 (slowest ${slowest503} ms); ${claimErrors} failed claims and `
        + `${(cpuDuring / 1000).toFixed(2)} s CPU in ${OUTAGE_MS / 1000} s of outage; ready ${readyAfter} ms after the database returned`,
    });

    expect(publisher.unexpected).toEqual([]);
    expect(publisher.unanswered).toBe(0);
    expect(publisher.unavailable.length).toBeGreaterThan(0);
    expect(slowest503).toBeLessThan(7_000);
    // Few failed claims, or none: while outcomes of sent deliveries wait for the store, the
    // dispatcher claims nothing (their leases may run out, and a claim would send them again).
    expect(claimErrors).toBeLessThanOrEqual(20);
    expect(cpuDuring).toBeLessThan(OUTAGE_MS / 2);
    expect(p.child.exitCode).toBeNull();
    expect(p.child.signalCode).toBeNull();
  }, sized(180_000, 60_000));
});

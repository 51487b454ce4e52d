/**
 * Scenario 6, poison input (docs/reliability.md): endpoints that answer 200 with a 50 MB body, with a body
 * that never ends, with bytes that are not HTTP, and a TLS port that never completes the
 * handshake, beside a healthy endpoint. hookd's memory stays bounded (it reads 16 KiB of any
 * answer), every attempt ends within the request timeout and is recorded with what went
 * wrong, and the healthy endpoint gets everything.
 */
import { describe, expect, it } from 'vitest';
import { expectedPairs, type DeliveryRecord } from '../hookd-client.js';
import { pairCounter, startReceiver } from '../receiver.js';
import { until } from '../wait.js';
import { deploy } from './deployment.js';
import { endlessBodyServer, hugeBodyServer, invalidHttpServer, tlsStallServer, type PoisonServer } from './poison-servers.js';
import { mb, watchRss } from './process-usage.js';
import { report } from './report.js';
import { sized } from './scale.js';
import { cleanupAfterEach } from '../cleanup.js';

const EVENTS = sized(60, 4);
const REQUEST_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 500;
/**
 * A failing endpoint gets one request at a time (slow start drops it to 1), so the endless
 * body's deliveries take EVENTS × 3 attempts × the request timeout, one after another.
 */
const ALL_ENDED_WITHIN_MS = EVENTS * 3 * REQUEST_TIMEOUT_MS * 2 + 60_000;
/** Three automatic attempts, close together. */
const RETRY_SCHEDULE = '0,200ms,200ms';
const RSS_BOUND = 300 * 1024 * 1024;
const BODY_LIMIT = 16 * 1024;

describe('reliability: poison input', () => {
  const cleanup = cleanupAfterEach();

  it('50 MB answers, endless bodies, invalid HTTP and a stalled TLS handshake: bounded memory and time, every attempt recorded', async () => {
    const startedAt = Date.now();
    const poison: Record<'huge' | 'endless' | 'invalid' | 'tls', PoisonServer> = {
      huge: await hugeBodyServer(), endless: await endlessBodyServer(), invalid: await invalidHttpServer(), tls: await tlsStallServer(),
    };
    for (const s of Object.values(poison)) cleanup.push(() => s.close());
    const receiver = await startReceiver(undefined, { light: true });
    cleanup.push(() => receiver.close());
    const deployment = await deploy({
      env: {
        HOOKD_RETRY_SCHEDULE: RETRY_SCHEDULE, HOOKD_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`, HOOKD_CONNECT_TIMEOUT: `${CONNECT_TIMEOUT_MS}ms`, HOOKD_LEASE: '4s',
      },
    });
    cleanup.push(() => deployment.close());
    const hookd = await deployment.start();
    const rss = watchRss(hookd.child.pid!, 100);
    cleanup.push(async () => rss.stop());
    const http = deployment.client(hookd, 8);
    // The healthy endpoint is /webhooks/0 of the receiver; the poison ones follow it.
    const names = ['huge', 'endless', 'invalid', 'tls'] as const;
    const { scope, endpoints } = await http.workspace(null, 0, [`${receiver.url}/0`, ...names.map((n) => poison[n].url)]);
    const endpointOf = Object.fromEntries(names.map((n, i) => [n, endpoints[i + 1]!])) as Record<(typeof names)[number], string>;

    const ids = await http.publish(scope, EVENTS, 8);
    await until('every delivery has ended', async () => (await http.deliveries(scope, '&status=pending')).length === 0, ALL_ENDED_WITHIN_MS, 1_000)
      .catch(async (err: Error) => {
        // Say which endpoints still wait, and how far their deliveries got.
        const pending = await http.deliveries(scope, '&status=pending');
        const summary = pending.slice(0, 5).map((d) => `${names[endpoints.indexOf(d.endpoint) - 1] ?? 'healthy'}: ${d.attempts.length} attempts ${JSON.stringify(d.attempts.map((a) => a.error ?? a.code))}`);
        throw new Error(`${err.message}; ${pending.length} pending: ${summary.join(' | ')}`);
      });
    rss.stop();
    const records = await http.deliveries(scope);
    const byEndpoint = (id: string): DeliveryRecord[] => records.filter((d) => d.endpoint === id);
    const healthy = pairCounter(receiver);
    const healthyExpected = expectedPairs(ids, 1);
    const attempts = records.flatMap((d) => d.attempts);
    const slowestAttempt = Math.max(...attempts.map((a) => a.time));
    const errorsOf = (name: (typeof names)[number]) => [...new Set(byEndpoint(endpointOf[name]).flatMap((d) => d.attempts.map((a) => a.error ?? `HTTP ${a.code}`)))];
    const hugeSent = poison.huge.bytesSent;
    report({
      scenario: 'poison input', did: `${EVENTS} events to a healthy endpoint and 4 poison ones (50 MB answer, endless body, invalid HTTP, stalled TLS)`,
      accepted: ids.length, delivered: healthyExpected.length - healthy.missing(healthyExpected).length, expected: healthyExpected.length,
      duplicates: healthy.extraArrivals(), startedAt,
      notes: `peak RSS ${mb(rss.peak)}; ${attempts.length} attempts recorded, slowest ${slowestAttempt} ms; 50 MB server got ${poison.huge.hits} requests `
        + `and wrote at most ${mb(Math.max(...hugeSent))} of each; endless: ${errorsOf('endless').join(', ')}; invalid: ${errorsOf('invalid').join(', ')}; `
        + `TLS: ${errorsOf('tls').join(', ')}`,
    });

    expect(rss.peak).toBeLessThan(RSS_BOUND);
    // Bounded time: no attempt outlives the request timeout (plus the scheduling margin of a loaded machine).
    expect(slowestAttempt).toBeLessThan(REQUEST_TIMEOUT_MS + 1_000);
    expect(healthy.missing(healthyExpected)).toEqual([]);

    // A 200 is a success however long its body: 16 KiB of it is kept, the rest never read.
    const huge = byEndpoint(endpointOf.huge);
    expect(huge).toHaveLength(EVENTS);
    for (const d of huge) {
      expect(d.status).toBe('succeeded');
      expect(d.attempts[0]).toMatchObject({ code: 200, successful: true });
      expect(d.attempts[0]!.response!.length).toBeLessThanOrEqual(BODY_LIMIT);
    }
    for (const sent of hugeSent) expect(sent).toBeLessThan(50 * 1024 * 1024);

    // The others fail every attempt, each recorded with why, and stop after the schedule's three.
    const expectations: [(typeof names)[number], RegExp][] = [
      ['endless', new RegExp(`within ${REQUEST_TIMEOUT_MS} ms`)],
      ['invalid', /not valid HTTP/],
      ['tls', new RegExp(`within (${CONNECT_TIMEOUT_MS}|${REQUEST_TIMEOUT_MS}) ms`)],
    ];
    for (const [name, error] of expectations) {
      const mine = byEndpoint(endpointOf[name]);
      expect(mine, name).toHaveLength(EVENTS);
      for (const d of mine) {
        expect(d.status, name).toBe('failed');
        expect(d.attempts, name).toHaveLength(3);
        for (const a of d.attempts) {
          expect(a, name).toMatchObject({ code: null, successful: false });
          expect(a.error, name).toMatch(error);
        }
      }
      expect(poison[name].hits, name).toBeGreaterThanOrEqual(EVENTS);
    }
  }, ALL_ENDED_WITHIN_MS + 60_000);
});

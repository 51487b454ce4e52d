/**
 * Scenario 4, overload (docs/reliability.md): a backend publishes far faster than a slow receiver accepts.
 * The backlog must grow in the store, not in hookd's memory (RSS under 300 MB with 200,000
 * deliveries pending), the API must keep answering while it does, and the backlog must drain
 * once the receiver speeds up.
 */
import { describe, expect, it } from 'vitest';
import { expectedPairs, type HookdClient } from '../hookd-client.js';
import { pairCounter, startReceiver } from '../receiver.js';
import { until } from '../wait.js';
import { deploy } from './deployment.js';
import { mb, watchRss } from './process-usage.js';
import { report } from './report.js';
import { sized } from './scale.js';
import { cleanupAfterEach } from '../cleanup.js';

const EVENTS = sized(20_000, 1_000);
const ENDPOINTS = 10;
const RSS_BOUND = 300 * 1024 * 1024;
/** How long the slow receiver takes to answer, and how many requests an endpoint may have open. */
const SLOW_ANSWER_MS = 2_000;
const PER_ENDPOINT = 4;
/** Longer than this and the API is not answering; a liveness bound, not a speed target. */
const ANSWER_BOUND_MS = 10_000;

/** Calls a user makes while the backlog is at its peak: each must succeed within the bound. */
async function apiStillAnswers(http: HookdClient, scope: Record<string, string>): Promise<{ what: string; status: number; ms: number }[]> {
  const calls: [string, () => ReturnType<HookdClient['call']>, number][] = [
    ['GET /health', () => http.call('GET', '/health'), 200],
    ['GET /ready', () => http.call('GET', '/ready'), 200],
    ['POST /v1/events', () => http.call('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { during: 'overload' } } }, scope), 201],
    ['GET /v1/events', () => http.call('GET', '/v1/events?count=10', undefined, scope), 200],
    ['GET /v1/webhooks', () => http.call('GET', '/v1/webhooks?count=10&status=pending', undefined, scope), 200],
    ['GET /v1/webhooks/endpoints', () => http.call('GET', '/v1/webhooks/endpoints', undefined, scope), 200],
    ['GET /metrics', () => http.call('GET', '/metrics'), 200],
  ];
  const results = [];
  for (const [what, call, status] of calls) {
    const res = await call();
    expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(status);
    results.push({ what, status: res.status, ms: res.ms });
  }
  return results;
}

describe('reliability: overload', () => {
  const cleanup = cleanupAfterEach();

  it(`${EVENTS * ENDPOINTS} deliveries pending behind a slow receiver: RSS under 300 MB, the API answers, the backlog drains`, async () => {
    const startedAt = Date.now();
    let slow = true;
    const receiver = await startReceiver(() => ({ status: 200, delayMs: slow ? SLOW_ANSWER_MS : 0 }), { light: true });
    cleanup.push(() => receiver.close());
    const deployment = await deploy({
      env: { HOOKD_MAX_IN_FLIGHT_PER_ENDPOINT: String(PER_ENDPOINT), HOOKD_REQUEST_TIMEOUT: '5s', HOOKD_LEASE: '10s' },
    });
    cleanup.push(() => deployment.close());
    const hookd = await deployment.start();
    const rss = watchRss(hookd.child.pid!);
    cleanup.push(async () => rss.stop());
    const http = deployment.client(hookd, 16);
    const { scope } = await http.workspace(receiver, ENDPOINTS);
    const pairs = pairCounter(receiver);

    const ids = await http.publish(scope, EVENTS, 16);
    const published = Date.now();
    const pendingAtPeak = await http.metric('hookd_deliveries_pending');
    const answers = await apiStillAnswers(http, scope);
    const rssAtPeak = rss.peak;

    slow = false;
    // The event published by apiStillAnswers is delivered too.
    const expected = expectedPairs(ids, ENDPOINTS);
    await until('the backlog has drained', () => pairs.missing(expected).length === 0, sized(1_200_000, 240_000), 500).catch(() => undefined);
    const drained = Date.now();
    rss.stop();
    const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a));
    report({
      scenario: 'overload', did: `${EVENTS} events × ${ENDPOINTS} endpoints published at full speed to a receiver answering in ${SLOW_ANSWER_MS / 1000} s, then at once`,
      accepted: ids.length, delivered: expected.length - pairs.missing(expected).length, expected: expected.length, duplicates: pairs.extraArrivals(), startedAt,
      notes: `${pendingAtPeak} pending after publishing; peak RSS ${mb(rss.peak)} (${mb(rssAtPeak)} at the peak backlog); slowest API answer meanwhile `
        + `${slowest.what} ${slowest.ms} ms; published in ${((published - startedAt) / 1000).toFixed(0)} s, drained in ${((drained - published) / 1000).toFixed(0)} s`,
    });

    // The backlog was really there: nearly everything was still pending when publishing ended.
    expect(pendingAtPeak).toBeGreaterThanOrEqual(expected.length * 0.8);
    expect(rss.peak).toBeLessThan(RSS_BOUND);
    for (const a of answers) expect(a.ms, a.what).toBeLessThan(ANSWER_BOUND_MS);
    expect(pairs.missing(expected)).toEqual([]);
  }, sized(1_800_000, 300_000));
});

/**
 * Scenario 2, receiver outage (docs/reliability.md): the receiver refuses connections, then accepts and
 * never answers, then answers 503, then comes back. With a fast retry schedule every delivery
 * arrives after it returns; every failed attempt is recorded with what went wrong; and no
 * delivery is marked succeeded before the receiver really answered 2xx.
 */
import { describe, expect, it } from 'vitest';
import { expectedPairs } from '../hookd-client.js';
import { startReceiver } from '../receiver.js';
import { sleep, until } from '../wait.js';
import { deploy } from './deployment.js';
import { report } from './report.js';
import { sized } from './scale.js';
import { cleanupAfterEach } from '../cleanup.js';

const EVENTS = sized(1_000, 100);
const ENDPOINTS = 2;
/** How long each kind of outage lasts. */
const PHASE_MS = sized(5_000, 1_500);
/** Enough automatic attempts, 250 ms apart, to outlast the three phases many times over. */
const RETRY_SCHEDULE = ['0', ...Array.from({ length: 200 }, () => '250ms')].join(',');

describe('reliability: receiver outage', () => {
  const cleanup = cleanupAfterEach();

  it('refused, then hanging, then 503: everything arrives once the receiver is back, every attempt recorded', async () => {
    const startedAt = Date.now();
    let phase: 'hang' | '503' | 'back' = 'hang';
    /** Requests the receiver answered 2xx, per (webhook-id, path). */
    const answered2xx = new Map<string, number>();
    const receiver = await startReceiver((_, r) => {
      if (phase === 'hang') return 'hang';
      if (phase === '503') return { status: 503, body: 'maintenance' };
      const key = `${String(r.headers['webhook-id'])}${r.path}`;
      answered2xx.set(key, (answered2xx.get(key) ?? 0) + 1);
      return { status: 200 };
    }, { light: true });
    cleanup.push(() => receiver.close());
    const deployment = await deploy({ env: { HOOKD_RETRY_SCHEDULE: RETRY_SCHEDULE, HOOKD_REQUEST_TIMEOUT: '1s', HOOKD_CONNECT_TIMEOUT: '1s', HOOKD_LEASE: '3s' } });
    cleanup.push(() => deployment.close());
    const hookd = await deployment.start();
    const http = deployment.client(hookd, 16);
    const { scope } = await http.workspace(receiver, ENDPOINTS);

    // Each phase lasts at least PHASE_MS, and until it has left its mark in the attempts: a
    // fixed length alone would leave that to how quickly a loaded machine gets round to them.
    const attempts = async () => (await http.deliveries(scope)).flatMap((d) => d.attempts);
    // Down: connections refused while every event is published and first attempted.
    await receiver.down();
    const ids = await http.publish(scope, EVENTS, 16);
    const expected = expectedPairs(ids, ENDPOINTS);
    await sleep(PHASE_MS);
    await until('every delivery has been attempted (and refused)', async () => (await http.deliveries(scope)).every((d) => d.attempts.length > 0), 60_000, 250);
    // Up, but never answering: each request ends at the request timeout.
    await receiver.up();
    await sleep(PHASE_MS);
    await until('an attempt has timed out', async () => (await attempts()).some((a) => /within 1000 ms/.test(String(a.error))), 60_000, 250);
    // Answering 503, as during maintenance; requests still held get theirs now.
    phase = '503';
    receiver.releaseHanging(503);
    await sleep(PHASE_MS);
    await until('an attempt was answered 503', async () => (await attempts()).some((a) => a.code === 503), 60_000, 250);

    const succeededEarly = await http.deliveries(scope, '&status=succeeded');
    expect(succeededEarly).toEqual([]);
    expect(answered2xx.size).toBe(0);

    phase = 'back';
    await until('every (event, endpoint) pair has been answered 2xx', () => expected.every((k) => answered2xx.has(k)), sized(300_000, 60_000), 200);
    await until('every delivery record has succeeded', async () => (await http.deliveries(scope, '&status=pending')).length === 0, 30_000, 500);
    const records = await http.deliveries(scope);
    // Failed attempts reach the receiver too; a duplicate is a delivery answered 2xx more than once.
    const duplicates = [...answered2xx.values()].reduce((sum, n) => sum + n - 1, 0);
    const errors = new Set(records.flatMap((d) => d.attempts.filter((a) => !a.successful).map((a) => a.code === null ? a.error : `HTTP ${a.code}`)));
    const failedAttempts = records.reduce((n, d) => n + d.attempts.filter((a) => !a.successful).length, 0);
    report({
      scenario: 'receiver outage', did: `${EVENTS} events × ${ENDPOINTS} endpoints, receiver refused/hung/503 for ${PHASE_MS / 1000} s each`,
      accepted: ids.length, delivered: [...answered2xx.keys()].filter((k) => expected.includes(k)).length, expected: expected.length, duplicates, startedAt,
      notes: `${failedAttempts} failed attempts recorded: ${[...errors].join('; ')}`,
    });

    expect(records).toHaveLength(expected.length);
    expect(duplicates).toBe(0);
    for (const d of records) {
      expect(d.status, JSON.stringify(d)).toBe('succeeded');
      // Marked delivered exactly when the receiver answered 2xx: one successful attempt, the last.
      expect(d.attempts.filter((a) => a.successful)).toHaveLength(1);
      expect(d.attempts.at(-1)!.successful).toBe(true);
      expect(d.attempts.length).toBeGreaterThan(1);
    }
    const successfulAttempts = records.reduce((n, d) => n + d.attempts.filter((a) => a.successful).length, 0);
    expect(successfulAttempts).toBe([...answered2xx.values()].reduce((a, b) => a + b, 0));
    // Each kind of outage left its mark in the attempts.
    expect(errors).toContain('connection refused');
    expect([...errors].some((e) => /within 1000 ms/.test(String(e)))).toBe(true);
    expect(errors).toContain('HTTP 503');
  }, sized(600_000, 120_000));
});

/**
 * Crash and restart with real processes (`node dist/cli/main.js serve` on one data directory): what
 * hookd accepted arrives at least once after a SIGKILL, and a SIGTERM lets deliveries in flight
 * finish, so the restart itself sends nothing twice (docs/delivery.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { expectedPairs } from './hookd-client.js';
import { spawnHookd } from './hookd-process.js';
import { pairCounter, startReceiver } from './receiver.js';
import { until } from './wait.js';
import { cleanupAfterEach } from './cleanup.js';

const ADMIN = 'hkp_restart_test_platform_key_0123456789';
const ENDPOINTS = 3;

async function api(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  return { status: res.statusCode, json: (await res.body.json()) as { id: string } };
}

describe('restarts', () => {
  const cleanup = cleanupAfterEach();

  /**
   * hookd with 3 endpoints on one receiver that answers after `delayMs` (or never, from the
   * `hangFrom`-th request on); publishes `count` events.
   */
  async function loaded(count: number, delayMs: number, hangFrom = Infinity) {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-restart-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = {
      HOOKD_DATA_DIR: dir, HOOKD_ADMIN_KEY: ADMIN, HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
      HOOKD_RETRY_SCHEDULE: '0,50ms,100ms,200ms,400ms,800ms,1s,1s,1s,1s', HOOKD_REQUEST_TIMEOUT: '3s', HOOKD_LEASE: '5s',
    };
    const receiver = await startReceiver((n) => (n < hangFrom ? { status: 200, delayMs } : 'hang'));
    cleanup.push(() => receiver.close());
    const start = async () => {
      const p = await spawnHookd(env);
      cleanup.push(() => void (p.child.exitCode === null && p.child.kill('SIGKILL')));
      return p;
    };
    const first = await start();
    const ws = (await api(first.url, '/v1/workspaces', { name: 'restart' })).json;
    const scope = { 'x-workspace-id': ws.id, 'x-live-mode': 'false' };
    for (let i = 0; i < ENDPOINTS; i++) {
      expect((await api(first.url, '/v1/webhooks/endpoints', { url: `${receiver.url}/${i}`, events: ['payment.succeeded'] }, scope)).status).toBe(201);
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, count - i) }, async (_, k) => {
        const res = await api(first.url, '/v1/events', { type: 'payment.succeeded', data: { object: { n: i + k } } }, scope);
        expect(res.status).toBe(201);
        ids.push(res.json.id);
      }));
    }
    return { receiver, first, start, ids };
  }

  it('after a SIGKILL mid-delivery, a restart delivers every accepted (event, endpoint) pair', async () => {
    // From the 31st request on the receiver holds every request unanswered: the kill finds
    // deliveries in flight and most not yet sent, however long it takes to land.
    const { receiver, first, start, ids } = await loaded(150, 20, 30);
    await receiver.waitFor(31, 15_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(receiver.received.length).toBeLessThan(ids.length * ENDPOINTS);
    receiver.behave(() => ({ status: 200, delayMs: 20 }));

    await start();
    // Duplicates are allowed (what was in flight at the kill may arrive twice), so wait for
    // every pair, not for a count.
    const pairs = pairCounter(receiver);
    const expected = expectedPairs(ids, ENDPOINTS);
    await until('every pair has arrived', () => pairs.missing(expected).length === 0, 30_000).catch(() => undefined);
    expect(pairs.missing(expected)).toEqual([]);
    const duplicates = pairs.extraArrivals();
    // Bounded by what was in flight when the process died (at most HOOKD_MAX_IN_FLIGHT).
    expect(duplicates).toBeLessThanOrEqual(256);
  }, 120_000);

  it('SIGTERM lets deliveries in flight finish and exits 0; the restart sends nothing twice', async () => {
    const { receiver, first, start, ids } = await loaded(100, 150);
    await receiver.waitFor(10, 15_000);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('shutting down');

    await start();
    await receiver.waitFor(ids.length * ENDPOINTS, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const pairs = pairCounter(receiver);
    expect(pairs.missing(expectedPairs(ids, ENDPOINTS))).toEqual([]);
    expect(pairs.duplicates()).toEqual([]);
  }, 120_000);
});

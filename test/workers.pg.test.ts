/**
 * Horizontal scale-out on PostgreSQL with real processes (docs/architecture.md, docs/delivery.md): API and worker
 * processes (`node dist/cli/main.js serve`) that share nothing but one database, created for this
 * file and dropped after it.
 *
 * - Three workers share 25,000 deliveries and send none twice (FOR UPDATE SKIP LOCKED + lease).
 * - A SIGKILLed worker's leased deliveries are sent by the others once the lease ends; what
 *   arrives twice is exactly what the dead worker had in flight.
 *
 * PostgreSQL going away mid-run is the reliability suite's store outage scenario
 * (test/reliability/store-outage.pg.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedPairs, hookdClient, readMetric } from './hookd-client.js';
import { spawnHookd, type HookdProcess } from './hookd-process.js';
import { createTestDatabase, type TestDatabase } from './pg-database.js';
import { pairCounter, startReceiver, type Receiver } from './receiver.js';
import { sleep, until } from './wait.js';
import { cleanupAfterEach } from './cleanup.js';

const ADMIN = 'hkp_workers_test_platform_key_0123456789';
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const RETRIES = '0,50ms,100ms,200ms,400ms,800ms,1s,1s,1s,1s';

type Role = 'all' | 'api' | 'worker';

describe('hookd workers on PostgreSQL (real processes)', () => {
  const cleanup = cleanupAfterEach({ failOnError: false });
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('hookd_w');
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function receiverFor(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...args);
    cleanup.push(() => r.close());
    return r;
  }

  /** hookd on this file's database; killed (and waited for) after the test whatever happens. */
  async function hookd(role: Role, env: Record<string, string> = {}): Promise<HookdProcess> {
    const p = await spawnHookd({
      DATABASE_URL: db.url(), HOOKD_ENCRYPTION_KEY: ENCRYPTION_KEY, HOOKD_ADMIN_KEY: ADMIN, HOOKD_ROLE: role,
      HOOKD_ALLOW_NETWORKS: '127.0.0.0/8', HOOKD_RETRY_SCHEDULE: RETRIES, ...env,
    });
    cleanup.push(async () => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    });
    return p;
  }

  /** Several processes started at once; every one that starts is cleaned up even if another fails. */
  async function hookds(specs: { role: Role; env: Record<string, string>; count?: number }[]): Promise<HookdProcess[]> {
    const each = specs.flatMap(({ role, env, count = 1 }) => Array.from({ length: count }, () => [role, env] as const));
    const started = await Promise.allSettled(each.map(([role, env]) => hookd(role, env)));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return started.map((r) => (r as PromiseFulfilledResult<HookdProcess>).value);
  }

  /** An HTTP client for one hookd process, with up to `connections` requests at once. */
  function client(base: string, connections = 8) {
    const http = hookdClient(base, ADMIN, connections);
    cleanup.push(() => http.close());
    return { ...http, workspace: async (receiver: Receiver, endpoints: number) => (await http.workspace(receiver, endpoints)).scope };
  }

  /** `hookd_delivery_attempts_total{outcome="…"}` from a process's /metrics (0 before the first one). */
  const attempts = (p: HookdProcess, outcome = 'succeeded') => readMetric(p.url, 'hookd_delivery_attempts_total', `outcome="${outcome}"`);
  const inFlight = (p: HookdProcess) => readMetric(p.url, 'hookd_deliveries_in_flight');

  it('three workers share the work without sending anything twice', async () => {
    const EVENTS = 5_000;
    const ENDPOINTS = 5;
    // Held at first: every worker gets work in flight before any can drain the backlog, however
    // far apart the three start. No held request may time out meanwhile (60 s; the lease must outlast it).
    let hold = true;
    const receiver = await receiverFor(() => (hold ? 'hang' : { status: 200 }));
    // Small pools: four processes (and the other test files) share PostgreSQL's 100 connections.
    const api = await hookd('api', { HOOKD_DB_POOL_SIZE: '16' });
    const http = client(api.url, 32);
    const scope = await http.workspace(receiver, ENDPOINTS);
    const pairs = pairCounter(receiver);

    // The backlog first, then the workers: with workers running, every publish wakes all three
    // (NOTIFY) for a claim of a few rows, which on two cores costs more than the deliveries.
    const publishing = Date.now();
    const ids = await http.publish(scope, EVENTS, 32);
    const published = Date.now();
    expect(new Set(ids).size).toBe(EVENTS);
    const expected = expectedPairs(ids, ENDPOINTS);
    expect(receiver.received).toEqual([]);
    const workers = await hookds([{ role: 'worker', env: { HOOKD_DB_POOL_SIZE: '5', HOOKD_REQUEST_TIMEOUT: '60s', HOOKD_LEASE: '90s' }, count: 3 }]);
    await until('every worker has a delivery in flight', async () => (await Promise.all(workers.map((w) => inFlight(w)))).every((n) => n > 0), 30_000, 100);
    hold = false;
    expect(receiver.releaseHanging(200).lost).toEqual([]);
    const started = Date.now();
    await until('every (event, endpoint) pair has arrived', () => pairs.missing(expected).length === 0, 90_000, 200);
    const delivered = Date.now();

    // The attempt counters and the rows move after the receiver has the request (when the answer is back).
    const counts = async () => Promise.all(workers.map((w) => attempts(w)));
    const notDone = async () => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE workspace = $1 AND status <> 'succeeded'", [scope['x-workspace-id']]))[0]!.n);
    await until('the workers count 25,000 successes', async () => (await counts()).reduce((a, b) => a + b, 0) >= expected.length, 10_000);
    await until('every delivery row has succeeded', async () => (await notDone()) === 0, 10_000);
    await sleep(300); // anything sent twice would arrive and count within this
    const split = await counts();
    console.log(`workers.pg: ${EVENTS} events × ${ENDPOINTS} endpoints: published in ${((published - publishing) / 1000).toFixed(1)} s; `
      + `3 workers delivered the ${expected.length} in ${((delivered - started) / 1000).toFixed(1)} s; per worker ${split.join(' / ')}`);

    expect(receiver.received.length).toBe(expected.length);
    expect(pairs.duplicates()).toEqual([]);
    for (const n of split) expect(n).toBeGreaterThan(0);
    expect(split.reduce((a, b) => a + b, 0)).toBe(expected.length);
    const rows = await db.query<{ n: string }>('SELECT count(*) AS n FROM attempts WHERE workspace = $1', [scope['x-workspace-id']]);
    expect(Number(rows[0]!.n)).toBe(expected.length); // one recorded attempt per delivery
  }, 150_000);

  it('a worker killed mid-run: its leased deliveries are delivered by the others after the lease', async () => {
    const EVENTS = 500;
    const ENDPOINTS = 2;
    const HOLD_FROM = 300;
    // One request in flight per endpoint and worker. From the 301st on the receiver holds every
    // request: once it holds ENDPOINTS per worker, no worker has a slot to start anything else, so
    // what the killed worker had in flight is known exactly. No held request may time out
    // meanwhile (10 s), and the lease outlasts the request timeout, as hookd requires.
    const LEASE = 12_000;
    const receiver = await receiverFor((n) => (n < HOLD_FROM ? { status: 200 } : 'hang'));
    const env = {
      HOOKD_LEASE: `${LEASE}ms`, HOOKD_REQUEST_TIMEOUT: '10s', HOOKD_DB_POOL_SIZE: '5',
      HOOKD_MAX_IN_FLIGHT: String(ENDPOINTS), HOOKD_MAX_IN_FLIGHT_PER_ENDPOINT: '1',
    };
    const api = await hookd('api', { HOOKD_DB_POOL_SIZE: '16' });
    const http = client(api.url, 16);
    const scope = await http.workspace(receiver, ENDPOINTS);
    const workspace = scope['x-workspace-id'];
    const pairs = pairCounter(receiver);
    // The whole backlog first, so that the kill lands mid-run however fast publishing is here.
    const ids = await http.publish(scope, EVENTS, 16);
    const expected = expectedPairs(ids, ENDPOINTS);
    const workers = await hookds([{ role: 'worker', env, count: 3 }]);

    // The receiver holds one request per endpoint of each worker, and every answered delivery is
    // written: nothing moves until the test lets go.
    const held = 3 * ENDPOINTS;
    const succeeded = async () => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE workspace = $1 AND status = 'succeeded'", [workspace]))[0]!.n);
    await until('every worker has its requests held and every answered delivery is written',
      async () => receiver.received.length === HOLD_FROM + held && (await succeeded()) === HOLD_FROM, 20_000, 100);
    // The leases of the deliveries in flight, as their workers wrote them.
    const leases = new Map((await db.query<{ event: string; url: string; locked_until: string }>(
      "SELECT d.event, e.url, d.locked_until FROM deliveries d JOIN endpoints e ON e.id = d.endpoint WHERE d.workspace = $1 AND d.status = 'pending' AND d.locked_until IS NOT NULL",
      [workspace],
    )).map((r) => [`${r.event}${new URL(r.url).pathname}`, Number(r.locked_until)]));

    const [killed, ...survivors] = workers as [HookdProcess, ...HookdProcess[]];
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBeNull();
    await until("the receiver sees the killed worker's held requests lose their connection", () => receiver.closedWhileHeld() === ENDPOINTS, 10_000, 20);
    receiver.behave(() => ({ status: 200 }));
    const { answered, lost } = receiver.releaseHanging(200);
    expect([answered.length, lost.length]).toEqual([held - ENDPOINTS, ENDPOINTS]);

    await until('every delivery row has succeeded', async () => {
      const rows = await db.query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE workspace = $1 AND status <> 'succeeded'", [workspace]);
      return Number(rows[0]!.n) === 0;
    }, 40_000, 250);
    expect(pairs.missing(expected)).toEqual([]);

    const key = (r: { headers: Record<string, unknown>; path: string }) => `${String(r.headers['webhook-id'])}${r.path}`;
    const duplicates = pairs.duplicates();
    console.log(`workers.pg: killed a worker with ${lost.length} held; duplicates ${duplicates.length} of ${expected.length}; `
      + `survivors sent ${(await Promise.all(survivors.map((w) => attempts(w)))).join(' / ')}`);
    // What arrived twice is exactly what the dead worker had in flight, each sent again by a
    // survivor once its lease had ended, not before.
    expect(duplicates.map(([k]) => k).sort()).toEqual(lost.map(key).sort());
    for (const [, n] of duplicates) expect(n).toBe(2);
    for (const r of lost) {
      const leasedUntil = leases.get(key(r));
      expect(leasedUntil, key(r)).toBeDefined();
      const again = receiver.received.filter((x) => key(x) === key(r)).at(-1)!;
      expect(again.at).toBeGreaterThanOrEqual(leasedUntil!);
    }
    for (const w of survivors) expect(await attempts(w)).toBeGreaterThan(0);
  }, 90_000);
});

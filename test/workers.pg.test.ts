/**
 * Horizontal scale-out on PostgreSQL with real processes (DESIGN.md §1, §5): API and worker
 * processes (`node dist/cli.js serve`) that share nothing but one database, created for this
 * file and dropped after it.
 *
 * - Three workers share 25,000 deliveries and send none twice (FOR UPDATE SKIP LOCKED + lease).
 * - A SIGKILLed worker's leased deliveries are sent by the others once the lease ends; what
 *   arrives twice is exactly what the dead worker had in flight.
 * - PostgreSQL going away (a TCP proxy that resets every connection) makes the API answer 503
 *   problems quickly, and everything accepted with 201 is delivered once it is back. (It used
 *   to kill the process: see the 'connect' listener in src/store/postgres/index.ts.)
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Pool, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnHookd, type HookdProcess } from './hookd-process.js';
import { startReceiver, type Receiver } from './receiver.js';
import { startTcpProxy } from './tcp-proxy.js';

const BASE_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const DB_NAME = `hookd_w_${randomBytes(5).toString('hex')}`;
const ADMIN = 'hkp_workers_test_platform_key_0123456789';
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const RETRIES = '0,50ms,100ms,200ms,400ms,800ms,1s,1s,1s,1s';

/** The server's URL with another database (or host and port) in it. */
function dbUrl(database: string, port?: number): string {
  const u = new URL(BASE_URL);
  u.pathname = `/${database}`;
  if (port !== undefined) u.port = String(port);
  return u.toString();
}

/** A statement on the `postgres` maintenance database (CREATE/DROP DATABASE cannot run inside the target). */
async function onServer(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: dbUrl('postgres') });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A statement on this file's database, for looking at delivery rows directly. */
async function onDb<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: dbUrl(DB_NAME) });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

type Role = 'all' | 'api' | 'worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Arrivals per (webhook-id, path), kept up to date incrementally: the receiver holds tens of thousands. */
function pairCounter(receiver: Receiver) {
  const counts = new Map<string, number>();
  let seen = 0;
  const update = () => {
    for (; seen < receiver.received.length; seen++) {
      const r = receiver.received[seen]!;
      const key = `${String(r.headers['webhook-id'])}${r.path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  return {
    update,
    /** Expected pairs not yet arrived. */
    missing: (expected: string[]) => {
      const c = update();
      return expected.filter((k) => !c.has(k));
    },
    duplicates: () => [...update()].filter(([, n]) => n > 1),
  };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(everyMs);
  }
}

describe('hookd workers on PostgreSQL (real processes)', () => {
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    await onServer(`CREATE DATABASE ${DB_NAME}`);
  });

  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error('cleanup failed:', err);
      }
    }
  });

  afterAll(async () => {
    // Anything still connected (a process that outlived its test) would block the DROP.
    await onServer('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [DB_NAME]);
    await onServer(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  });

  async function receiverFor(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...args);
    cleanup.push(() => r.close());
    return r;
  }

  /** hookd on this file's database; killed (and waited for) after the test whatever happens. */
  async function hookd(role: Role, env: Record<string, string> = {}): Promise<HookdProcess> {
    const p = await spawnHookd({
      DATABASE_URL: dbUrl(DB_NAME), HOOKD_ENCRYPTION_KEY: ENCRYPTION_KEY, HOOKD_ADMIN_KEY: ADMIN, HOOKD_ROLE: role,
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
    const pool = new Pool(base, { connections });
    cleanup.push(() => pool.close());
    async function call(method: Dispatcher.HttpMethod, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const started = Date.now();
      const res = await pool.request({
        method, path,
        headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown>, ms: Date.now() - started };
    }
    return {
      call,
      /** A workspace with one endpoint per path /webhooks/0…n-1 of `receiver`; returns the scope headers. */
      async workspace(receiver: Receiver, endpoints: number): Promise<Record<string, string>> {
        const ws = await call('POST', '/v1/workspaces', { name: 'workers' });
        expect(ws.status).toBe(201);
        const scope = { 'x-workspace-id': String(ws.json().id), 'x-live-mode': 'false' };
        for (let i = 0; i < endpoints; i++) {
          const ep = await call('POST', '/v1/webhooks/endpoints', { url: `${receiver.url}/${i}`, events: ['payment.succeeded'] }, scope);
          expect(ep.status, ep.text).toBe(201);
        }
        return scope;
      },
      /** Publishes `count` events, `concurrency` at a time; returns the ids answered 201, in no particular order. */
      async publish(scope: Record<string, string>, count: number, concurrency: number): Promise<string[]> {
        const ids: string[] = [];
        let next = 0;
        await Promise.all(Array.from({ length: concurrency }, async () => {
          while (next < count) {
            const n = next++;
            const res = await call('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { n } } }, scope);
            expect(res.status, res.text).toBe(201);
            ids.push(String(res.json().id));
          }
        }));
        return ids;
      },
    };
  }

  /** `hookd_delivery_attempts_total{outcome="…"}` from a process's /metrics (0 before the first one). */
  async function attempts(p: HookdProcess, outcome = 'succeeded'): Promise<number> {
    const text = await (await fetch(`${p.url}/metrics`)).text();
    const m = new RegExp(`^hookd_delivery_attempts_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  }

  async function inFlight(p: HookdProcess): Promise<number> {
    const text = await (await fetch(`${p.url}/metrics`)).text();
    const m = /^hookd_deliveries_in_flight (\d+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  }

  const expectedPairs = (ids: string[], endpoints: number) => ids.flatMap((id) => Array.from({ length: endpoints }, (_, i) => `${id}/webhooks/${i}`));

  it('three workers share the work without sending anything twice', async () => {
    const EVENTS = 5_000;
    const ENDPOINTS = 5;
    const receiver = await receiverFor();
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
    const workers = await hookds([{ role: 'worker', env: { HOOKD_DB_POOL_SIZE: '5' }, count: 3 }]);
    const started = Date.now();
    await until('every (event, endpoint) pair has arrived', () => pairs.missing(expected).length === 0, 90_000, 200);
    const delivered = Date.now();

    // The attempt counters and the rows move after the receiver has the request (when the answer is back).
    const counts = async () => Promise.all(workers.map((w) => attempts(w)));
    const notDone = async () => Number((await onDb<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE workspace = $1 AND status <> 'succeeded'", [scope['x-workspace-id']]))[0]!.n);
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
    const rows = await onDb<{ n: string }>('SELECT count(*) AS n FROM attempts WHERE workspace = $1', [scope['x-workspace-id']]);
    expect(Number(rows[0]!.n)).toBe(expected.length); // one recorded attempt per delivery
  }, 150_000);

  it('a worker killed mid-run: its leased deliveries are delivered by the others after the lease', async () => {
    const EVENTS = 500;
    const ENDPOINTS = 2;
    // The request timeout (3 s) bounds how long the survivors' held requests may wait unanswered.
    const LEASE = 4_000;
    const PER_ENDPOINT = 10;
    // Slow answers keep work in flight; 'hold' parks every request until the test lets go.
    let hold = false;
    const receiver = await receiverFor(() => (hold ? 'hang' : { status: 200, delayMs: 200 }));
    const env = {
      HOOKD_LEASE: `${LEASE}ms`, HOOKD_REQUEST_TIMEOUT: '3s', HOOKD_DB_POOL_SIZE: '5',
      HOOKD_MAX_IN_FLIGHT: String(ENDPOINTS * PER_ENDPOINT), HOOKD_MAX_IN_FLIGHT_PER_ENDPOINT: String(PER_ENDPOINT),
    };
    const api = await hookd('api', { HOOKD_DB_POOL_SIZE: '16' });
    const http = client(api.url, 16);
    const scope = await http.workspace(receiver, ENDPOINTS);
    const pairs = pairCounter(receiver);
    // The whole backlog first, so that the kill lands mid-run however fast publishing is here.
    const ids = await http.publish(scope, EVENTS, 16);
    const expected = expectedPairs(ids, ENDPOINTS);
    const workers = await hookds([{ role: 'worker', env, count: 3 }]);

    // Once deliveries flow at full speed, hold every answer so that in-flight work stays put
    // (no slot frees, so no new claim starts) and results already answered get written; then
    // kill the busiest worker. What it had in flight is exactly the held requests that lose
    // their connection.
    await receiver.waitFor(300, 20_000);
    hold = true;
    await sleep(300);
    const loads = await Promise.all(workers.map(inFlight));
    const victim = loads.indexOf(Math.max(...loads));
    const killed = workers[victim]!;
    const survivors = workers.filter((w) => w !== killed);
    killed.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await killed.exited).toBeNull();
    await sleep(250); // the receiver sees the dead worker's connections close
    hold = false;
    const { lost } = receiver.releaseHanging(200);
    expect(receiver.received.length).toBeLessThan(expected.length);

    await until('every delivery row has succeeded', async () => {
      const rows = await onDb<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE workspace = $1 AND status <> 'succeeded'", [scope['x-workspace-id']]);
      return Number(rows[0]!.n) === 0;
    }, 30_000, 250);
    expect(pairs.missing(expected)).toEqual([]);

    const duplicates = pairs.duplicates();
    const lostKeys = lost.map((r) => `${String(r.headers['webhook-id'])}${r.path}`).sort();
    console.log(`workers.pg: killed worker ${victim} with ${loads[victim]} in flight (loads ${loads.join('/')}); lost ${lost.length}, `
      + `duplicates ${duplicates.length} of ${expected.length}; survivors sent ${(await Promise.all(survivors.map((w) => attempts(w)))).join(' / ')}`);
    // The kill hit work in flight, and that work, no more, arrived twice: each duplicate is a
    // request the dead worker was waiting on, sent again by a survivor once its lease ended.
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBe(loads[victim]);
    expect(lost.length).toBeLessThanOrEqual(ENDPOINTS * PER_ENDPOINT);
    expect(duplicates.map(([k]) => k).sort()).toEqual(lostKeys);
    for (const [, n] of duplicates) expect(n).toBe(2);
    for (const r of lost) {
      const key = `${String(r.headers['webhook-id'])}${r.path}`;
      const again = receiver.received.filter((x) => `${String(x.headers['webhook-id'])}${x.path}` === key).at(-1)!;
      // Not before the lease ended (claimed before the first copy arrived, so within a margin of it).
      expect(again.at - r.at).toBeGreaterThanOrEqual(LEASE - 500);
      expect(again.at).toBeGreaterThan(killedAt);
    }
    for (const w of survivors) expect(await attempts(w)).toBeGreaterThan(0);
  }, 60_000);

  it('PostgreSQL goes away and comes back: API answers 503, nothing accepted is lost', async () => {
    const ENDPOINTS = 2;
    const pgTarget = new URL(BASE_URL);
    const proxy = await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
    cleanup.push(() => proxy.close());
    const receiver = await receiverFor();
    // A short lease: deliveries claimed just as the connections were reset (the claim committed
    // but its answer was lost, or the reads after it failed) wait for their lease to end.
    const p = await hookd('all', { DATABASE_URL: dbUrl(DB_NAME, proxy.port), HOOKD_DB_POOL_SIZE: '6', HOOKD_LEASE: '4s', HOOKD_REQUEST_TIMEOUT: '2s' });
    const http = client(p.url, 12);
    const scope = await http.workspace(receiver, ENDPOINTS);
    const pairs = pairCounter(receiver);
    const publish = (n: number) => http.call('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { n } } }, scope);

    // A publisher that runs across the outage: every answer must be a 201 or a 503 problem
    // (never a 500, a hang or a dropped connection), and every 201 must be delivered.
    const accepted: string[] = [];
    const unavailable: number[] = [];
    const unexpected: string[] = [];
    let publishing = true;
    let n = 0;
    const publisher = Promise.all(Array.from({ length: 4 }, async () => {
      while (publishing) {
        try {
          const res = await publish(n++);
          if (res.status === 201) accepted.push(String(res.json().id));
          else if (res.status === 503 && /^application\/problem\+json/.test(String(res.headers['content-type'])) && Number(res.headers['retry-after']) > 0) {
            unavailable.push(res.ms);
            await sleep(50);
          } else unexpected.push(`${res.status} ${String(res.headers['content-type'])} ${res.text}`);
        } catch (err) {
          unexpected.push(String(err));
          await sleep(50);
        }
      }
    }));
    // Stopped first (cleanup runs in reverse), before the process it publishes to, if the test fails early.
    cleanup.push(async () => {
      publishing = false;
      await publisher;
    });

    await until('some events are accepted', () => accepted.length >= 100, 15_000, 20);
    // The outage starts while events are being published, delivered and written.
    proxy.cut();
    const acceptedBefore = accepted.length;

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
    await sleep(1_500); // the dispatcher, the result writer and the LISTEN connection fail and back off meanwhile
    // At most the publishes already committing when the connections were reset got a 201 after the cut.
    expect(accepted.length - acceptedBefore).toBeLessThanOrEqual(4);

    proxy.restore();
    const restored = Date.now();
    await until('/ready answers 200 again', async () => (await http.call('GET', '/ready')).status === 200, 15_000, 200);
    const readyAfter = Date.now() - restored;
    const acceptedRestored = accepted.length;
    await until('more events are accepted after the outage', () => accepted.length >= acceptedRestored + 100, 15_000, 20);
    publishing = false;
    await publisher;

    expect(unexpected).toEqual([]);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const ms of unavailable) expect(ms).toBeLessThan(7_000);
    const expected = expectedPairs(accepted, ENDPOINTS);
    await until('every accepted event has reached the receiver', () => pairs.missing(expected).length === 0, 30_000, 200)
      .catch(async (err: Error) => {
        // Say where the missing ones are stuck: never written, pending, or leased and waiting.
        const events = [...new Set(pairs.missing(expected).map((k) => k.split('/')[0]))];
        const rows = await onDb('SELECT event, endpoint, status, attempts, locked_until, next_attempt_at FROM deliveries WHERE event = ANY($1) LIMIT 10', [events]);
        throw new Error(`${err.message}; ${events.length} events missing at ${Date.now()}: ${JSON.stringify(rows)}`);
      });
    console.log(`workers.pg: outage: ${unavailable.length} publishes answered 503 (slowest ${Math.max(...unavailable)} ms), /ready 503 in ${ready.ms} ms, `
      + `ready again ${readyAfter} ms after restore; ${accepted.length} accepted, ${expected.length} deliveries, ${pairs.duplicates().length} duplicates`);
    expect(p.child.exitCode).toBeNull();
    expect(p.child.signalCode).toBeNull();
  }, 60_000);
});

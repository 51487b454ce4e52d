/**
 * The client-side bound on PostgreSQL (docs/reliability.md): when the database stops answering without
 * closing the connection (a TCP proxy swallows every byte), a request fails with 503
 * problem+json within HOOKD_QUERY_TIMEOUT / HOOKD_DB_CONNECT_TIMEOUT instead of hanging, and
 * once traffic flows again hookd serves again: the dead connections are thrown away, not reused.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { defaultConfig } from '../src/config/config.js';
import { buildApp } from '../src/server/app.js';
import type { App } from '../src/api/deps.js';
import { hashKey } from '../src/api/plugins/auth.js';
import { createSender } from '../src/delivery/sender.js';
import { seedCatalog } from '../src/server/serve.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { createSecretBox } from '../src/store/secret-box.js';
import type { Store } from '../src/store/types.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const PG_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const PLATFORM_KEY = 'hkp_query_timeout_platform_key_0123456789';
/** ms: the bounds under test, short so the test is quick. */
const QUERY_TIMEOUT = 1_000;
const CONNECT_TIMEOUT = 1_000;
const STATEMENT_TIMEOUT = 500;
/**
 * ms: the least of the bounds that apply when these are not configured (openPostgresStore's
 * defaults: 5 s to connect, the statement timeout + 5 s for an answer). A request that ends
 * before it was ended by a configured bound, not by a default and not by the machine's load:
 * the margin over the configured bounds is 3 s, where the old 'bounds + 1.5 s' left 1.5 s.
 */
const DEFAULT_BOUND = Math.min(5_000, STATEMENT_TIMEOUT + 5_000);
const POOL_SIZE = 2;

let proxy: TcpProxy;
let store: Store;
let app: App;
let sender: ReturnType<typeof createSender>;
let key: string;
const schema = `t_qt_${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  const target = new URL(PG_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(PG_URL);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const box = createSecretBox(randomBytes(32));
  // Migrations and the catalog first, directly and with the default bounds: a DDL statement on a
  // busy server may take longer than the 1 s under test, which is about the queries below.
  const setup = await openPostgresStore({ url: PG_URL, box, poolSize: 1, statementTimeout: 10_000, schema });
  await seedCatalog(setup);
  await setup.close();
  store = await openPostgresStore({
    url: viaProxy.toString(), box, poolSize: POOL_SIZE, statementTimeout: STATEMENT_TIMEOUT, queryTimeout: QUERY_TIMEOUT, connectTimeout: CONNECT_TIMEOUT, schema,
  });
  const config = { ...defaultConfig(), logLevel: 'silent', publicUrl: 'http://localhost:8080', rateLimit: { rate: 1_000_000, burst: 1_000_000 } };
  sender = createSender({ connectTimeout: config.connectTimeout, requestTimeout: config.requestTimeout, allowNetworks: [] });
  app = await buildApp({ config, store, clock: { now: () => Date.now() }, box, platformKeyHash: hashKey(PLATFORM_KEY), sender });
  await app.ready();
  const res = await call('POST', '/v1/workspaces', PLATFORM_KEY, { name: 'Timeouts' });
  expect(res.statusCode).toBe(201);
  key = (res.json() as { keys: { test: string } }).keys.test;
});

afterAll(async () => {
  await app?.close();
  await sender?.close();
  await store?.close();
  await proxy?.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

function call(method: 'GET' | 'POST', url: string, bearer: string, body?: unknown): Promise<LightMyRequestResponse> {
  return app.inject({
    method, url, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    payload: body ? JSON.stringify(body) : undefined,
  });
}

async function timed(request: () => Promise<LightMyRequestResponse>): Promise<{ res: LightMyRequestResponse; ms: number }> {
  const started = performance.now();
  const res = await request();
  return { res, ms: performance.now() - started };
}

function expectUnavailable(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(res.json()).toMatchObject({ status: 503, title: 'The store is unavailable' });
}

describe('PostgreSQL that stops answering without closing', () => {
  it('answers 503 problem+json within the bound, then serves again once traffic flows', async () => {
    expect((await call('GET', '/v1/webhooks/endpoints', key)).statusCode).toBe(200);

    proxy.blackhole();
    // On a pooled connection, the query's answer never comes: HOOKD_QUERY_TIMEOUT.
    const read = await timed(() => call('GET', '/v1/webhooks/endpoints', key));
    expectUnavailable(read.res);
    expect(read.res.json().detail).toMatch(/HOOKD_QUERY_TIMEOUT|cannot be reached/);
    // Ended by a timer that ran its course (not before it: load only adds), and before a default bound could have.
    expect(read.ms).toBeGreaterThanOrEqual(Math.min(QUERY_TIMEOUT, CONNECT_TIMEOUT) - 50);
    expect(read.ms).toBeLessThan(DEFAULT_BOUND);

    // A publish (a transaction) and further reads: each within the bound, whichever connection it gets.
    for (const request of [
      () => call('POST', '/v1/events', key, { type: 'payment.succeeded', data: { object: { id: 'pay_1' } } }),
      () => call('GET', '/v1/events', key),
    ]) {
      const { res, ms } = await timed(request);
      expectUnavailable(res);
      expect(ms).toBeLessThan(DEFAULT_BOUND);
    }

    proxy.restore();
    // Connections that died in the blackhole stay dead (as they would): each costs at most one
    // more 503 before hookd drops it, so within the pool's size hookd answers again.
    const after: number[] = [];
    for (let i = 0; i <= POOL_SIZE + 1; i++) {
      const res = await call('GET', '/v1/webhooks/endpoints', key);
      after.push(res.statusCode);
      if (res.statusCode === 200) break;
      expectUnavailable(res);
    }
    expect(after.at(-1), `answers after restore: ${after.join(', ')}`).toBe(200);
    expect(after.filter((s) => s === 503).length).toBeLessThanOrEqual(POOL_SIZE);

    const published = await call('POST', '/v1/events', key, { type: 'payment.succeeded', data: { object: { id: 'pay_2' } } });
    expect(published.statusCode, published.body).toBe(201);
    expect((await call('GET', '/v1/webhooks/endpoints', key)).statusCode).toBe(200);
  });
});

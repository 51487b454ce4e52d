/**
 * Test harness: a real hookd app on a real SQLite file in a fresh temporary directory, driven
 * in-process with app.inject. The clock is a controllable one, so windows and expiries can be
 * crossed without sleeping.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { defaultConfig, type Config } from '../src/config/config.js';
import { buildApp } from '../src/server/app.js';
import type { App } from '../src/api/deps.js';
import { hashKey } from '../src/api/plugins/auth.js';
import { createSecretBox, type SecretBox } from '../src/store/secret-box.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import pg from 'pg';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/types.js';
import { seedCatalog } from '../src/server/serve.js';
import { createSender } from '../src/delivery/sender.js';
import { createDispatcher, type Dispatcher } from '../src/delivery/dispatcher.js';
import { renderEndpoint } from '../src/resources/endpoints/shape.js';
import { ManualClock, systemClock } from '../src/domain/clock.js';

/** Which store the integration tests run on: the vitest project sets it (vitest.config.ts). */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.HOOKD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
const PG_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Where a test store keeps its rows, for tests that read them raw (test/plaintext.ts). */
export type TestDatabase = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };

/**
 * A fresh store of the kind under test: a SQLite file in `dir`, or a PostgreSQL schema of its
 * own (so test files run in parallel); `drop` removes it after `store.close()`.
 */
export async function openTestStore(dir: string, box: SecretBox, firstAttemptDelay?: number): Promise<{ store: Store; database: TestDatabase; drop: () => Promise<void> }> {
  if (TEST_STORE === 'sqlite') {
    const database: TestDatabase = { kind: 'sqlite', file: join(dir, 'hookd.db') };
    return { store: await reopenTestStore(database, box, firstAttemptDelay), database, drop: async () => undefined };
  }
  const database: TestDatabase = { kind: 'postgres', url: PG_URL, schema: `t_${randomBytes(6).toString('hex')}` };
  const { schema } = database;
  const store = await reopenTestStore(database, box, firstAttemptDelay);
  return {
    store,
    database,
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** Opens the store of `database` again (a SQLite file's earlier store must be closed: it held the lock). */
export function reopenTestStore(database: TestDatabase, box: SecretBox, firstAttemptDelay?: number): Promise<Store> {
  return database.kind === 'sqlite'
    ? openSqliteStore({ file: database.file, box, firstAttemptDelay })
    : openPostgresStore({ url: database.url, box, poolSize: 4, queuePoolSize: 2, statementTimeout: 10_000, schema: database.schema, firstAttemptDelay });
}

export const PLATFORM_KEY = 'hkp_test_platform_key_0123456789abcdefghij';

/** A clock that stands still until advanced; its timers run when `advance` passes them (domain/clock.ts). */
export class TestClock extends ManualClock {
  constructor(ms = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    super(ms);
  }
}

/** The system clock behind the TestClock interface, for tests where real time must pass. */
export class RealClock extends TestClock {
  override now = (): number => Date.now();
  override setTimer = systemClock.setTimer!;
  override advance(): void {
    throw new Error('RealClock cannot be advanced');
  }
}

export interface TestHookd {
  dispatcher: Dispatcher | null;
  app: App;
  store: Store;
  clock: TestClock;
  config: Config;
  dir: string;
  database: TestDatabase;
  /** Sends a request with the given key (platform key by default) and JSON body. */
  call(method: string, url: string, options?: CallOptions): Promise<LightMyRequestResponse>;
  /** Creates a workspace and returns its id and both keys. */
  workspace(name?: string): Promise<{ id: string; test: string; live: string }>;
  /**
   * PostgreSQL only: another API process on the same database (its own app, hub and
   * connection pool; the same encryption key, platform key and clock). Closed with this one.
   */
  peer(): Promise<TestHookd>;
  /** Closes the app and the store but keeps their files (SQLite's lock goes with it, so the file can be read raw). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface StartOptions {
  /** Run the dispatcher in-process, on the real clock (delivery tests). */
  dispatcher?: boolean;
  /** With `dispatcher`: run it on the test clock instead, whose timers run only when the test advances it. */
  testClock?: boolean;
  /**
   * The dispatcher's source of retry jitter, in [0, 1) (default Math.random): a test that
   * asserts when a retry is due pins it, so that the ±20 % (retry-policy.ts) is not left to chance.
   */
  random?: () => number;
  /** Fastify's logger option (default: no logging). */
  logger?: Parameters<typeof buildApp>[0]['logger'];
  /** PEM CAs the sender trusts beside the system's: receivers' certificates from test/tls-certs.ts. */
  trust?: string[];
  /** The built dashboard to serve (test/dashboard-build.ts builds one); default none. */
  dashboardDir?: string | null;
}

export async function startHookd(overrides: Partial<Config> = {}, options: StartOptions = {}): Promise<TestHookd> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-test-'));
  // Test receivers listen on 127.0.0.1, which the SSRF guard refuses unless opened on purpose.
  const config: Config = {
    ...defaultConfig(), dataDir: dir, logLevel: 'silent', publicUrl: 'http://localhost:8080', allowNetworks: ['127.0.0.0/8', '::1/128'],
    // The test clock stands still, so buckets would never refill: tests that check the limit set their own.
    rateLimit: { rate: 1_000_000, burst: 1_000_000 }, ...overrides,
  };
  const box = createSecretBox(randomBytes(32));
  const { store, database, drop } = await openTestStore(dir, box, config.retrySchedule[0]);
  await seedCatalog(store);
  // Delivery tests run on the real clock: the dispatcher's timers and the receivers' are real.
  const clock = options.dispatcher && !options.testClock ? new RealClock() : new TestClock();
  return startOn({ config, box, store, drop, database, clock, dir }, options);
}

interface Started {
  config: Config;
  box: SecretBox;
  store: Store;
  drop: () => Promise<void>;
  database: TestDatabase;
  clock: TestClock;
  dir: string;
}

async function startOn({ config, box, store, drop, database, clock, dir }: Started, options: StartOptions): Promise<TestHookd> {
  const sender = createSender({
    connectTimeout: config.connectTimeout, requestTimeout: config.requestTimeout, allowNetworks: config.allowNetworks, egressProxy: config.egressProxy, trust: options.trust,
  });
  let dispatcher: Dispatcher | null = null;
  const app = await buildApp({ config, store, clock, box, platformKeyHash: hashKey(PLATFORM_KEY), sender, wake: () => dispatcher?.wake(), logger: options.logger, dashboardDir: options.dashboardDir ?? null });
  await app.ready();
  if (options.dispatcher) {
    dispatcher = createDispatcher({ config, store, sender, clock, log: app.log, random: options.random, renderEndpoint: (endpoint) => renderEndpoint(endpoint, config.retrySchedule) });
    dispatcher.start();
  }

  const peers: TestHookd[] = [];
  const call: TestHookd['call'] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? PLATFORM_KEY : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    return app.inject({ method: method as 'GET', url, headers, payload });
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await dispatcher?.stop(1_000);
    await sender.close();
    await store.close();
  };

  return {
    app, store, clock, config, dir, database, call, stop,
    async workspace(name = 'Acme') {
      const res = await call('POST', '/v1/workspaces', { body: { name } });
      if (res.statusCode !== 201) throw new Error(`workspace create failed: ${res.statusCode} ${res.body}`);
      const ws = res.json() as { id: string; keys: { test: string; live: string } };
      return { id: ws.id, test: ws.keys.test, live: ws.keys.live };
    },
    dispatcher,
    async peer() {
      if (database.kind !== 'postgres') throw new Error('peer() needs PostgreSQL: a SQLite file has one owner');
      const peerStore = await reopenTestStore(database, box, config.retrySchedule[0]);
      const peer = await startOn({ config, box, store: peerStore, drop: async () => undefined, database, clock, dir }, {});
      peers.push(peer);
      return peer;
    },
    async close() {
      for (const peer of peers.splice(0)) await peer.close();
      await stop();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts nothing; returns the parsed problem document, for the test to check. */
export function problem(res: LightMyRequestResponse): { status: number; title: string; detail?: string; errors?: Record<string, string[]>; traceId: string; type: string; instance: string } {
  return res.json();
}

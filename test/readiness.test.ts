/**
 * /health and /ready: ready only while the store answers, the migrations it was opened with
 * are still applied and (where one runs) the dispatcher runs; otherwise a 503 problem whose
 * `errors` name each failed check, so that a probe's log says where to look.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { hashKey } from '../src/api/plugins/auth.js';
import { defaultConfig } from '../src/config/config.js';
import { createSender } from '../src/delivery/sender.js';
import { HookdError } from '../src/domain/errors.js';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { createSecretBox } from '../src/store/secret-box.js';
import type { Store } from '../src/store/types.js';
import { openTestStore, PLATFORM_KEY, TestClock, TEST_STORE } from './helpers.js';

describe('/ready', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-ready-'));
  const sender = createSender({ connectTimeout: 1000, requestTimeout: 1000, allowNetworks: [] });
  let store: Store;
  let drop: () => Promise<void>;
  /** What the doubles below break; each test sets what it needs. */
  let broken: { ping?: boolean; migrations?: string[] } = {};

  beforeAll(async () => {
    ({ store, drop } = await openTestStore(dir, createSecretBox(randomBytes(32))));
  });
  afterAll(async () => {
    await store.close();
    await drop();
    await sender.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The real store, with ping or the migration check failing on demand. */
  const breakable = (): Store => ({
    ...store,
    async ping() {
      if (broken.ping) throw new HookdError('store_unavailable', 'The store is unavailable', { detail: 'PostgreSQL cannot be reached or is restarting.' });
      return store.ping();
    },
    async missingMigrations() {
      return broken.migrations ?? store.missingMigrations();
    },
  });

  async function ready(dispatcherRunning?: () => boolean) {
    const app = await buildApp({
      config: defaultConfig(), store: breakable(), clock: new TestClock(), box: createSecretBox(randomBytes(32)), platformKeyHash: hashKey(PLATFORM_KEY), sender,
      dispatcherRunning,
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/ready' });
      return { status: res.statusCode, type: res.headers['content-type'], body: res.json() as Record<string, unknown> };
    } finally {
      await app.close();
    }
  }

  it('is ready on a freshly migrated store with its dispatcher running, and says which checks applied', async () => {
    broken = {};
    expect(await store.missingMigrations()).toEqual([]);
    expect(await ready(() => true)).toMatchObject({
      status: 200, body: { status: 'ready', store: TEST_STORE, checks: { store: 'ok', migrations: 'ok', dispatcher: 'ok' } },
    });
    // role api: no dispatcher in the process, so that check does not apply.
    expect((await ready()).body).toMatchObject({ checks: { dispatcher: 'n/a' } });
  });

  it('answers 503 naming the dispatcher when it is not running', async () => {
    broken = {};
    const res = await ready(() => false);
    expect(res.status).toBe(503);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 503, title: 'Not ready', errors: { dispatcher: ['is not running'] } });
    expect(Object.keys(res.body.errors as object)).toEqual(['dispatcher']);
  });

  it('answers 503 naming the store when it does not answer, and the missing migrations by name', async () => {
    broken = { ping: true };
    const down = await ready(() => true);
    expect(down.status).toBe(503);
    expect(down.body.errors).toEqual({ store: ['PostgreSQL cannot be reached or is restarting.'] });

    broken = { migrations: ['0002-attempts'] };
    const behind = await ready(() => true);
    expect(behind.status).toBe(503);
    expect(behind.body.errors).toEqual({ migrations: ['not applied: 0002-attempts; run hookd migrate'] });
    expect(behind.body.detail).toContain('0002-attempts');
  });

  it('/health answers while /ready does not: the process is up', async () => {
    broken = { ping: true };
    const app = await buildApp({
      config: defaultConfig(), store: breakable(), clock: new TestClock(), box: createSecretBox(randomBytes(32)), platformKeyHash: hashKey(PLATFORM_KEY), sender,
    });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    await app.close();
  });
});

describe.skipIf(TEST_STORE !== 'postgres')('missingMigrations on PostgreSQL', () => {
  it('names a migration that left the migration table after the store was opened', async () => {
    const url = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
    const schema = `t_ready_${randomBytes(4).toString('hex')}`;
    const store = await openPostgresStore({ url, box: createSecretBox(randomBytes(32)), poolSize: 2, statementTimeout: 5_000, schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect(await store.missingMigrations()).toEqual([]);
      await client.query(`DELETE FROM ${schema}.hookd_migrations WHERE name = '0002-attempts'`);
      expect(await store.missingMigrations()).toEqual(['0002-attempts']);
    } finally {
      await store.close();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});

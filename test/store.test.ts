/**
 * The Store interface (src/store/types.ts) against a real store of the project's kind (a SQLite
 * file, or a PostgreSQL schema of its own; helpers.ts TEST_STORE): every method, with the
 * promises the rest of hookd relies on (scoping by workspace and mode, compare-and-set,
 * transactional fan-out, secrets sealed at rest, idempotency states, one owner per file).
 */
import { plainDelivery } from '../src/domain/endpoint-rules.js';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../src/api/plugins/auth.js';
import { HookdError } from '../src/domain/errors.js';
import { newId, newWebhookSecret, newWorkspaceKey, randomToken } from '../src/domain/ids.js';
import type { ApiKeyRecord, Attempt, Delivery, Endpoint, EventType, HookdEvent, Mode, Workspace } from '../src/domain/types.js';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateTo } from '../src/store/migrations/index.js';
import { createSecretBox, type SecretBox } from '../src/store/secret-box.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/types.js';
import { openTestStore, reopenTestStore, TEST_STORE } from './helpers.js';

const T0 = Date.UTC(2026, 0, 15, 12);
const HOUR = 3_600_000;

function workspace(created = T0): Workspace {
  return { id: newId('wksp', created), name: 'Acme', created, updated: created, etag: randomToken(), keyGeneration: 0 };
}

function apiKey(ws: string, live: boolean, created = T0): { key: string; record: ApiKeyRecord } {
  const key = newWorkspaceKey(live ? 'live' : 'test');
  return { key, record: { hash: hashKey(key), workspace: ws, live, hint: key.slice(-4), created, expires: null } };
}

function endpoint(mode: Mode, over: Partial<Endpoint> = {}): Endpoint {
  const created = over.created ?? T0;
  return {
    id: newId('we', created), workspace: mode.workspace, live: mode.live, url: 'https://example.com/hooks', description: null,
    format: 'basic', status: 'enabled', events: ['*'], secret: newWebhookSecret(), token: null, metadata: {},
    created, updated: created, etag: randomToken(), previousSecrets: [], failingSince: null, retrySchedule: null, ordering: 'unordered', rateLimit: null, ...plainDelivery(), ...over,
  };
}

function event(mode: Mode, type = 'customer.created', created = T0): HookdEvent {
  return {
    id: newId('evt', created), workspace: mode.workspace, live: mode.live, type, data: { object: { id: 'cus_1' } },
    requestId: newId('req', created), idempotencyKey: null, redaction: null, created, updated: created, etag: randomToken(),
  };
}

function eventType(name: string, created: number): EventType {
  return { name, description: `about ${name}`, schema: { type: 'object' }, builtin: false, created, updated: created, etag: randomToken() };
}

describe(`store contract (${TEST_STORE})`, () => {
  let dir: string;
  let file: string;
  let box: SecretBox;
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
    file = join(dir, 'hookd.db');
    box = createSecretBox(randomBytes(32));
    ({ store, drop } = await openTestStore(dir, box));
  });
  afterAll(async () => {
    await store.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh workspace, so that each test's rows are its own. */
  async function freshMode(live = false): Promise<Mode> {
    const ws = workspace();
    await store.createWorkspace(ws, []);
    return { workspace: ws.id, live };
  }

  it('answers ping and says which dialect it is', async () => {
    expect(store.dialect).toBe(TEST_STORE);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('keeps the first value of a setting', async () => {
    expect(await store.getSetting('platform_key_sha256')).toBeNull();
    expect(await store.putSettingIfAbsent('platform_key_sha256', 'first')).toBe('first');
    expect(await store.putSettingIfAbsent('platform_key_sha256', 'second')).toBe('first');
    expect(await store.getSetting('platform_key_sha256')).toBe('first');
  });

  it('creates workspaces with their keys, finds keys by hash, and pages workspaces', async () => {
    const ws = workspace();
    const test = apiKey(ws.id, false);
    const live = apiKey(ws.id, true);
    await store.createWorkspace(ws, [test.record, live.record]);
    expect(await store.getWorkspace(ws.id)).toEqual(ws);
    expect(await store.getWorkspace(newId('wksp'))).toBeNull();
    expect(await store.findApiKey(hashKey(live.key))).toEqual({ ...live.record, keyGeneration: 0 });
    expect(await store.findApiKey(hashKey('fskt_unknown'))).toBeNull();
    expect((await store.listApiKeys(ws.id, T0)).map((k) => k.hash).sort()).toEqual([test.record.hash, live.record.hash].sort());

    // Five workspaces an hour apart, in a window no other test writes to.
    const base = Date.UTC(2030, 0, 1);
    const made: Workspace[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(workspace(base + i * HOUR));
      await store.createWorkspace(made[i]!, []);
    }
    const window = { gte: base, lt: base + 5 * HOUR };
    const first = await store.listWorkspaces({ limit: 2, sort: 'asc', created: window });
    expect(first.items.map((w) => w.id)).toEqual([made[0]!.id, made[1]!.id]);
    expect(first.next).toEqual({ created: made[1]!.created, key: made[1]!.id });
    const second = await store.listWorkspaces({ limit: 2, sort: 'asc', created: window, after: first.next! });
    expect(second.items.map((w) => w.id)).toEqual([made[2]!.id, made[3]!.id]);
    const last = await store.listWorkspaces({ limit: 2, sort: 'asc', created: window, after: second.next! });
    expect(last.items.map((w) => w.id)).toEqual([made[4]!.id]);
    expect(last.next).toBeNull();
    const desc = await store.listWorkspaces({ limit: 10, sort: 'desc', created: window });
    expect(desc.items.map((w) => w.id)).toEqual(made.map((w) => w.id).reverse());
  });

  it('rolls keys: old keys expire when asked, a second roll never extends them', async () => {
    const ws = workspace();
    const old = apiKey(ws.id, false);
    await store.createWorkspace(ws, [old.record]);
    const next = apiKey(ws.id, false, T0 + 1000);
    const rolled = await store.rollWorkspaceKeys(ws.id, [next.record], T0 + 60_000, 'etag-2', T0 + 1000);
    expect(rolled).toMatchObject({ id: ws.id, etag: 'etag-2', updated: T0 + 1000, created: ws.created, keyGeneration: 1 });
    // A key is found with the generation its workspace is in now, rolled or not.
    expect(await store.findApiKey(old.record.hash)).toMatchObject({ expires: T0 + 60_000, keyGeneration: 1 });
    expect((await store.findApiKey(next.record.hash))?.expires).toBeNull();
    expect((await store.listApiKeys(ws.id, T0 + 59_999)).map((k) => k.hash)).toEqual([next.record.hash, old.record.hash]);
    expect((await store.listApiKeys(ws.id, T0 + 60_000)).map((k) => k.hash)).toEqual([next.record.hash]);

    const third = apiKey(ws.id, false, T0 + 2000);
    await store.rollWorkspaceKeys(ws.id, [third.record], T0 + 3_600_000, 'etag-3', T0 + 2000);
    expect((await store.findApiKey(old.record.hash))?.expires).toBe(T0 + 60_000);
    expect((await store.findApiKey(next.record.hash))?.expires).toBe(T0 + 3_600_000);
    expect(await store.findApiKey(third.record.hash)).toMatchObject({ expires: null, keyGeneration: 2 });
    expect(await store.rollWorkspaceKeys(newId('wksp'), [apiKey('x', false).record], T0, 'e', T0)).toBeNull();
    const other = workspace();
    await store.createWorkspace(other, []);
    const unknown = newId('wksp');
    expect(await store.keyGenerations([ws.id, other.id, unknown])).toEqual(new Map([[ws.id, 2], [other.id, 0]]));
    expect(await store.keyGenerations([])).toEqual(new Map());
  });

  it('seeds, creates, gets and lists event types', async () => {
    const base = Date.UTC(2031, 0, 1);
    await store.seedEventTypes([eventType('acme.one', base), eventType('acme.two', base)]);
    await store.seedEventTypes([{ ...eventType('acme.one', base), description: 'changed' }]);
    await store.seedEventTypes([]);
    expect((await store.getEventType('acme.one'))?.description).toBe('about acme.one');
    const three = eventType('acme.three', base + 1000);
    expect(await store.createEventType(three)).toBe(true);
    expect(await store.createEventType({ ...three, description: 'again' })).toBe(false);
    expect(await store.getEventType('acme.three')).toEqual(three);
    expect(await store.getEventType('acme.none')).toBeNull();
    const names = await store.eventTypeNames();
    expect(names).toEqual(expect.arrayContaining(['acme.one', 'acme.three', 'acme.two']));
    expect(names).toEqual([...names].sort());
    const page = await store.listEventTypes({ limit: 2, sort: 'asc', created: { gte: base } });
    expect(page.items.map((t) => t.name)).toEqual(['acme.one', 'acme.two']);
    const rest = await store.listEventTypes({ limit: 2, sort: 'asc', created: { gte: base }, after: page.next! });
    expect(rest.items.map((t) => t.name)).toEqual(['acme.three']);
    expect(rest.next).toBeNull();
  });

  it('scopes endpoints to workspace and mode, counts and pages them', async () => {
    const mode = await freshMode();
    const made: Endpoint[] = [];
    for (let i = 0; i < 3; i++) {
      made.push(endpoint(mode, { created: T0 + i, token: `tok-${i}`, metadata: { team: `t${i}` }, description: 'd' }));
      await store.createEndpoint(made[i]!);
    }
    await store.createEndpoint(endpoint({ ...mode, live: true }));
    expect(await store.getEndpoint(mode, made[0]!.id)).toEqual(made[0]);
    expect(await store.getEndpoint({ ...mode, live: true }, made[0]!.id)).toBeNull();
    expect(await store.getEndpoint(await freshMode(), made[0]!.id)).toBeNull();
    expect(await store.countEndpoints(mode)).toBe(3);
    expect(await store.countEndpoints({ ...mode, live: true })).toBe(1);
    const page = await store.listEndpoints(mode, { limit: 2, sort: 'desc' });
    expect(page.items.map((e) => e.id)).toEqual([made[2]!.id, made[1]!.id]);
    const rest = await store.listEndpoints(mode, { limit: 2, sort: 'desc', after: page.next! });
    expect(rest.items).toEqual([made[0]]);
    expect(rest.next).toBeNull();
  });

  it('updates endpoints with compare-and-set on the etag, and deletes with or without one', async () => {
    const mode = await freshMode();
    const ep = endpoint(mode);
    await store.createEndpoint(ep);
    const changed = { ...ep, description: 'new', status: 'disabled' as const, etag: 'e2', updated: T0 + 5 };
    expect(await store.updateEndpoint(changed, ep.etag)).toBe(true);
    expect(await store.getEndpoint(mode, ep.id)).toEqual(changed);
    expect(await store.updateEndpoint({ ...changed, description: 'lost', etag: 'e3' }, ep.etag)).toBe(false);
    expect((await store.getEndpoint(mode, ep.id))?.description).toBe('new');
    expect(await store.updateEndpoint({ ...changed, live: true, etag: 'e3' }, 'e2')).toBe(false);

    expect(await store.deleteEndpoint(mode, ep.id, ep.etag, T0)).toBe(false);
    expect(await store.deleteEndpoint({ ...mode, live: true }, ep.id, undefined, T0)).toBe(false);
    expect(await store.getEndpoint(mode, ep.id)).not.toBeNull();
    expect(await store.deleteEndpoint(mode, ep.id, 'e2', T0)).toBe(true);
    expect(await store.deleteEndpoint(mode, ep.id, undefined, T0)).toBe(false);
    expect(await store.updateEndpoint({ ...changed, etag: 'e4' }, 'e2')).toBe(false);
    const other = endpoint(mode);
    await store.createEndpoint(other);
    expect(await store.deleteEndpoint(mode, other.id, undefined, T0)).toBe(true);
    expect(await store.countEndpoints(mode)).toBe(0);
  });

  it('keeps an endpoint\'s own retry schedule, and null for the platform\'s, through create, update and the dispatcher\'s read', async () => {
    const mode = await freshMode();
    const own = endpoint(mode, { retrySchedule: [0, 1_500, 3_600_000] });
    const platform = endpoint(mode);
    await store.createEndpoint(own);
    await store.createEndpoint(platform);
    expect((await store.getEndpoint(mode, own.id))?.retrySchedule).toEqual([0, 1_500, 3_600_000]);
    expect((await store.getEndpoint(mode, platform.id))?.retrySchedule).toBeNull();
    expect(await store.updateEndpoint({ ...own, retrySchedule: null, etag: 'e2' }, own.etag)).toBe(true);
    expect(await store.updateEndpoint({ ...platform, retrySchedule: [5_000], etag: 'e2' }, platform.etag)).toBe(true);
    const read = await store.getEndpointsByIds([own.id, platform.id]);
    expect(read.get(own.id)?.retrySchedule).toBeNull();
    expect(read.get(platform.id)?.retrySchedule).toEqual([5_000]);
  });

  it('publishes an event with one delivery per matching enabled endpoint of its workspace and mode', async () => {
    const mode = await freshMode();
    const live = { ...mode, live: true };
    const otherWs = await freshMode();
    const eps = [
      endpoint(mode, { events: ['customer.*'] }),
      endpoint(mode, { events: ['*'] }),
      endpoint(mode, { events: ['customer.created', 'payment.failed'] }),
      endpoint(mode, { events: ['*'], status: 'disabled' }),
      endpoint(mode, { events: ['payment.*'] }),
      endpoint(live, { events: ['*'] }),
      endpoint(otherWs, { events: ['*'] }),
    ];
    for (const ep of eps) await store.createEndpoint(ep);

    const customer = event(mode, 'customer.created');
    const published = await store.publishEvent(customer);
    expect(published.deliveries).toBe(3);
    expect(published.endpoints.sort()).toEqual([eps[0]!.id, eps[1]!.id, eps[2]!.id].sort());
    expect(await store.countDeliveries(customer.id)).toBe(3);
    const payment = event(mode, 'payment.refund.failed');
    expect((await store.publishEvent(payment)).deliveries).toBe(2);
    expect(await store.countDeliveries(payment.id)).toBe(2);
    const liveEvt = event(live, 'file.created');
    expect((await store.publishEvent(liveEvt)).deliveries).toBe(1);
    const lonely = event(await freshMode(), 'customer.created');
    expect((await store.publishEvent(lonely)).deliveries).toBe(0);
    expect(await store.countDeliveries(lonely.id)).toBe(0);

    // The event and its fan-out commit together: a failing insert (duplicate id) leaves no extra deliveries.
    await expect(store.publishEvent({ ...customer })).rejects.toThrow();
    expect(await store.countDeliveries(customer.id)).toBe(3);
    expect(await store.getEvent(mode, customer.id)).toEqual(customer);
    expect(await store.getEvent(live, customer.id)).toBeNull();
    expect(await store.getEvent(otherWs, customer.id)).toBeNull();
  });

  it('lists events by type and page, and redacts with compare-and-set', async () => {
    const mode = await freshMode();
    const made = ['customer.created', 'payment.failed', 'customer.updated', 'payment.failed'].map((t, i) => event(mode, t, T0 + i * 1000));
    for (const e of made) await store.publishEvent(e);
    await store.publishEvent(event({ ...mode, live: true }));
    const all = await store.listEvents(mode, { limit: 10, sort: 'asc' });
    expect(all.items.map((e) => e.id)).toEqual(made.map((e) => e.id));
    const payments = await store.listEvents(mode, { limit: 10, sort: 'desc', types: ['payment.failed'] });
    expect(payments.items.map((e) => e.id)).toEqual([made[3]!.id, made[1]!.id]);
    const page = await store.listEvents(mode, { limit: 3, sort: 'desc' });
    expect(page.items.map((e) => e.id)).toEqual([made[3]!.id, made[2]!.id, made[1]!.id]);
    const rest = await store.listEvents(mode, { limit: 3, sort: 'desc', after: page.next! });
    expect(rest.items.map((e) => e.id)).toEqual([made[0]!.id]);
    expect(rest.next).toBeNull();
    const ranged = await store.listEvents(mode, { limit: 10, sort: 'asc', created: { gt: T0, lte: T0 + 2000 } });
    expect(ranged.items.map((e) => e.id)).toEqual([made[1]!.id, made[2]!.id]);

    const target = made[0]!;
    const redaction = { requested: T0 + 9000, request: { id: newId('req'), idempotency_key: null } };
    expect(await store.redactEvent(mode, target.id, redaction, 'r1', T0 + 9000, 'stale')).toBe(false);
    expect((await store.getEvent(mode, target.id))?.data).toEqual(target.data);
    expect(await store.redactEvent({ ...mode, live: true }, target.id, redaction, 'r1', T0 + 9000)).toBeNull();
    expect(await store.redactEvent(mode, newId('evt'), redaction, 'r1', T0 + 9000)).toBeNull();
    const redacted = await store.redactEvent(mode, target.id, redaction, 'r1', T0 + 9000, target.etag);
    const expected = { ...target, data: { object: {} }, redaction, etag: 'r1', updated: T0 + 9000 };
    expect(redacted).toEqual(expected);
    expect(await store.getEvent(mode, target.id)).toEqual(expected);
  });

  it('walks idempotency keys through new, in progress, replay, mismatch, abandon and prune', async () => {
    const s = `scope-${randomToken()}`;
    const since = T0 - 24 * HOUR;
    const response = { status: 201, headers: { 'content-type': 'application/json', etag: '"x"' }, body: '{"id":"evt_1"}' };
    expect(await store.beginIdempotent(s, 'k', 'fp1', T0, since)).toEqual({ state: 'new' });
    expect(await store.beginIdempotent(s, 'k', 'fp1', T0 + 1, since)).toEqual({ state: 'in_progress' });
    expect(await store.beginIdempotent(s, 'k', 'fp2', T0 + 1, since)).toEqual({ state: 'mismatch' });
    expect(await store.beginIdempotent(`${s}-other`, 'k', 'fp2', T0 + 1, since)).toEqual({ state: 'new' });
    await store.completeIdempotent(s, 'k', response);
    expect(await store.beginIdempotent(s, 'k', 'fp1', T0 + 2, since)).toEqual({ state: 'replay', response });
    expect(await store.beginIdempotent(s, 'k', 'fp2', T0 + 2, since)).toEqual({ state: 'mismatch' });
    await store.abandonIdempotent(s, 'k'); // a finished answer is kept
    expect((await store.beginIdempotent(s, 'k', 'fp1', T0 + 3, since)).state).toBe('replay');
    // Past the window the key is fresh again.
    expect(await store.beginIdempotent(s, 'k', 'fp2', T0 + 25 * HOUR, T0 + HOUR)).toEqual({ state: 'new' });

    expect(await store.beginIdempotent(s, 'claim', 'fp', T0, since)).toEqual({ state: 'new' });
    await store.abandonIdempotent(s, 'claim');
    expect(await store.beginIdempotent(s, 'claim', 'fp', T0 + 1, since)).toEqual({ state: 'new' });
    // A claim whose request never finished (its process died) goes stale after a minute.
    expect(await store.beginIdempotent(s, 'claim', 'fp', T0 + 61_000, since)).toEqual({ state: 'new' });

    const pruneScope = `prune-${randomToken()}`;
    const old = Date.UTC(2020, 0, 1);
    await store.beginIdempotent(pruneScope, 'a', 'fp', old, old - HOUR);
    await store.beginIdempotent(pruneScope, 'b', 'fp', old + 1, old - HOUR);
    await store.completeIdempotent(pruneScope, 'b', response);
    expect(await store.pruneIdempotency(old + 2)).toBe(2);
    expect(await store.pruneIdempotency(old + 2)).toBe(0);
    expect(await store.beginIdempotent(pruneScope, 'b', 'fp', old + 3, old - HOUR)).toEqual({ state: 'new' });
  });

  it.skipIf(TEST_STORE !== 'sqlite')('refuses a second opener of the same file with store_unavailable', async () => {
    const err = await openSqliteStore({ file, box }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HookdError);
    expect((err as HookdError).code).toBe('store_unavailable');
    await expect(store.ping()).resolves.toBeUndefined();
  }, 20_000);
});

describe(`store contract (${TEST_STORE}): kept idempotent answers across a key rotation`, () => {
  it('re-seals every kept answer with the new key, more than one batch of them, and replays each with the new key alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const { store, database, drop } = await openTestStore(dir, createSecretBox(oldKey));
    let open: Store | null = store;
    try {
      const since = T0 - 24 * HOUR;
      // 501: the re-sealing walks 500 rows a transaction, so this takes it past a batch.
      const answers = Array.from({ length: 501 }, (_, i) => ({ key: `k${String(i).padStart(3, '0')}`, body: JSON.stringify({ n: i, secret: newWebhookSecret() }) }));
      for (const { key, body } of answers) {
        expect(await store.beginIdempotent('scope', key, 'fp', T0, since)).toEqual({ state: 'new' });
        await store.completeIdempotent('scope', key, { status: 201, headers: {}, body });
      }
      await store.beginIdempotent('scope', 'unfinished', 'fp', T0, since);
      await store.close();
      open = await reopenTestStore(database, createSecretBox([newKey, oldKey]));
      expect(await open.reencryptSecrets()).toEqual({ endpoints: 0, answers: 501 });
      expect(await open.reencryptSecrets()).toEqual({ endpoints: 0, answers: 0 });
      await open.close();
      open = await reopenTestStore(database, createSecretBox(newKey));
      for (const { key, body } of answers) {
        expect(await open.beginIdempotent('scope', key, 'fp', T0 + 1, since)).toEqual({ state: 'replay', response: { status: 201, headers: {}, body } });
      }
      expect(await open.beginIdempotent('scope', 'unfinished', 'fp', T0 + 1, since)).toEqual({ state: 'in_progress' });
    } finally {
      await open?.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe(`store contract (${TEST_STORE}): the delivery queue`, () => {
  let dir: string;
  let store: Store;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
    ({ store, drop } = await openTestStore(dir, createSecretBox(randomBytes(32))));
  });
  afterAll(async () => {
    await store.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const LEASE = 60_000;
  const claim = (now: number, take: [string, number][]) =>
    store.claimDeliveries({ now, lease: LEASE, take: take.map(([endpoint, limit]) => ({ endpoint, limit })) }).then((r) => r.deliveries);
  function attempt(delivery: string, attempted: number, successful: boolean, manual = false): Attempt {
    return {
      id: newId('wha', attempted), delivery, manual, url: 'https://example.com/hooks', attempted, request: '{}',
      code: successful ? 200 : 500, response: successful ? 'ok' : 'oops', time: 12, successful, error: null,
    };
  }

  it('claims due deliveries under a lease, records attempts, recovers and prunes', async () => {
    const ws = workspace();
    await store.createWorkspace(ws, []);
    const mode = { workspace: ws.id, live: false };
    const a = endpoint(mode);
    const b = endpoint(mode);
    for (const ep of [a, b]) await store.createEndpoint(ep);
    const e1 = event(mode, 'customer.created', T0);
    const e2 = event(mode, 'customer.updated', T0 + 1000);
    await store.publishEvent(e1);
    await store.publishEvent(e2);

    const both = (limit: number): [string, number][] => [[a.id, limit], [b.id, limit]];
    const byEndpoint = (list: { endpoint: string; due: number }[]) => [...list].sort((x, y) => (x.endpoint < y.endpoint ? -1 : 1));
    const [first1, first2] = [a.id, b.id].sort();
    expect(byEndpoint(await store.dueEndpoints(T0 + 500))).toEqual([{ endpoint: first1, due: T0, controlled: false }, { endpoint: first2, due: T0, controlled: false }]);
    // Due now: only e1's two deliveries; a second claim while they are leased gets nothing.
    const first = await claim(T0 + 500, both(10));
    expect(first.map((d) => d.event)).toEqual([e1.id, e1.id]);
    expect(new Set(first.map((d) => d.endpoint))).toEqual(new Set([a.id, b.id]));
    expect(await claim(T0 + 500, both(10))).toEqual([]);
    const onlyA = await claim(T0 + 2000, [[a.id, 10]]);
    expect(onlyA.map((d) => [d.event, d.endpoint])).toEqual([[e2.id, a.id]]);
    await store.releaseDeliveries(first.map((d) => d.id));
    expect(await claim(T0 + 2000, both(10))).toHaveLength(3);
    expect(await store.releaseAllLeases()).toBe(4);
    expect(await store.releaseAllLeases()).toBe(0);
    // A hint, not a promise: where leases live in memory (SQLite) it also names endpoints whose
    // due rows are all leased, so it is checked with none leased.
    expect(byEndpoint(await store.dueEndpoints(T0 + 2000))).toEqual([{ endpoint: first1, due: T0, controlled: false }, { endpoint: first2, due: T0, controlled: false }]);
    // Each endpoint's limit holds on its own, oldest due first.
    const oldest = await claim(T0 + 2000, [[a.id, 1], [b.id, 0]]);
    expect(oldest.map((d) => [d.event, d.endpoint])).toEqual([[e1.id, a.id]]);
    const onePerEndpoint = await claim(T0 + 2000, both(1));
    expect(onePerEndpoint.map((d) => [d.event, d.endpoint])).toEqual([[e1.id, b.id], [e2.id, a.id]]);
    expect(await claim(T0 + 2000 + LEASE, both(10))).toHaveLength(4); // every lease has run out or was released
    await store.releaseAllLeases();

    const d1 = (await store.findDelivery(e1.id, a.id))!;
    const d2 = (await store.findDelivery(e1.id, b.id))!;
    expect(d1).toMatchObject({ status: 'pending', attemptCount: 0, workspace: ws.id, live: false, type: 'customer.created' });
    expect(await store.findDelivery(e1.id, newId('we'))).toBeNull();
    const result = (d: Delivery, at: Attempt | null, status: Delivery['status'], next: number | null, etag: string, disable = false) => ({
      delivery: d.id, attempt: at, workspace: ws.id, live: false, endpoint: d.endpoint, status, nextAttemptAt: next, etag, disableEndpoint: disable,
    });
    const ok = attempt(d1.id, T0 + 3000, true);
    const failed = attempt(d2.id, T0 + 3000, false);
    expect(await store.recordResults([result(d1, ok, 'succeeded', null, 'd1-2'), result(d2, failed, 'pending', T0 + 8000, 'd2-2')], T0 + 3100)).toEqual([]);
    // The same batch written again (its commit's answer was lost, so the writer retried it) changes nothing.
    expect(await store.recordResults([result(d1, ok, 'succeeded', null, 'd1-2'), result(d2, failed, 'pending', T0 + 8000, 'd2-2')], T0 + 3200)).toEqual([]);
    expect(await store.getDelivery(mode, d1.id)).toMatchObject({ status: 'succeeded', attemptCount: 1, nextAttemptAt: null, lastAttemptAt: T0 + 3000, etag: 'd1-2', updated: T0 + 3100, attempts: [ok] });
    expect(await store.getDelivery(mode, d2.id)).toMatchObject({ status: 'pending', attemptCount: 1, nextAttemptAt: T0 + 8000, attempts: [failed] });
    expect(await store.getDelivery({ ...mode, live: true }, d1.id)).toBeNull();
    let eps = await store.getEndpointsByIds([a.id, b.id, newId('we')]);
    expect([eps.size, eps.get(a.id)?.failingSince, eps.get(b.id)?.failingSince]).toEqual([2, null, T0 + 3100]);

    // A manual attempt is recorded but does not count against the schedule; a later failure keeps the run's start.
    const manual = attempt(d1.id, T0 + 4000, true, true);
    const again = attempt(d2.id, T0 + 8000, false);
    const disabled = await store.recordResults([result(d1, manual, 'succeeded', null, 'd1-3'), result(d2, again, 'failed', null, 'd2-3', true)], T0 + 8100);
    expect(disabled).toEqual([b.id]);
    expect(await store.getDelivery(mode, d1.id)).toMatchObject({ attemptCount: 1, attempts: [ok, manual] });
    eps = await store.getEndpointsByIds([b.id]);
    expect(eps.get(b.id)).toMatchObject({ status: 'disabled', failingSince: T0 + 3100, etag: 'd2-3' });
    expect(await store.getEndpointsByIds([])).toEqual(new Map());

    const events = await store.getEventsByIds([e1.id, e2.id, newId('evt')]);
    expect([...events.keys()].sort()).toEqual([e1.id, e2.id].sort());
    expect(events.get(e2.id)).toEqual(e2);

    const list = await store.listDeliveries(mode, { limit: 10, sort: 'asc', endpoint: b.id });
    expect(list.items.map((d) => d.event)).toEqual([e1.id, e2.id]);
    expect(list.items[0]!.attempts).toEqual([failed, again]);
    expect((await store.listDeliveries(mode, { limit: 10, sort: 'asc', status: 'failed' })).items.map((d) => d.id)).toEqual([d2.id]);
    expect((await store.listDeliveries(mode, { limit: 10, sort: 'asc', event: e2.id, types: ['customer.updated'] })).items).toHaveLength(2);
    const page = await store.listDeliveries(mode, { limit: 3, sort: 'desc' });
    const rest = await store.listDeliveries(mode, { limit: 3, sort: 'desc', after: page.next! });
    expect([page.items.length, rest.items.length, rest.next]).toEqual([3, 1, null]);
    expect((await store.listDeliveries({ ...mode, live: true }, { limit: 10, sort: 'asc' })).items).toEqual([]);

    const c = endpoint(mode);
    await store.createEndpoint(c);
    const inserted: Delivery = {
      id: newId('wh', T0 + 9000), event: e1.id, endpoint: c.id, workspace: ws.id, live: false, type: e1.type, status: 'pending',
      attemptCount: 0, nextAttemptAt: T0 + 9000, lastAttemptAt: null, created: T0 + 9000, updated: T0 + 9000, etag: 'ins', attempts: [], replayed: false, sequence: null,
    };
    await store.insertDelivery(inserted);
    expect(await store.findDelivery(e1.id, c.id)).toEqual(inserted);

    // Recover puts failed deliveries created in [since, until) back in the queue, as a changed object.
    expect(await store.recoverDeliveries(mode, b.id, T0 + 1, T0 + 10_000, T0 + 20_000)).toBe(0);
    expect(await store.recoverDeliveries({ ...mode, live: true }, b.id, T0, T0 + 1, T0 + 20_000)).toBe(0);
    expect(await store.recoverDeliveries(mode, b.id, T0, T0 + 1, T0 + 20_000)).toBe(1);
    const recovered = (await store.getDelivery(mode, d2.id))!;
    expect(recovered).toMatchObject({ status: 'pending', attemptCount: 0, nextAttemptAt: T0 + 20_000, updated: T0 + 20_000 });
    expect(recovered.etag).not.toBe('d2-3');

    // Deleting an endpoint ends what is still queued for it.
    expect(await store.deleteEndpoint(mode, c.id, undefined, T0 + 21_000)).toBe(true);
    const ended = await store.findDelivery(e1.id, c.id);
    expect(ended).toMatchObject({ status: 'failed', nextAttemptAt: null, updated: T0 + 21_000 });
    expect(ended?.etag).not.toBe('ins');

    expect(await store.pruneBefore(T0 + 500)).toBe(1);
    expect(await store.pruneBefore(T0 + 500)).toBe(0);
    expect(await store.getEvent(mode, e1.id)).toBeNull();
    expect(await store.getDelivery(mode, d1.id)).toBeNull();
    expect(await store.countDeliveries(e1.id)).toBe(0);
    expect(await store.countDeliveries(e2.id)).toBe(2);
    expect((await store.listDeliveries(mode, { limit: 10, sort: 'asc' })).items.map((d) => d.event)).toEqual([e2.id, e2.id]);
  });
});

describe.skipIf(TEST_STORE !== 'sqlite')('SQLite store on disk', () => {
  it('keeps secrets and tokens sealed in the file, and data across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
    const file = join(dir, 'hookd.db');
    const box = createSecretBox(randomBytes(32));
    try {
      let store = await openSqliteStore({ file, box });
      const ws = workspace();
      await store.createWorkspace(ws, []);
      const rolled = newWebhookSecret();
      const ep = endpoint({ workspace: ws.id, live: false }, { token: 'customer-bearer-token-123', previousSecrets: [{ secret: rolled, expires: T0 + HOUR }] });
      await store.createEndpoint(ep);
      await store.close();

      const raw = new Database(file, { readonly: true });
      try {
        const row = raw.prepare('SELECT secret, token FROM endpoints WHERE id = ?').get(ep.id) as { secret: string; token: string };
        expect(row.secret).not.toContain(ep.secret);
        expect(row.secret).not.toContain(ep.secret.slice(5)); // nor the base64 part alone
        expect(row.token).not.toContain('customer-bearer-token-123');
      } finally {
        raw.close();
      }
      const bytes = readFileSync(file).toString('latin1');
      expect(bytes).not.toContain(ep.secret.slice(5));
      expect(bytes).not.toContain('customer-bearer-token-123');
      expect(bytes).not.toContain(rolled.slice(5));

      // The lock went with close(): the file opens again, with the same (decryptable) data.
      store = await openSqliteStore({ file, box });
      try {
        expect(await store.getEndpoint({ workspace: ws.id, live: false }, ep.id)).toEqual(ep);
      } finally {
        await store.close();
      }
      await expect(openSqliteStore({ file, box: createSecretBox(randomBytes(32)) })
        .then(async (s) => { try { return await s.getEndpoint({ workspace: ws.id, live: false }, ep.id); } finally { await s.close(); } }))
        .rejects.toThrow(/cannot be decrypted/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('seals the idempotent answers an earlier hookd kept in plain text when it migrates, and replays them unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
    const file = join(dir, 'hookd.db');
    const box = createSecretBox(randomBytes(32));
    const since = T0 - 24 * HOUR;
    const kept = (secret: string) => JSON.stringify({ id: 'we_1', secret });
    /** What a hookd from before sealed answers wrote: the answer as it is. */
    const keepPlain = (key: string, body: string) => {
      const raw = new Database(file);
      try {
        raw.prepare('INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body, created) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run('ws:wksp_1:false|wksp_1:false', key, 'fp', 201, '{"content-type":"application/json"}', body, T0);
      } finally {
        raw.close();
      }
    };
    /** The file as a hookd from before 0005 left it: every later migration undone. */
    const beforeSealing = async () => {
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
      try {
        await migrateTo(db, box, '0004-key-generation');
      } finally {
        await db.destroy();
      }
    };
    const bodyOf = (key: string) => {
      const raw = new Database(file, { readonly: true });
      try {
        return (raw.prepare('SELECT body FROM idempotency_keys WHERE key = ?').get(key) as { body: string }).body;
      } finally {
        raw.close();
      }
    };
    const replay = async (key: string) => {
      const store = await openSqliteStore({ file, box });
      try {
        return await store.beginIdempotent('ws:wksp_1:false|wksp_1:false', key, 'fp', T0 + 1, since);
      } finally {
        await store.close();
      }
    };
    try {
      await (await openSqliteStore({ file, box })).close();
      // As if the file came from before 0005: the migration runs when the store next opens.
      const before = kept(newWebhookSecret());
      await beforeSealing();
      keepPlain('before-upgrade', before);
      expect(await replay('before-upgrade')).toEqual({ state: 'replay', response: { status: 201, headers: { 'content-type': 'application/json' }, body: before } });
      expect(bodyOf('before-upgrade')).toMatch(/^v2\./);
      expect(box.open(bodyOf('before-upgrade'))).toBe(before);
      // One an older process kept after the migration (a rolling upgrade) still replays as it is.
      const during = kept(newWebhookSecret());
      keepPlain('during-upgrade', during);
      expect(await replay('during-upgrade')).toMatchObject({ state: 'replay', response: { body: during } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

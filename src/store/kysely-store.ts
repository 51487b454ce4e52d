/**
 * The Store built on kysely: the queries in sql/ serve both dialects; sqlite/ and postgres/
 * only open the connection and say which of their errors mean "the database is unavailable".
 */
import type { Kysely } from 'kysely';
import { HookdError } from '../domain/errors.js';
import type { Database } from './schema.js';
import type { SecretBox } from './secret-box.js';
import * as deliveries from './sql/deliveries.js';
import * as queue from './sql/claim.js';
import * as endpoints from './sql/endpoints.js';
import * as events from './sql/events.js';
import type { BatchWrites } from './sql/batch-writes.js';
import * as eventTypes from './sql/event-types.js';
import * as idempotency from './sql/idempotency.js';
import * as operations from './sql/operations.js';
import * as dashboardStats from './sql/dashboard-stats.js';
import * as workspaces from './sql/workspaces.js';
import type { ClaimOptions, Store } from './types.js';
import type { Delivery } from '../domain/types.js';
import { endpointFromRow, eventFromRow } from './sql/rows.js';
import { createPublishGroup } from './publish-group.js';
import { decorateStore } from './decorate.js';

export interface KyselyStoreOptions {
  dialect: Store['dialect'];
  db: Kysely<Database>;
  /** Where the dispatcher's queries run (claims, their reads, outcomes, releases), when not on `db` (postgres/index.ts). */
  queueDb?: Kysely<Database>;
  box: SecretBox;
  /** Maps a driver error to a HookdError when it means the store cannot answer, else undefined. */
  classifyError: (err: unknown) => HookdError | undefined;
  onClose?: () => Promise<void> | void;
  /** The dialect's claim query (sqlite/claim.ts, postgres/claim.ts). */
  claim: (db: Kysely<Database>, options: ClaimOptions) => Promise<Delivery[]>;
  /** Where `claim` keeps its leases when not in the rows (SQLite's single owner keeps them in memory). */
  memoryLeases?: { release(ids: string[]): void; releaseAll(): number };
  /** Wakes the dispatchers of other processes: deliveries are due for these endpoints (PostgreSQL NOTIFY); absent for SQLite's single process. */
  wake?: (endpoints: string[]) => Promise<void>;
  /** Where this process hears those wakes (PostgreSQL LISTEN). */
  onWake?: Store['onWake'];
  /**
   * ms from an event's acceptance to its deliveries' first attempt: HOOKD_RETRY_SCHEDULE's first
   * entry (docs/delivery.md), exact. Default 0: due at once.
   */
  firstAttemptDelay?: number;
  /** Publish groups committing at once (publish-group.ts). */
  publishConcurrency: number;
  /**
   * Makes everything committed so far durable (SQLite: an fdatasync of the WAL off the main
   * thread, sqlite/wal-sync.ts); awaited after each write the API answers for. Absent where a
   * commit is durable by itself (PostgreSQL) or nothing is (an in-memory database).
   */
  syncCommitted?: () => Promise<void>;
  /** How the publish and result transactions write many rows, when the dialect has a faster way than the portable batches (sqlite/prepared-writes.ts). */
  batchWrites?: BatchWrites;
}

export function createKyselyStore(options: KyselyStoreOptions): Store {
  const { dialect, db, queueDb = db, box, classifyError, onClose, claim, memoryLeases, wake, onWake, publishConcurrency, syncCommitted, batchWrites, firstAttemptDelay } = options;
  // A failed wake only costs latency (workers also poll), never the write itself.
  const wakeOthers = async (endpoints: string[]) => {
    await wake?.(endpoints).catch(() => undefined);
  };
  // The openers (sqlite/, postgres/) migrate before they build the store, so the migration
  // table read now lists every migration this build knows: /ready checks they stay applied.
  const openedWith = operations.appliedMigrations(db).catch(() => [] as string[]);
  const publishGroup = createPublishGroup({
    write: async (list) => {
      const results = await events.publishEvents(db, list, batchWrites, firstAttemptDelay);
      await syncCommitted?.();
      return results;
    },
    onCommitted: wakeOthers, concurrency: publishConcurrency,
  });
  const store: Store = {
    dialect,
    async ping() {
      await db.selectFrom('settings').select('name').limit(1).execute();
    },
    async close() {
      await db.destroy();
      await onClose?.();
    },

    async getSetting(name) {
      const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
      return row?.value ?? null;
    },
    async putSettingIfAbsent(name, value) {
      await db.insertInto('settings').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return row.value;
    },

    createWorkspace: (ws, keys) => workspaces.createWorkspace(db, ws, keys),
    getWorkspace: (id) => workspaces.getWorkspace(db, id),
    listWorkspaces: (options) => workspaces.listWorkspaces(db, options),
    rollWorkspaceKeys: (id, keys, expire, etag, now) => workspaces.rollWorkspaceKeys(db, id, keys, expire, etag, now),
    listApiKeys: (workspace, now) => workspaces.listApiKeys(db, workspace, now),
    findApiKey: (hash) => workspaces.findApiKey(db, hash),
    keyGenerations: (ids) => workspaces.keyGenerations(db, ids),

    seedEventTypes: (types) => eventTypes.seedEventTypes(db, types),
    createEventType: (type) => eventTypes.createEventType(db, type),
    getEventType: (name) => eventTypes.getEventType(db, name),
    listEventTypes: (options) => eventTypes.listEventTypes(db, options),
    eventTypeNames: () => eventTypes.eventTypeNames(db),

    createEndpoint: (endpoint) => endpoints.createEndpoint(db, box, endpoint),
    getEndpoint: (mode, id) => endpoints.getEndpoint(db, box, mode, id),
    listEndpoints: (mode, options) => endpoints.listEndpoints(db, box, mode, options),
    countEndpoints: (mode) => endpoints.countEndpoints(db, mode),
    updateEndpoint: (endpoint, etag) => endpoints.updateEndpoint(db, box, endpoint, etag),
    deleteEndpoint: (mode, id, etag, now) => endpoints.deleteEndpoint(db, mode, id, etag, now),
    reencryptSecrets: async () => ({ endpoints: await endpoints.reencryptSecrets(db, box), answers: await idempotency.reencryptAnswers(db, box) }),

    publishEvent: (event) => publishGroup.publish(event),
    getEvent: (mode, id) => events.getEvent(db, mode, id),
    listEvents: (mode, options) => events.listEvents(db, mode, options),
    redactEvent: (mode, id, redaction, etag, now, expected) => events.redactEvent(db, mode, id, redaction, etag, now, expected),
    countDeliveries: (eventId) => events.countDeliveries(db, eventId),

    claimDeliveries: (options) => claim(queueDb, options),
    dueEndpoints: (now) => queue.dueEndpoints(queueDb, now),
    async releaseDeliveries(ids) {
      if (memoryLeases) memoryLeases.release(ids);
      else await deliveries.releaseDeliveries(queueDb, ids);
    },
    // Rows may hold leases written by an earlier version even where leases now live in memory.
    releaseAllLeases: async () => (memoryLeases?.releaseAll() ?? 0) + await deliveries.releaseAllLeases(db),
    async recordResults(results, now) {
      const disabled = await deliveries.recordResults(queueDb, results, now, batchWrites);
      memoryLeases?.release(results.map((r) => r.delivery));
      return disabled;
    },
    async getEventsByIds(ids) {
      const rows = ids.length === 0 ? [] : await queueDb.selectFrom('events').selectAll().where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, eventFromRow(r)]));
    },
    async getEndpointsByIds(ids) {
      const rows = ids.length === 0 ? [] : await queueDb.selectFrom('endpoints').selectAll().where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, endpointFromRow(r, box)]));
    },
    listDeliveries: (mode, options) => deliveries.listDeliveries(db, mode, options),
    getDelivery: (mode, id) => deliveries.getDelivery(db, mode, id),
    findDelivery: (eventId, endpointId) => deliveries.findDelivery(db, eventId, endpointId),
    insertDelivery: (delivery) => deliveries.insertDelivery(db, delivery),
    async recoverDeliveries(mode, endpoint, since, until, now) {
      const recovered = await deliveries.recoverDeliveries(db, mode, endpoint, since, until, now);
      if (recovered > 0) await wakeOthers([endpoint]);
      return recovered;
    },
    onWake,
    pruneBefore: (before) => deliveries.pruneBefore(db, before),
    countPendingDeliveries: () => operations.countPendingDeliveries(db),
    countFailingEndpoints: () => operations.countFailingEndpoints(db),
    deliveryHealth: (scope, options) => operations.deliveryHealth(db, scope, options),
    async missingMigrations() {
      const [opened, now] = await Promise.all([openedWith, operations.appliedMigrations(db)]);
      return opened.filter((name) => !now.includes(name));
    },
    endpointStats: (mode, window) => dashboardStats.endpointStats(db, mode, window),
    attemptHours: (mode, window) => dashboardStats.attemptHours(db, mode, window),
    deliveryHours: (mode, window) => dashboardStats.deliveryHours(db, mode, window),

    beginIdempotent: (scope, key, fp, now, since) => idempotency.beginIdempotent(db, box, scope, key, fp, now, since),
    completeIdempotent: (scope, key, response) => idempotency.completeIdempotent(db, box, scope, key, response),
    abandonIdempotent: (scope, key) => idempotency.abandonIdempotent(db, scope, key),
    pruneIdempotency: (before) => idempotency.pruneIdempotency(db, before),
  };
  return withErrorClassification(syncCommitted ? withDurableWrites(store, syncCommitted) : store, classifyError);
}

/** The writes a caller is told succeeded (besides publishes, synced in their group). */
const DURABLE_WRITES = [
  'putSettingIfAbsent', 'createWorkspace', 'rollWorkspaceKeys', 'seedEventTypes', 'createEventType', 'createEndpoint', 'updateEndpoint',
  'deleteEndpoint', 'reencryptSecrets', 'redactEvent', 'insertDelivery', 'recoverDeliveries', 'completeIdempotent',
] as const satisfies readonly (keyof Store)[];

/**
 * Each write above resolves only once it is durable. Delivery outcomes and leases are not in
 * the list: losing the last of them to a power cut only sends a delivery again, which
 * at-least-once allows.
 */
function withDurableWrites(store: Store, sync: () => Promise<void>): Store {
  const durable = new Set<keyof Store>(DURABLE_WRITES);
  return decorateStore(store, (name, write) => (!durable.has(name) ? write : async (...args) => {
    const result = await write(...args);
    await sync();
    return result;
  }));
}

/** Every method rethrows driver errors that mean "unavailable" as one `store_unavailable` HookdError. */
function withErrorClassification(store: Store, classify: (err: unknown) => HookdError | undefined): Store {
  return decorateStore(store, (_name, method) => async (...args) => {
    try {
      return await method(...args);
    } catch (err) {
      if (err instanceof HookdError) throw err;
      throw classify(err) ?? err;
    }
  });
}

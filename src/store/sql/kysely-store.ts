/**
 * The Store built on kysely, for both dialects: composed from each resource's query set
 * (resources/<name>/queries.ts) and the store-level ones (idempotency, operations, and the
 * dispatcher's queue: claim.ts, results.ts), with what ties them together here: the publish
 * group, waking other processes' dispatchers, the leases a dialect keeps in memory, durable writes and
 * error classification. sqlite/ and postgres/ only open the connection and pass what differs.
 */
import type { Kysely } from 'kysely';
import { HookdError } from '../../domain/errors.js';
import { deliveryQueries, recoverDeliveries } from '../../resources/deliveries/queries.js';
import { endpointQueries, reencryptSecrets } from '../../resources/endpoints/queries.js';
import { replayDeliveries } from '../../resources/endpoints/replay-queries.js';
import { eventTypeQueries } from '../../resources/event-types/queries.js';
import { eventQueries, publishEvents } from '../../resources/events/queries.js';
import { statsQueries } from '../../resources/stats/queries.js';
import { workspaceQueries } from '../../resources/workspaces/queries.js';
import type { BatchWrites } from '../batch-writes.js';
import { decorateStore } from '../decorate.js';
import { idempotencyQueries, reencryptAnswers } from '../idempotency.js';
import type { Database } from '../schema.js';
import type { SecretBox } from '../secret-box.js';
import type { ClaimOptions, ClaimResult, Store } from '../types.js';
import { dueEndpoints } from './claim.js';
import { operationQueries } from './operations.js';
import { createPublishGroup } from './publish-group.js';
import * as results from './results.js';

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
  claim: (db: Kysely<Database>, options: ClaimOptions) => Promise<ClaimResult>;
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
  const publishGroup = createPublishGroup({
    write: async (list) => {
      const results = await publishEvents(db, list, batchWrites, firstAttemptDelay);
      await syncCommitted?.();
      return results;
    },
    onCommitted: wakeOthers, concurrency: publishConcurrency,
  });
  const { updateEndpoint: endpointUpdate } = endpointQueries(db, queueDb, box, dialect);
  const store: Store = {
    dialect,
    async close() {
      await db.destroy();
      await onClose?.();
    },
    ...operationQueries(db),
    ...idempotencyQueries(db, box),
    ...workspaceQueries(db),
    ...eventTypeQueries(db),
    ...endpointQueries(db, queueDb, box, dialect),
    async updateEndpoint(endpoint, etag) {
      const updated = await endpointUpdate(endpoint, etag);
      // Other processes' dispatchers learn of an enabled endpoint's queue now, not at their next discovery.
      if (updated && endpoint.status === 'enabled') await wakeOthers([endpoint.id]);
      return updated;
    },
    reencryptSecrets: async () => ({ endpoints: await reencryptSecrets(db, box), answers: await reencryptAnswers(db, box) }),

    publishEvent: (event) => publishGroup.publish(event),
    ...eventQueries(db, queueDb),

    claimDeliveries: (options) => claim(queueDb, options),
    dueEndpoints: (now) => dueEndpoints(queueDb, now),
    async releaseDeliveries(ids) {
      if (memoryLeases) memoryLeases.release(ids);
      else await results.releaseDeliveries(queueDb, ids);
    },
    // Rows may hold leases written by an earlier version even where leases now live in memory.
    releaseAllLeases: async () => (memoryLeases?.releaseAll() ?? 0) + await results.releaseAllLeases(db),
    async recordResults(outcomes, now) {
      const disabled = await results.recordResults(queueDb, outcomes, now, batchWrites);
      memoryLeases?.release(outcomes.map((r) => r.delivery));
      return disabled;
    },
    ...deliveryQueries(db),
    async recoverDeliveries(mode, endpoint, since, until, now) {
      const recovered = await recoverDeliveries(db, mode, endpoint, since, until, now);
      if (recovered > 0) await wakeOthers([endpoint]);
      return recovered;
    },
    async replayDeliveries(mode, replay) {
      const result = await replayDeliveries(db, dialect, mode, replay);
      if (result.queued > 0) await wakeOthers([replay.endpoint]);
      return result;
    },
    onWake,
    ...statsQueries(db),
  };
  return withErrorClassification(syncCommitted ? withDurableWrites(store, syncCommitted) : store, classifyError);
}

/** The writes a caller is told succeeded (besides publishes, synced in their group). */
const DURABLE_WRITES = [
  'putSettingIfAbsent', 'createWorkspace', 'rollWorkspaceKeys', 'seedEventTypes', 'createEventType', 'createEndpoint', 'updateEndpoint',
  'deleteEndpoint', 'reencryptSecrets', 'redactEvent', 'insertDelivery', 'recoverDeliveries', 'replayDeliveries',
  'completeIdempotent',
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

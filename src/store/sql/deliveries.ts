/**
 * Delivery rows and their attempts: what the dispatcher writes after sending, and what
 * `GET /v1/webhooks` reads. Claiming lives in claim.ts.
 */
import { type Kysely, type Selectable } from 'kysely';
import type { Attempt, Delivery, DeliveryStatus, Mode, Page } from '../../domain/types.js';
import type { AttemptsTable, Database, DeliveriesTable } from '../schema.js';
import type { DeliveryListOptions, DeliveryResult } from '../types.js';
import { fetchPage } from './pagination.js';
import { randomToken } from '../../domain/ids.js';
import { bit } from './rows.js';
import { portableWrites, type BatchWrites, type OutcomeRow } from './batch-writes.js';

export function attemptFromRow(r: Selectable<AttemptsTable>): Attempt {
  return {
    id: r.id, delivery: r.delivery, manual: r.manual === 1, url: r.url, attempted: Number(r.attempted), request: r.request,
    code: r.code, response: r.response, time: r.time, successful: r.successful === 1, error: r.error,
  };
}

export function deliveryFromRow(r: Selectable<DeliveriesTable>, attempts: Attempt[] = []): Delivery {
  return {
    id: r.id, event: r.event, endpoint: r.endpoint, workspace: r.workspace, live: r.live === 1, type: r.type,
    status: r.status as DeliveryStatus, attemptCount: r.attempts, nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    lastAttemptAt: r.last_attempt_at === null ? null : Number(r.last_attempt_at),
    created: Number(r.created), updated: Number(r.updated), etag: r.etag, attempts,
  };
}

async function withAttempts(db: Kysely<Database>, rows: Selectable<DeliveriesTable>[]): Promise<Map<string, Attempt[]>> {
  const byDelivery = new Map<string, Attempt[]>();
  if (rows.length === 0) return byDelivery;
  const attempts = await db.selectFrom('attempts').selectAll()
    .where('delivery', 'in', rows.map((r) => r.id))
    .orderBy('attempted', 'asc').orderBy('id', 'asc')
    .execute();
  for (const a of attempts) {
    const list = byDelivery.get(a.delivery) ?? [];
    list.push(attemptFromRow(a));
    byDelivery.set(a.delivery, list);
  }
  return byDelivery;
}

/**
 * One transaction for a whole batch of outcomes: a commit is a WAL write on SQLite and several
 * round trips on PostgreSQL, so one commit per attempt would cap delivery at a few hundred per
 * second; batching amortises it across every result in the batch.
 */
export async function recordResults(db: Kysely<Database>, results: DeliveryResult[], now: number, writes: BatchWrites = portableWrites): Promise<string[]> {
  if (results.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    const attempts: AttemptsTable[] = [];
    const outcomes: OutcomeRow[] = [];
    for (const r of results) {
      const a = r.attempt;
      outcomes.push({
        delivery: r.delivery, status: r.status, counted: a !== null && !a.manual ? 1 : 0, nextAttemptAt: r.nextAttemptAt,
        attempted: a?.attempted ?? null, etag: r.etag,
      });
      if (!a) continue;
      attempts.push({
        id: a.id, delivery: a.delivery, workspace: r.workspace, live: bit(r.live), manual: bit(a.manual), url: a.url, attempted: a.attempted,
        request: a.request, code: a.code, response: a.response, time: a.time, successful: bit(a.successful), error: a.error,
      });
    }
    await writes.insertRows(tx, 'attempts', attempts);
    await writes.updateOutcomes(tx, outcomes, now);
    // Endpoint health: the first failure of a run starts the clock, any success stops it.
    const tried = results.filter((r) => r.attempt);
    const succeeded = [...new Set(tried.filter((r) => r.attempt!.successful).map((r) => r.endpoint))];
    const failed = [...new Set(tried.filter((r) => !r.attempt!.successful).map((r) => r.endpoint))].filter((e) => !succeeded.includes(e));
    // Only rows that change: rewriting every healthy endpoint's row on every batch was a dead
    // tuple per endpoint per batch on PostgreSQL and a dirtied page in each SQLite commit.
    if (succeeded.length > 0) {
      await tx.updateTable('endpoints').set({ failing_since: null })
        .where('id', 'in', succeeded).where('failing_since', 'is not', null).execute();
    }
    if (failed.length > 0) {
      await tx.updateTable('endpoints').set({ failing_since: now })
        .where('id', 'in', failed).where('failing_since', 'is', null).execute();
    }
    const disabled: string[] = [];
    for (const r of results) {
      if (!r.disableEndpoint || disabled.includes(r.endpoint)) continue;
      const changed = await tx.updateTable('endpoints').set({ status: 'disabled', updated: now, etag: r.etag })
        .where('id', '=', r.endpoint).where('status', '=', 'enabled').executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 1) disabled.push(r.endpoint);
    }
    return disabled;
  });
}

export async function releaseDeliveries(db: Kysely<Database>, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db.updateTable('deliveries').set({ locked_until: null }).where('id', 'in', ids.slice(i, i + 500)).execute();
  }
}

export async function releaseAllLeases(db: Kysely<Database>): Promise<number> {
  const result = await db.updateTable('deliveries').set({ locked_until: null }).where('locked_until', 'is not', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function listDeliveries(db: Kysely<Database>, mode: Mode, options: DeliveryListOptions): Promise<Page<Delivery>> {
  let query = db.selectFrom('deliveries').selectAll()
    .where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live));
  if (options.endpoint) query = query.where('endpoint', '=', options.endpoint);
  if (options.event) query = query.where('event', '=', options.event);
  if (options.types && options.types.length > 0) query = query.where('type', 'in', options.types);
  if (options.status) query = query.where('status', '=', options.status);
  const page = await fetchPage(query, options, 'id', (row) => row);
  const attempts = await withAttempts(db, page.items);
  return { items: page.items.map((r) => deliveryFromRow(r, attempts.get(r.id) ?? [])), next: page.next };
}

export async function getDelivery(db: Kysely<Database>, mode: Mode, id: string): Promise<Delivery | null> {
  const row = await db.selectFrom('deliveries').selectAll()
    .where('id', '=', id).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
    .executeTakeFirst();
  if (!row) return null;
  return deliveryFromRow(row, (await withAttempts(db, [row])).get(row.id) ?? []);
}

export async function findDelivery(db: Kysely<Database>, eventId: string, endpointId: string): Promise<Delivery | null> {
  const row = await db.selectFrom('deliveries').selectAll().where('event', '=', eventId).where('endpoint', '=', endpointId).executeTakeFirst();
  return row ? deliveryFromRow(row) : null;
}

export async function insertDelivery(db: Kysely<Database>, d: Delivery): Promise<void> {
  await db.insertInto('deliveries').values({
    id: d.id, event: d.event, endpoint: d.endpoint, workspace: d.workspace, live: bit(d.live), type: d.type, status: d.status,
    attempts: d.attemptCount, next_attempt_at: d.nextAttemptAt, locked_until: null, last_attempt_at: d.lastAttemptAt,
    created: d.created, updated: d.updated, etag: d.etag,
  }).execute();
}

/** Puts an endpoint's failed deliveries created in [since, until) back in the queue with a fresh schedule. */
export async function recoverDeliveries(db: Kysely<Database>, mode: Mode, endpoint: string, since: number, until: number, now: number): Promise<number> {
  const result = await db.updateTable('deliveries')
    // A new etag: the record changed, so a client's If-None-Match copy must not get a 304.
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_until: null, updated: now, etag: randomToken() })
    .where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live)).where('endpoint', '=', endpoint)
    .where('status', '=', 'failed').where('created', '>=', since).where('created', '<', until)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Retention: events, deliveries and attempts created before `before`; returns how many events went. */
export async function pruneBefore(db: Kysely<Database>, before: number, batch = 5_000): Promise<number> {
  // In batches, so that a first prune of a large store never holds the write lock for long.
  const old = await db.selectFrom('events').select('id').where('created', '<', before).limit(batch).execute();
  if (old.length === 0) return 0;
  const ids = old.map((r) => r.id);
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < ids.length; i += 500) {
      const slice = ids.slice(i, i + 500);
      const deliveries = await tx.selectFrom('deliveries').select('id').where('event', 'in', slice).execute();
      const dIds = deliveries.map((d) => d.id);
      for (let j = 0; j < dIds.length; j += 500) {
        await tx.deleteFrom('attempts').where('delivery', 'in', dIds.slice(j, j + 500)).execute();
        await tx.deleteFrom('deliveries').where('id', 'in', dIds.slice(j, j + 500)).execute();
      }
      await tx.deleteFrom('events').where('id', 'in', slice).execute();
    }
  });
  return ids.length;
}

/**
 * Delivery rows and their attempts as `GET /v1/webhooks` and a manual send read and write them:
 * rows, mapping, and the Store methods they serve. The dispatcher's side (claims, outcomes,
 * leases) is store-level: store/sql/claim.ts and store/sql/results.ts.
 */
import type { Kysely, Selectable } from 'kysely';
import { randomToken } from '../../domain/ids.js';
import type { Attempt, Delivery, DeliveryStatus, Mode, Page } from '../../domain/types.js';
import { bit, isSet } from '../../store/columns.js';
import { fetchPage } from '../../store/pagination.js';
import type { AttemptsTable, Database, DeliveriesTable } from '../../store/schema.js';
import type { DeliveryListOptions, Store } from '../../store/types.js';

function attemptFromRow(r: Selectable<AttemptsTable>): Attempt {
  return {
    id: r.id, delivery: r.delivery, manual: isSet(r.manual), url: r.url, attempted: Number(r.attempted), request: r.request,
    code: r.code, response: r.response, time: r.time, successful: isSet(r.successful), error: r.error,
  };
}

export function deliveryFromRow(r: Selectable<DeliveriesTable>, attempts: Attempt[] = []): Delivery {
  return {
    id: r.id, event: r.event, endpoint: r.endpoint, workspace: r.workspace, live: isSet(r.live), type: r.type,
    status: r.status as DeliveryStatus, attemptCount: r.attempts, nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    lastAttemptAt: r.last_attempt_at === null ? null : Number(r.last_attempt_at),
    created: Number(r.created), updated: Number(r.updated), etag: r.etag, attempts,
    // Claims read the columns the dispatcher needs, without `replay`: undefined there.
    replayed: r.replay !== null && r.replay !== undefined,
    sequence: r.sequence === null || r.sequence === undefined ? null : Number(r.sequence),
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

/** This resource's part of the Store (store/sql/kysely-store.ts composes the parts). */
export function deliveryQueries(db: Kysely<Database>): Pick<Store, 'listDeliveries' | 'getDelivery' | 'findDelivery' | 'insertDelivery'> {
  return {
    listDeliveries: (mode, options) => listDeliveries(db, mode, options),
    getDelivery: (mode, id) => getDelivery(db, mode, id),
    findDelivery: (eventId, endpointId) => findDelivery(db, eventId, endpointId),
    insertDelivery: (delivery) => insertDelivery(db, delivery),
  };
}

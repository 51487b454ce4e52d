/**
 * Delivery rows and their attempts as `GET /v1/webhooks` and a manual send read and write them:
 * rows, mapping, and the Store methods they serve. The dispatcher's side (claims, outcomes,
 * leases) is store-level: store/sql/claim.ts and store/sql/results.ts.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { randomToken } from '../../domain/ids.js';
import type { Attempt, Delivery, DeliveryStatus, Mode, Page } from '../../domain/types.js';
import { bit, isSet } from '../../store/columns.js';
import { headPlace, placeUnplaced } from '../../store/fifo-order.js';
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

/**
 * Where each FIFO delivery stands in its endpoint's order (docs/delivery.md, "Ordered
 * endpoints"): the head it waits behind while it waits, and the delivery before it when that
 * one was given up on. One index seek per endpoint for the head and one per delivery for the
 * one before it (deliveries_fifo_pending, deliveries_sequence); unordered deliveries cost none.
 */
async function withOrder(db: Kysely<Database>, deliveries: Delivery[]): Promise<Delivery[]> {
  const placed = deliveries.filter((d) => d.sequence !== null);
  if (placed.length === 0) return deliveries;
  const heads = new Map<string, string | null>();
  for (const endpoint of new Set(placed.filter((d) => d.status === 'pending').map((d) => d.endpoint))) {
    const ep = await db.selectFrom('endpoints').select('ordering').where('id', '=', endpoint).executeTakeFirst();
    const head = ep?.ordering !== 'fifo' ? undefined : await db.selectFrom('deliveries').select('id')
      .where('endpoint', '=', endpoint).where('sequence', '=', headPlace(sql`${endpoint}`)).executeTakeFirst();
    heads.set(endpoint, head?.id ?? null);
  }
  for (const d of placed) {
    const head = d.status === 'pending' ? heads.get(d.endpoint) ?? null : null;
    d.waitingBehind = head !== null && head !== d.id ? head : null;
    const before = await db.selectFrom('deliveries').select(['id', 'status'])
      .where('endpoint', '=', d.endpoint).where('sequence', 'is not', null).where('sequence', '<', d.sequence!)
      .orderBy('sequence', 'desc').limit(1).executeTakeFirst();
    d.followsGivenUp = before?.status === 'failed' ? before.id : null;
  }
  return deliveries;
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
  return { items: await withOrder(db, page.items.map((r) => deliveryFromRow(r, attempts.get(r.id) ?? []))), next: page.next };
}

export async function getDelivery(db: Kysely<Database>, mode: Mode, id: string): Promise<Delivery | null> {
  const row = await db.selectFrom('deliveries').selectAll()
    .where('id', '=', id).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
    .executeTakeFirst();
  if (!row) return null;
  const [delivery] = await withOrder(db, [deliveryFromRow(row, (await withAttempts(db, [row])).get(row.id) ?? [])]);
  return delivery!;
}

export async function findDelivery(db: Kysely<Database>, eventId: string, endpointId: string): Promise<Delivery | null> {
  const row = await db.selectFrom('deliveries').selectAll().where('event', '=', eventId).where('endpoint', '=', endpointId).executeTakeFirst();
  return row ? deliveryFromRow(row) : null;
}

export async function insertDelivery(db: Kysely<Database>, d: Delivery): Promise<void> {
  await db.insertInto('deliveries').values({
    id: d.id, event: d.event, endpoint: d.endpoint, workspace: d.workspace, live: bit(d.live), type: d.type, status: d.status,
    attempts: d.attemptCount, next_attempt_at: d.nextAttemptAt, locked_until: null, last_attempt_at: d.lastAttemptAt,
    created: d.created, updated: d.updated, etag: d.etag, sequence: d.sequence,
  }).execute();
}

/** Puts an endpoint's failed deliveries created in [since, until) back in the queue with a fresh schedule. */
/**
 * For a FIFO endpoint, a recovered delivery goes back to its own place in the order, ahead of
 * the later ones still waiting (docs/delivery.md, "Ordered endpoints"); one that never had a
 * place (queued while the endpoint was unordered) gets one at the end.
 */
export async function recoverDeliveries(db: Kysely<Database>, mode: Mode, endpoint: string, since: number, until: number, now: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const result = await tx.updateTable('deliveries')
      // A new etag: the record changed, so a client's If-None-Match copy must not get a 304.
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_until: null, updated: now, etag: randomToken() })
      .where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live)).where('endpoint', '=', endpoint)
      .where('status', '=', 'failed').where('created', '>=', since).where('created', '<', until)
      .executeTakeFirst();
    const recovered = Number(result.numUpdatedRows);
    if (recovered > 0) {
      const ep = await tx.selectFrom('endpoints').select('ordering').where('id', '=', endpoint).executeTakeFirst();
      if (ep?.ordering === 'fifo') await placeUnplaced(tx, endpoint);
    }
    return recovered;
  });
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

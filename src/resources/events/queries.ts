/**
 * Events in the store: the publish transaction with its fan-out, the reads and the redaction,
 * row mapping, and the Store methods they serve (the publish is grouped by store/sql/publish-group.ts).
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import { filterMatches } from '../../domain/event-filter.js';
import { subscriptionCovers } from '../../domain/event-matching.js';
import { newId, randomToken } from '../../domain/ids.js';
import type { EventFilter, EventRedaction, HookdEvent, Mode, Page } from '../../domain/types.js';
import type { Database, DeliveriesTable, EventsTable } from '../../store/schema.js';
import type { EventListOptions, PublishResult, Store } from '../../store/types.js';
import { portableWrites, type BatchWrites } from '../../store/batch-writes.js';
import { bit, fromJson, fromJsonOrNull, isSet, toJson, toJsonOrNull } from '../../store/columns.js';
import { takePlaces } from '../../store/fifo-order.js';
import { fetchPage } from '../../store/pagination.js';

function eventFromRow(r: Selectable<EventsTable>): HookdEvent {
  return {
    id: r.id, workspace: r.workspace, live: isSet(r.live), type: r.type, data: fromJson(r.data), requestId: r.request_id,
    idempotencyKey: r.idempotency_key, redaction: fromJsonOrNull(r.redaction),
    created: Number(r.created), updated: Number(r.updated), etag: r.etag,
  };
}

function eventToRow(e: HookdEvent): EventsTable {
  return {
    id: e.id, workspace: e.workspace, live: bit(e.live), type: e.type, data: toJson(e.data), request_id: e.requestId,
    idempotency_key: e.idempotencyKey, redaction: toJsonOrNull(e.redaction),
    created: e.created, updated: e.updated, etag: e.etag,
  };
}

/**
 * Events and their fan-out commit together or not at all: once the API answers 201, every
 * matching endpoint has a delivery row, whatever crashes next (docs/architecture.md). Matching reads
 * the workspaces' enabled endpoints inside the same transaction, so an endpoint created before
 * the commit is either wholly in or wholly out.
 *
 * Takes a group of events (publish-group.ts gathers concurrent publishes): one transaction and
 * one endpoint read for the group, so that a commit's fsync (SQLite) or round trips
 * (PostgreSQL) are paid per group, not per event. `firstAttemptDelay` is the platform's
 * schedule's entry 0; an endpoint with a schedule of its own uses its own entry 0 (docs/delivery.md).
 */
export async function publishEvents(db: Kysely<Database>, events: HookdEvent[], { insertRows }: BatchWrites = portableWrites, firstAttemptDelay = 0): Promise<PublishResult[]> {
  if (events.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    await insertRows(tx, 'events', events.map(eventToRow));
    const modes = new Map<string, { workspace: string; live: boolean }>();
    for (const e of events) modes.set(`${e.workspace}:${e.live}`, { workspace: e.workspace, live: e.live });
    const endpoints = await tx.selectFrom('endpoints').select(['id', 'events', 'workspace', 'live', 'retry_schedule', 'ordering', 'filter'])
      .where('status', '=', 'enabled')
      .where((w) => w.or([...modes.values()].map((m) => w.and([w('workspace', '=', m.workspace), w('live', '=', bit(m.live))]))))
      .execute();
    const byMode = new Map<string, { id: string; events: string[]; firstDelay: number; fifo: boolean; filter: EventFilter | null }[]>();
    for (const e of endpoints) {
      const key = `${e.workspace}:${isSet(e.live)}`;
      const list = byMode.get(key) ?? [];
      // An endpoint's own schedule's entry 0 replaces the platform's; a NULL column (the
      // platform's schedule) costs no parse. Read once per endpoint, not per event of the group.
      const firstDelay = e.retry_schedule === null ? firstAttemptDelay : fromJson<number[]>(e.retry_schedule)[0] ?? 0;
      // Likewise the filter: parsed once here, and an endpoint without one pays a NULL check per event.
      list.push({ id: e.id, events: fromJson<string[]>(e.events), firstDelay, fifo: e.ordering === 'fifo', filter: fromJsonOrNull<EventFilter>(e.filter) });
      byMode.set(key, list);
    }
    const rows: Insertable<DeliveriesTable>[] = [];
    const ordered = new Map<string, Insertable<DeliveriesTable>[]>();
    const results = events.map((event) => {
      const endpoints: string[] = [];
      for (const e of byMode.get(`${event.workspace}:${event.live}`) ?? []) {
        if (!subscriptionCovers(e.events, event.type)) continue;
        if (e.filter !== null && !filterMatches(e.filter, event)) continue;
        endpoints.push(e.id);
        const row: Insertable<DeliveriesTable> = {
          id: newId('wh', event.created), event: event.id, endpoint: e.id, workspace: event.workspace, live: bit(event.live),
          type: event.type, status: 'pending', attempts: 0, next_attempt_at: event.created + e.firstDelay, locked_until: null,
          created: event.created, updated: event.created, etag: randomToken(), sequence: null,
        };
        rows.push(row);
        if (e.fifo) {
          const list = ordered.get(e.id);
          if (list) list.push(row);
          else ordered.set(e.id, [row]);
        }
      }
      return { event, deliveries: endpoints.length, endpoints };
    });
    // A FIFO endpoint's places, in the group's order, under its row's lock until the commit
    // (store/fifo-order.ts): unordered endpoints skip this and pay nothing for it. Locked in id
    // order, so that two groups placing for the same endpoints cannot deadlock on PostgreSQL.
    for (const endpoint of [...ordered.keys()].sort()) {
      const list = ordered.get(endpoint)!;
      const first = await takePlaces(tx, endpoint, list.length);
      list.forEach((row, i) => { row.sequence = first + i; });
    }
    await insertRows(tx, 'deliveries', rows);
    return results;
  });
}

export async function getEvent(db: Kysely<Database>, mode: Mode, id: string): Promise<HookdEvent | null> {
  const row = await db.selectFrom('events').selectAll()
    .where('id', '=', id).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
    .executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

export async function listEvents(db: Kysely<Database>, mode: Mode, options: EventListOptions): Promise<Page<HookdEvent>> {
  let query = db.selectFrom('events').selectAll()
    .where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live));
  if (options.types && options.types.length > 0) query = query.where('type', 'in', options.types);
  return fetchPage(query, options, 'id', eventFromRow);
}

/** null when the event is not there; false when `expectedEtag` no longer matches. */
export async function redactEvent(
  db: Kysely<Database>, mode: Mode, id: string, redaction: EventRedaction, etag: string, now: number, expectedEtag?: string,
): Promise<HookdEvent | null | false> {
  return db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('events').selectAll()
      .where('id', '=', id).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
      .executeTakeFirst();
    if (!row) return null;
    if (expectedEtag !== undefined && row.etag !== expectedEtag) return false;
    const data = toJson({ object: {} });
    await tx.updateTable('events')
      .set({ data, redaction: toJson(redaction), updated: now, etag })
      .where('id', '=', id).execute();
    return eventFromRow({ ...row, data, redaction: toJson(redaction), updated: now, etag });
  });
}

export async function countDeliveries(db: Kysely<Database>, eventId: string): Promise<number> {
  const row = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('event', '=', eventId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The dispatcher's unscoped read: it works across workspaces. */
export async function getEventsByIds(db: Kysely<Database>, ids: string[]): Promise<Map<string, HookdEvent>> {
  const rows = ids.length === 0 ? [] : await db.selectFrom('events').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, eventFromRow(r)]));
}

/**
 * This resource's part of the Store (store/sql/kysely-store.ts composes the parts; it also
 * groups publishes, store/sql/publish-group.ts). `queueDb` serves the dispatcher's read.
 */
export function eventQueries(db: Kysely<Database>, queueDb: Kysely<Database>): Pick<Store, 'getEvent' | 'listEvents' | 'redactEvent' | 'countDeliveries' | 'getEventsByIds'> {
  return {
    getEvent: (mode, id) => getEvent(db, mode, id),
    listEvents: (mode, options) => listEvents(db, mode, options),
    redactEvent: (mode, id, redaction, etag, now, expected) => redactEvent(db, mode, id, redaction, etag, now, expected),
    countDeliveries: (eventId) => countDeliveries(db, eventId),
    getEventsByIds: (ids) => getEventsByIds(queueDb, ids),
  };
}

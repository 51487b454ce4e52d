/** The event-type catalog in the store: rows, mapping, and the Store methods they serve. */
import type { Kysely, Selectable } from 'kysely';
import type { EventType, ListOptions, Page } from '../../domain/types.js';
import { bit, fromJsonOrNull, isSet, toJsonOrNull } from '../../store/columns.js';
import { fetchPage } from '../../store/pagination.js';
import type { Database, EventTypesTable } from '../../store/schema.js';
import type { Store } from '../../store/types.js';

function eventTypeFromRow(r: Selectable<EventTypesTable>): EventType {
  return {
    name: r.name, description: r.description, schema: fromJsonOrNull(r.schema), builtin: isSet(r.builtin),
    created: Number(r.created), updated: Number(r.updated), etag: r.etag,
  };
}

function eventTypeToRow(t: EventType): EventTypesTable {
  return {
    name: t.name, description: t.description, schema: toJsonOrNull(t.schema), builtin: bit(t.builtin),
    created: t.created, updated: t.updated, etag: t.etag,
  };
}

export async function seedEventTypes(db: Kysely<Database>, types: EventType[]): Promise<void> {
  if (types.length === 0) return;
  await db.insertInto('event_types').values(types.map(eventTypeToRow))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function createEventType(db: Kysely<Database>, type: EventType): Promise<boolean> {
  const result = await db.insertInto('event_types').values(eventTypeToRow(type))
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function getEventType(db: Kysely<Database>, name: string): Promise<EventType | null> {
  const row = await db.selectFrom('event_types').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? eventTypeFromRow(row) : null;
}

export async function listEventTypes(db: Kysely<Database>, options: ListOptions): Promise<Page<EventType>> {
  return fetchPage(db.selectFrom('event_types').selectAll(), options, 'name', eventTypeFromRow);
}

export async function eventTypeNames(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('event_types').select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}

/** This resource's part of the Store (store/sql/kysely-store.ts composes the parts). */
export function eventTypeQueries(db: Kysely<Database>): Pick<Store, 'seedEventTypes' | 'createEventType' | 'getEventType' | 'listEventTypes' | 'eventTypeNames'> {
  return {
    seedEventTypes: (types) => seedEventTypes(db, types),
    createEventType: (type) => createEventType(db, type),
    getEventType: (name) => getEventType(db, name),
    listEventTypes: (options) => listEventTypes(db, options),
    eventTypeNames: () => eventTypeNames(db),
  };
}

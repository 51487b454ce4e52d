import type { Kysely } from 'kysely';
import type { EventType, ListOptions, Page } from '../../domain/types.js';
import type { Database } from '../schema.js';
import { fetchPage } from './pagination.js';
import { eventTypeFromRow, eventTypeToRow } from './rows.js';

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

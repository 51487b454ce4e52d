/** The public event-type object (docs/api.md): its schema, and the one function that renders a catalog entry as it. */
import { Type, type Static } from '@sinclair/typebox';
import type { EventType } from '../../domain/types.js';
import { iso, Timestamp } from '../../api/schemas.js';

export const EventTypeObject = Type.Object({
  name: Type.String(),
  description: Type.String(),
  schema: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  builtin: Type.Boolean(),
  created: Timestamp,
  updated: Timestamp,
}, { $id: 'EventType' });

export type EventTypeJson = Static<typeof EventTypeObject>;

export function renderEventType(t: EventType): EventTypeJson {
  return {
    name: t.name, description: t.description, schema: t.schema, builtin: t.builtin, created: iso(t.created), updated: iso(t.updated),
  };
}

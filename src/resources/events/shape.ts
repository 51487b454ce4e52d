/**
 * The public event object (docs/api.md): its schema, and the one function that renders an event
 * as it, for the API and for the listen channel's frames (realtime/hub.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { HookdEvent } from '../../domain/types.js';
import { iso, Timestamp } from '../../api/schemas.js';

const RequestRef = Type.Object({ id: Type.String(), idempotency_key: Type.Union([Type.String(), Type.Null()]) });

export const EventObject = Type.Object({
  id: Type.String(), created: Timestamp, updated: Timestamp, type: Type.String(),
  data: Type.Object({ object: Type.Unknown(), previous: Type.Optional(Type.Unknown()) }),
  request: RequestRef,
  redaction: Type.Union([Type.Object({ requested: Timestamp, request: RequestRef }), Type.Null()]),
  workspace: Type.String(), live: Type.Boolean(),
}, { $id: 'Event' });

export type EventJson = Static<typeof EventObject>;

export function renderEvent(e: HookdEvent): EventJson {
  return {
    id: e.id,
    created: iso(e.created),
    updated: iso(e.updated),
    type: e.type,
    data: e.data,
    request: { id: e.requestId, idempotency_key: e.idempotencyKey },
    redaction: e.redaction === null ? null : { requested: iso(e.redaction.requested), request: e.redaction.request },
    workspace: e.workspace,
    live: e.live,
  };
}

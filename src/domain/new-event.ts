/**
 * A new event record: what POST /v1/events publishes, what /test sends without storing it, and
 * the operational events hookd publishes itself (webhook_endpoint.disabled). One literal, so
 * every event starts with the same fields.
 */
import { newId, randomToken } from './ids.js';
import type { EventData, HookdEvent, Mode } from './types.js';

export interface NewEvent {
  /** The workspace and mode it is published in. */
  mode: Mode;
  type: string;
  data: EventData;
  /** The request that made it (`req_…`). */
  requestId: string;
  idempotencyKey?: string | null;
}

export function newEvent({ mode, type, data, requestId, idempotencyKey = null }: NewEvent, now: number): HookdEvent {
  return {
    id: newId('evt', now), workspace: mode.workspace, live: mode.live, type, data, requestId, idempotencyKey, redaction: null,
    created: now, updated: now, etag: randomToken(),
  };
}

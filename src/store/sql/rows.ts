/** Row ⇄ record mapping: the one place that knows live is 0/1 and JSON is text. */
import type { Selectable } from 'kysely';
import type { ApiKeyRecord, Endpoint, EndpointFormat, EndpointStatus, EventType, HookdEvent, Workspace } from '../../domain/types.js';
import type { ApiKeysTable, EndpointsTable, EventTypesTable, EventsTable, WorkspacesTable } from '../schema.js';
import type { SecretBox } from '../secret-box.js';

export const bit = (b: boolean): number => (b ? 1 : 0);

export function workspaceFromRow(r: Selectable<WorkspacesTable>): Workspace {
  return { id: r.id, name: r.name, created: Number(r.created), updated: Number(r.updated), etag: r.etag, keyGeneration: Number(r.key_generation) };
}

export function workspaceToRow(w: Workspace): WorkspacesTable {
  return { id: w.id, name: w.name, created: w.created, updated: w.updated, etag: w.etag, key_generation: w.keyGeneration };
}

export function apiKeyFromRow(r: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    hash: r.hash, workspace: r.workspace, live: r.live === 1, hint: r.hint, created: Number(r.created),
    expires: r.expires === null ? null : Number(r.expires),
  };
}

export function apiKeyToRow(k: ApiKeyRecord): ApiKeysTable {
  return { hash: k.hash, workspace: k.workspace, live: bit(k.live), hint: k.hint, created: k.created, expires: k.expires };
}

export function eventTypeFromRow(r: Selectable<EventTypesTable>): EventType {
  return {
    name: r.name, description: r.description, schema: r.schema === null ? null : JSON.parse(r.schema), builtin: r.builtin === 1,
    created: Number(r.created), updated: Number(r.updated), etag: r.etag,
  };
}

export function eventTypeToRow(t: EventType): EventTypesTable {
  return {
    name: t.name, description: t.description, schema: t.schema === null ? null : JSON.stringify(t.schema), builtin: bit(t.builtin),
    created: t.created, updated: t.updated, etag: t.etag,
  };
}

export function endpointFromRow(r: Selectable<EndpointsTable>, box: SecretBox): Endpoint {
  return {
    id: r.id, workspace: r.workspace, live: r.live === 1, url: r.url, description: r.description,
    format: r.format as EndpointFormat, status: r.status as EndpointStatus, events: JSON.parse(r.events),
    secret: box.open(r.secret), token: r.token === null ? null : box.open(r.token), metadata: JSON.parse(r.metadata),
    created: Number(r.created), updated: Number(r.updated), etag: r.etag,
    previousSecrets: r.previous_secrets === null ? [] : JSON.parse(box.open(r.previous_secrets)),
    failingSince: r.failing_since === null ? null : Number(r.failing_since),
  };
}

export function endpointToRow(e: Endpoint, box: SecretBox): EndpointsTable {
  return {
    id: e.id, workspace: e.workspace, live: bit(e.live), url: e.url, description: e.description, format: e.format, status: e.status,
    events: JSON.stringify(e.events), secret: box.seal(e.secret), token: e.token === null ? null : box.seal(e.token),
    metadata: JSON.stringify(e.metadata), created: e.created, updated: e.updated, etag: e.etag,
    previous_secrets: e.previousSecrets.length === 0 ? null : box.seal(JSON.stringify(e.previousSecrets)),
    failing_since: e.failingSince,
  };
}

export function eventFromRow(r: Selectable<EventsTable>): HookdEvent {
  return {
    id: r.id, workspace: r.workspace, live: r.live === 1, type: r.type, data: JSON.parse(r.data), requestId: r.request_id,
    idempotencyKey: r.idempotency_key, redaction: r.redaction === null ? null : JSON.parse(r.redaction),
    created: Number(r.created), updated: Number(r.updated), etag: r.etag,
  };
}

export function eventToRow(e: HookdEvent): EventsTable {
  return {
    id: e.id, workspace: e.workspace, live: bit(e.live), type: e.type, data: JSON.stringify(e.data), request_id: e.requestId,
    idempotency_key: e.idempotencyKey, redaction: e.redaction === null ? null : JSON.stringify(e.redaction),
    created: e.created, updated: e.updated, etag: e.etag,
  };
}

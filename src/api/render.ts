/**
 * The public JSON shapes (DESIGN.md §4): records become Falu objects here and only here.
 */
import type { ApiKeyRecord, Endpoint, EventType, HookdEvent, Workspace } from '../domain/types.js';

export const iso = (ms: number): string => new Date(ms).toISOString();

/** `fwhs_…` → `fwhs_********abcd`: enough to tell secrets apart, not enough to use one. */
export function mask(value: string): string {
  const underscore = value.indexOf('_');
  const prefix = underscore > 0 && underscore < 6 ? value.slice(0, underscore + 1) : '';
  return `${prefix}********${value.slice(-4)}`;
}

export function renderWorkspace(ws: Workspace, keys: { test?: string; live?: string } | ApiKeyRecord[]) {
  let shown: { test: string | null; live: string | null };
  if (Array.isArray(keys)) {
    // Newest first: after a roll, the new key is the one to show.
    const newest = (live: boolean) => keys.filter((k) => k.live === live).sort((a, b) => b.created - a.created)[0];
    const hint = (k: ApiKeyRecord | undefined, prefix: string) => (k ? `${prefix}_********${k.hint}` : null);
    shown = { test: hint(newest(false), 'fskt'), live: hint(newest(true), 'fskl') };
  } else {
    shown = { test: keys.test ?? null, live: keys.live ?? null };
  }
  return { id: ws.id, name: ws.name, created: iso(ws.created), updated: iso(ws.updated), keys: shown };
}

export function renderEndpoint(e: Endpoint, reveal = false) {
  return {
    id: e.id,
    created: iso(e.created),
    updated: iso(e.updated),
    format: e.format,
    secret: reveal ? e.secret : mask(e.secret),
    workspace: e.workspace,
    live: e.live,
    etag: e.etag,
    events: e.events,
    description: e.description,
    status: e.status,
    url: e.url,
    token: e.token === null ? null : reveal ? e.token : mask(e.token),
    metadata: e.metadata,
  };
}

export function renderEvent(e: HookdEvent) {
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

export function renderEventType(t: EventType) {
  return {
    name: t.name, description: t.description, schema: t.schema, builtin: t.builtin, created: iso(t.created), updated: iso(t.updated),
  };
}

/**
 * The public JSON shapes (docs/api.md): records become Falu objects here and only here (the
 * API answers with them; the dispatcher publishes them inside operational events).
 */
import type { ApiKeyRecord, Attempt, Delivery, Endpoint, EventType, HookdEvent, Workspace } from './types.js';

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

/** `reveal` shows the secret or token whole: only in the create answer (both) and the roll answer (secret). */
export function renderEndpoint(e: Endpoint, reveal: { secret?: boolean; token?: boolean } = {}) {
  return {
    id: e.id,
    created: iso(e.created),
    updated: iso(e.updated),
    format: e.format,
    secret: reveal.secret ? e.secret : mask(e.secret),
    workspace: e.workspace,
    live: e.live,
    etag: e.etag,
    events: e.events,
    description: e.description,
    status: e.status,
    url: e.url,
    token: e.token === null ? null : reveal.token ? e.token : mask(e.token),
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

export function renderAttempt(a: Attempt) {
  return {
    manual: a.manual, url: a.url, attempted: iso(a.attempted), request: a.request, code: a.code, response: a.response,
    time: a.time, successful: a.successful, error: a.error,
  };
}

export function renderDelivery(d: Delivery) {
  return {
    id: d.id,
    created: iso(d.created),
    updated: iso(d.updated),
    type: d.type,
    event: d.event,
    endpoint: d.endpoint,
    status: d.status,
    attempts: d.attempts.map(renderAttempt),
    next: d.status === 'pending' && d.nextAttemptAt !== null ? { scheduled: iso(d.nextAttemptAt) } : null,
    workspace: d.workspace,
    live: d.live,
    etag: d.etag,
  };
}

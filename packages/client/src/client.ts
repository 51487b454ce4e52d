/**
 * createClient: every route of the hookd API as a typed method, grouped by resource. The types
 * come from src/types.ts, generated from the served OpenAPI document; which calls are repeated
 * on failure is retry.ts's rule (README.md, "Retries").
 */
import { resolveOptions, type ClientOptions, type Settings } from './options.js';
import { listOf, type List, type Page } from './pages.js';
import { send, type Answer, type Call, type QueryValue } from './transport.js';
import type { Operations } from './types.js';

export type Operation = keyof Operations;
type Part<K extends Operation, P extends string> = Operations[K] extends { [key in P]?: infer T } ? Exclude<T, undefined> : never;
/** The request body of an operation, e.g. `RequestBody<'POST /v1/events'>`. */
export type RequestBody<K extends Operation> = Part<K, 'body'>;
/** The query parameters of an operation. */
export type Query<K extends Operation> = Part<K, 'query'>;
/** The path parameters of an operation. */
export type PathParams<K extends Operation> = Part<K, 'params'>;
/** The success answer's body of an operation (undefined for 204). */
export type ResponseBody<K extends Operation> = Operations[K]['response'];
type Item<K extends Operation> = ResponseBody<K> extends readonly (infer T)[] ? T : never;

export interface CallOptions {
  /** Aborts the call, its tries and its waits (code `aborted`). */
  signal?: AbortSignal;
}
export interface WriteOptions extends CallOptions {
  /** X-Idempotency-Key: hookd replays the first answer to a repeat within 24 h, so the call is also retried on network errors and 5xx. */
  idempotencyKey?: string;
}
export interface ConditionalOptions extends CallOptions {
  /** The ETag the object must still have (the object's `etag`, quoted or not); 412 `precondition_failed` otherwise. */
  ifMatch?: string;
}

export interface RequestInput<K extends Operation> extends WriteOptions, ConditionalOptions {
  params?: PathParams<K>;
  query?: Query<K>;
  body?: RequestBody<K>;
}

/** An idempotency key: crypto.randomUUID, else (Node 18 without global WebCrypto) 128 random bits from Math.random, which only need to be unique. */
export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return Array.from({ length: 4 }, () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
}

const quoteEtag = (etag: string) => (/^(W\/)?"|^\*$/.test(etag) ? etag : `"${etag}"`);

function fill(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`path parameter "${name}" must be a non-empty string`);
    return encodeURIComponent(value);
  });
}

/** Sends one operation by its `METHOD /path` key; the answer keeps the status and headers (ETag, X-Continuation-Token…). */
function requester(settings: Settings) {
  return function request<K extends Operation>(operation: K, input: RequestInput<K> = {}): Promise<Answer<ResponseBody<K>>> {
    const [method, template] = operation.split(' ') as [Call['method'], string];
    const call: Call = {
      method, path: fill(template, input.params as Record<string, unknown> | undefined), query: input.query as Record<string, QueryValue> | undefined,
      body: input.body, idempotencyKey: input.idempotencyKey, ifMatch: input.ifMatch === undefined ? undefined : quoteEtag(input.ifMatch), signal: input.signal,
    };
    // Repeating cannot apply it twice: a read, or a write hookd deduplicates by its key (retry.ts).
    const safe = method === 'GET' || (method !== 'DELETE' && call.idempotencyKey !== undefined);
    return send<ResponseBody<K>>(settings, call, safe);
  };
}

export type HookdClient = ReturnType<typeof createClient>;

export function createClient(options: ClientOptions) {
  const settings = resolveOptions(options);
  const request = requester(settings);
  const data = async <K extends Operation>(operation: K, input?: RequestInput<K>): Promise<ResponseBody<K>> => (await request(operation, input)).data;
  const page = async <K extends Operation>(operation: K, query: Query<K> | undefined, call?: CallOptions): Promise<Page<Item<K>>> => {
    const answer = await request(operation, { ...call, query });
    return { data: answer.data as Item<K>[], next: answer.headers.get('x-continuation-token') ?? undefined };
  };
  // Iterating asks for full pages unless the query names a count: fewer round trips for the same items.
  const list = <K extends Operation>(operation: K, query: Query<K> | undefined, call?: CallOptions): List<Item<K>> => {
    const q = (query ?? {}) as Query<K> & { ct?: string; count?: number };
    return listOf((ct) => page(operation, { ...q, count: q.count ?? 100, ct } as Query<K>, call), q.ct);
  };

  return {
    /** Any operation by `METHOD /path`, typed, with the answer's status and headers: for what the methods below do not show (an event's ETag header). */
    request,
    health: (call?: CallOptions) => data('GET /health', call),
    ready: (call?: CallOptions) => data('GET /ready', call),
    workspaces: {
      create: (body: RequestBody<'POST /v1/workspaces'>, call?: WriteOptions) => data('POST /v1/workspaces', { ...call, body }),
      get: (id: string, call?: CallOptions) => data('GET /v1/workspaces/{id}', { ...call, params: { id } }),
      list: (query?: Query<'GET /v1/workspaces'>, call?: CallOptions) => list('GET /v1/workspaces', query, call),
      page: (query?: Query<'GET /v1/workspaces'>, call?: CallOptions) => page('GET /v1/workspaces', query, call),
      rollKeys: (id: string, body: RequestBody<'POST /v1/workspaces/{id}/keys/roll'> = {}, call?: WriteOptions) =>
        data('POST /v1/workspaces/{id}/keys/roll', { ...call, params: { id }, body }),
    },
    eventTypes: {
      create: (body: RequestBody<'POST /v1/event_types'>, call?: WriteOptions) => data('POST /v1/event_types', { ...call, body }),
      get: (name: string, call?: CallOptions) => data('GET /v1/event_types/{name}', { ...call, params: { name } }),
      list: (query?: Query<'GET /v1/event_types'>, call?: CallOptions) => list('GET /v1/event_types', query, call),
      page: (query?: Query<'GET /v1/event_types'>, call?: CallOptions) => page('GET /v1/event_types', query, call),
    },
    endpoints: {
      create: (body: RequestBody<'POST /v1/webhooks/endpoints'>, call?: WriteOptions) => data('POST /v1/webhooks/endpoints', { ...call, body }),
      get: (id: string, call?: CallOptions) => data('GET /v1/webhooks/endpoints/{id}', { ...call, params: { id } }),
      list: (query?: Query<'GET /v1/webhooks/endpoints'>, call?: CallOptions) => list('GET /v1/webhooks/endpoints', query, call),
      page: (query?: Query<'GET /v1/webhooks/endpoints'>, call?: CallOptions) => page('GET /v1/webhooks/endpoints', query, call),
      /** A JSON merge patch: absent fields stay, null clears. */
      update: (id: string, patch: RequestBody<'PATCH /v1/webhooks/endpoints/{id}'>, call?: WriteOptions & ConditionalOptions) =>
        data('PATCH /v1/webhooks/endpoints/{id}', { ...call, params: { id }, body: patch }),
      /** Never repeated on a network error or 5xx: a repeat of a delete that happened answers 404. */
      delete: (id: string, call?: ConditionalOptions) => data('DELETE /v1/webhooks/endpoints/{id}', { ...call, params: { id } }),
      test: (id: string, call?: WriteOptions) => data('POST /v1/webhooks/endpoints/{id}/test', { ...call, params: { id }, body: {} }),
      recover: (id: string, body: RequestBody<'POST /v1/webhooks/endpoints/{id}/recover'>, call?: WriteOptions) =>
        data('POST /v1/webhooks/endpoints/{id}/recover', { ...call, params: { id }, body }),
      /** Queues what the endpoint missed in the window; `has_more`: call again with the same body for the rest. */
      replay: (id: string, body: RequestBody<'POST /v1/webhooks/endpoints/{id}/replay'>, call?: WriteOptions) =>
        data('POST /v1/webhooks/endpoints/{id}/replay', { ...call, params: { id }, body }),
      /** The signing secret whole, and when the previous ones stop signing. */
      secret: (id: string, call?: CallOptions) => data('GET /v1/webhooks/endpoints/{id}/secret', { ...call, params: { id } }),
      rollSecret: (id: string, body: RequestBody<'POST /v1/webhooks/endpoints/{id}/secret/roll'> = {}, call?: WriteOptions & ConditionalOptions) =>
        data('POST /v1/webhooks/endpoints/{id}/secret/roll', { ...call, params: { id }, body }),
      stats: (id: string, query?: Query<'GET /v1/webhooks/endpoints/{id}/stats'>, call?: CallOptions) =>
        data('GET /v1/webhooks/endpoints/{id}/stats', { ...call, params: { id }, query }),
    },
    events: {
      /**
       * Publishes an event. Always sent with an X-Idempotency-Key (a new UUID unless given), the
       * same on every try, so it is retried on 429, 5xx and network errors without publishing twice.
       */
      publish: (body: RequestBody<'POST /v1/events'>, call?: WriteOptions) =>
        data('POST /v1/events', { ...call, body, idempotencyKey: call?.idempotencyKey ?? newIdempotencyKey() }),
      get: (id: string, call?: CallOptions) => data('GET /v1/events/{id}', { ...call, params: { id } }),
      list: (query?: Query<'GET /v1/events'>, call?: CallOptions) => list('GET /v1/events', query, call),
      page: (query?: Query<'GET /v1/events'>, call?: CallOptions) => page('GET /v1/events', query, call),
      redact: (id: string, call?: WriteOptions & ConditionalOptions) => data('POST /v1/events/{id}/redact', { ...call, params: { id }, body: {} }),
      /** Sends the event to one endpoint now and answers the attempt. */
      retry: (id: string, body: RequestBody<'POST /v1/events/{id}/retry'>, call?: WriteOptions) =>
        data('POST /v1/events/{id}/retry', { ...call, params: { id }, body }),
    },
    deliveries: {
      get: (id: string, call?: CallOptions) => data('GET /v1/webhooks/{id}', { ...call, params: { id } }),
      list: (query?: Query<'GET /v1/webhooks'>, call?: CallOptions) => list('GET /v1/webhooks', query, call),
      page: (query?: Query<'GET /v1/webhooks'>, call?: CallOptions) => page('GET /v1/webhooks', query, call),
    },
    stats: {
      endpoints: (query?: Query<'GET /v1/stats/endpoints'>, call?: CallOptions) => data('GET /v1/stats/endpoints', { ...call, query }),
      hourly: (query?: Query<'GET /v1/stats/hourly'>, call?: CallOptions) => data('GET /v1/stats/hourly', { ...call, query }),
    },
    status: {
      get: (query?: Query<'GET /v1/status'>, call?: CallOptions) => data('GET /v1/status', { ...call, query }),
    },
    portalSessions: {
      create: (body: RequestBody<'POST /v1/portal/sessions'>, call?: WriteOptions) => data('POST /v1/portal/sessions', { ...call, body }),
    },
    realtime: {
      /** A listen grant: the WebSocket URL and token `hookd listen` connects with. */
      negotiateEvents: (body: RequestBody<'POST /v1/realtime/negotiate/events'> = {}, call?: WriteOptions) =>
        data('POST /v1/realtime/negotiate/events', { ...call, body }),
    },
  };
}

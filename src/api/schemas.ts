/**
 * Schemas shared by the routes, written once in TypeBox: they validate requests, type the
 * handlers and become the OpenAPI document. Patterns carry a readable rule (`ruled`,
 * plugins/problem.ts) that the problem handler shows instead of the raw regular expression.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { CONTROL_RANGE, NO_CONTROL_RULE } from '../domain/endpoint-rules.js';
import { ID_BODY_LENGTH, type IdPrefix } from '../domain/ids.js';
import { ruled } from './plugins/problem.js';


const ID_NAMES: Record<IdPrefix, string> = {
  wksp: 'a workspace id (wksp_…)', we: 'a webhook endpoint id (we_…)', evt: 'an event id (evt_…)',
  wh: 'a webhook delivery id (wh_…)', wha: 'an attempt id (wha_…)', req: 'a request id (req_…)',
};

export const IdString = (prefix: IdPrefix) =>
  Type.String({ pattern: ruled(`^${prefix}_[0-9A-Za-z]{${ID_BODY_LENGTH}}$`, `must be ${ID_NAMES[prefix]}`), examples: [`${prefix}_0Q7c2wQq1aZkXb3Ryl9mT5vP`] });

const NO_CONTROL_TEXT = `${NO_CONTROL_RULE} such as a line break or ESC`;

/**
 * Free text that is stored and shown (endpoint URLs and descriptions, event-type
 * descriptions): PostgreSQL text cannot hold U+0000 (the insert fails, a 500) where SQLite
 * can, and the other controls reach the terminal of whoever lists it (ESC[2J clears a screen,
 * a line break forges a table row). Refused here, the same on both stores, naming the field.
 * Bidirectional format characters (U+202E) stay allowed: right-to-left text needs them, and
 * the CLI shows them escaped (docs/security.md, "Text shown in a terminal").
 */
export const NO_CONTROL = ruled(`^[^${CONTROL_RANGE}]*$`, NO_CONTROL_TEXT);

/**
 * A name (a workspace's): not blank, and no control character. One pattern, since a schema
 * holds one; the two classes are disjoint (white space that is not a control, then a
 * character that is neither), so matching is linear in the length, even on a 64 KiB body
 * that fails: `^[^X]*[^\sX][^X]*$` backtracks quadratically there.
 */
export const NAME_PATTERN = ruled(`^[^\\S${CONTROL_RANGE}]*[^\\s${CONTROL_RANGE}][^${CONTROL_RANGE}]*$`, `must not be blank, and ${NO_CONTROL_TEXT}`);

export const EVENT_TYPE_PATTERN = ruled('^[a-z0-9_]+(\\.[a-z0-9_]+)+$', 'must be dot-separated lowercase words, such as payment.refund.failed');

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC, millisecond precision' });

/** A time (Unix ms) as a Timestamp. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** s: a rolled key or secret keeps working at most a week; a longer overlap would defeat the point of rolling a leaked one. */
const ROLL_GRACE_MAX_S = 7 * 86_400;

/** The `expires_in` of a roll: how long what it replaces keeps working. */
export const RollGrace = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: ROLL_GRACE_MAX_S, description }));

export const Problem = Type.Object({
  type: Type.String({ description: 'urn:hookd:problem:<code>, stable (docs/api.md lists the codes)' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String({ description: 'The request path' })),
  errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()), {
    description: 'Every broken field at once, by name (a body field by its path, such as data.object.amount; a query parameter or header by its name): the rules it breaks',
  })),
  traceId: Type.String({ description: 'The request id, also sent as X-Request-Id' }),
}, { $id: 'Problem', description: 'RFC 9457 problem details' });

/**
 * X-Workspace-Id and X-Live-Mode, on the routes that act in one workspace and mode. The auth
 * guard (plugins/auth.ts) reads and checks them before validation; declared here so that the
 * document names them and a generated client can send them (docs/api.md, "Keys, workspaces and modes").
 */
export const ScopeHeaders = Type.Object({
  'x-workspace-id': Type.Optional(Type.String({ description: 'With the platform key: the workspace to act for (wksp_…), required then. A workspace key may only name its own.' })),
  'x-live-mode': Type.Optional(Type.String({ examples: ['false'], description: 'With the platform key: true for live mode, false (the default) for test; read in any case. A workspace key may only name its own mode.' })),
});

export const ListQuery = {
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Items per page, 1–100' })),
  sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
  ct: Type.Optional(Type.String({ maxLength: 512, description: 'Continuation token from X-Continuation-Token' })),
  'created.eq': Type.Optional(Type.String()),
  'created.lt': Type.Optional(Type.String()),
  'created.lte': Type.Optional(Type.String()),
  'created.gt': Type.Optional(Type.String()),
  'created.gte': Type.Optional(Type.String()),
  'updated.eq': Type.Optional(Type.String()),
  'updated.lt': Type.Optional(Type.String()),
  'updated.lte': Type.Optional(Type.String()),
  'updated.gt': Type.Optional(Type.String()),
  'updated.gte': Type.Optional(Type.String()),
};

/** An error answer as the OpenAPI document declares it: application/problem+json, the Problem schema. */
export interface ProblemAnswer {
  description: string;
  headers?: Record<string, TSchema>;
  content: { 'application/problem+json': { schema: TSchema } };
}

const RETRY_AFTER = { 'Retry-After': Type.Integer({ minimum: 0, description: 'Seconds to wait before trying again' }) };

/**
 * What each error status means, written once for every route that declares it. 400, 401, 429,
 * 431 and 503 can answer any route with a key: a malformed header or idempotency key, a missing
 * key, the key's rate limit, request headers over Node's limit, a store that does not answer.
 */
const PROBLEMS: Record<number, Omit<ProblemAnswer, 'content'>> = {
  400: { description: 'The request is invalid: `errors` names each broken field (body, query parameter, path or header) and the rule it breaks' },
  401: {
    description: 'No key, or a key that is unknown, rolled or expired',
    headers: { 'WWW-Authenticate': Type.String({ description: 'Bearer realm="hookd", with error="invalid_token" when a key was sent' }) },
  },
  403: { description: 'The key may not do this: a workspace key on a platform route, a workspace key with an X-Workspace-Id or X-Live-Mode of another, a portal session where one is refused' },
  404: { description: 'No such object in the key\'s workspace and mode (another workspace\'s id answers the same), or an unknown X-Workspace-Id' },
  409: { description: 'A conflict with the current state, or an X-Idempotency-Key already used with another request (or still running: then Retry-After)', headers: RETRY_AFTER },
  412: { description: 'If-Match does not name the object\'s current ETag' },
  413: { description: 'The body is larger than the route accepts' },
  415: { description: 'The body is not application/json (or, on PATCH, application/merge-patch+json or application/json-patch+json), or declares a charset other than UTF-8' },
  422: { description: 'Well-formed, but refused by a rule of its content' },
  429: { description: 'The key\'s rate limit is spent', headers: RETRY_AFTER },
  431: { description: 'The request line and headers are larger than hookd reads; answered before any route runs, and the connection is closed' },
  503: { description: 'The store does not answer (store_unavailable)', headers: RETRY_AFTER },
};

/** A problem+json answer with this description (and headers), for a status PROBLEMS does not describe as the route means it (/ready's 503). */
export function problemAnswer(description: string, headers?: Record<string, TSchema>): ProblemAnswer {
  return { description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: Type.Ref('Problem') } } };
}

/** The problem answers of these statuses, as PROBLEMS describes them. */
export function problemAnswers(...statuses: number[]): Record<number, ProblemAnswer> {
  const out: Record<number, ProblemAnswer> = {};
  for (const s of [...statuses].sort((a, b) => a - b)) {
    const known = PROBLEMS[s];
    if (!known) throw new Error(`no description of status ${s} in api/schemas.ts`);
    out[s] = problemAnswer(known.description, known.headers);
  }
  return out;
}

/**
 * A route's answers for the OpenAPI document: its success answers, then every error it can give
 * as application/problem+json (what api/plugins/problem.ts sends), declared per content type so
 * that a generated client reads an error as a Problem. Fastify picks a serializer by the same
 * map; the problem handler sends text, which no serializer touches. 400, 401, 429, 431 and 503
 * are added to every route; `statuses` are the route's own.
 */
export function withProblems(ok: Record<number, TSchema>, ...statuses: number[]): Record<number, TSchema | ProblemAnswer> {
  return { ...ok, ...problemAnswers(400, 401, 429, 431, 503, ...statuses) };
}

const ETAG = { ETag: Type.String({ description: 'The object\'s version, for If-None-Match and If-Match' }) };

/**
 * A success answer as the OpenAPI document describes it: the schema it is serialised with,
 * plus what @fastify/swagger reads beside it (the description, and `headers`, each header's
 * schema), which the serializer ignores. The description goes in `x-response-description`,
 * which @fastify/swagger takes out of the schema it shows, except beside a $ref: there it
 * drops every sibling before reading that, and reads the raw schema's `description` instead.
 */
export function answer<T extends TSchema>(schema: T, description: string, headers?: Record<string, TSchema>): T {
  return { ...schema, [schema.$ref === undefined ? 'x-response-description' : 'description']: description, ...(headers ? { headers } : {}) };
}

/** One object with its ETag (api/plugins/etag.ts sendObject). */
export const objectAnswer = (component: string, description: string) => answer(Type.Ref(component), description, ETAG);

/** A created object: its ETag, and its URL in Location. */
export const createdAnswer = (component: string, description: string) =>
  answer(Type.Ref(component), description, { ...ETAG, Location: Type.String({ description: 'The new object\'s path' }) });

/** A page of a list: a bare array, and the next page's token in a header (api/plugins/pagination.ts). */
export const pageAnswer = (item: TSchema, description: string) =>
  answer(Type.Array(item), description, { 'X-Continuation-Token': Type.String({ description: 'Send as `ct` for the next page; absent on the last page' }) });

/** The answer of a conditional GET whose If-None-Match names the current ETag: no body. */
export const NotModified = Type.Null({ description: 'Not modified: If-None-Match names the current ETag; no body' });

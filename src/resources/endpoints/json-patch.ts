/**
 * An endpoint's PATCH as JSON Patch (RFC 6902), the way Falu's SDKs send it: .NET
 * (Tingle.Extensions.JsonPatch) and Java send an array of operations as `application/json;
 * charset=utf-8`, and `application/json-patch+json` is the patch's own media type. The
 * operations apply to the endpoint's changeable fields; what changed becomes the JSON merge
 * patch that PATCH already validates and writes, so both forms obey one set of rules
 * (docs/api.md, "PATCH"). A body that is an object stays a merge patch.
 *
 * Statuses (RFC 5789 §2.2): a malformed operation is 400; a path that names no value is 422
 * (the patch is well-formed but cannot apply to this endpoint); a failed `test` is 409, since
 * the endpoint's state is not the one the client expected.
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import { HookdError } from '../../domain/errors.js';
import { applyJsonPatch, JsonPatchError, jsonEqual, readOperations, type JsonValue, type Operation } from '../../domain/json-patch.js';
import { formatRetrySchedule, scheduleInForce } from '../../domain/retry-schedule.js';
import type { Endpoint } from '../../domain/types.js';
import { mediaTypeOf } from '../../api/plugins/body.js';
import { renderEndpoint } from './shape.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operations of a JSON Patch body, read before validation; the body is then `{}`. */
    jsonPatch?: Operation[];
  }
}

/** The members an operation may touch: the fields a merge patch may set. */
const CHANGEABLE = [
  'url', 'events', 'description', 'format', 'status', 'token', 'metadata', 'retry_schedule', 'ordering', 'rate_limit',
  'headers', 'filter', 'client_certificate', 'signing',
] as const;
type Changeable = typeof CHANGEABLE[number];

/**
 * The endpoint as the document the operations apply to: every changeable field, null included,
 * `retry_schedule` as GET shows it (the schedule in force), so that `replace
 * /retry_schedule/1` edits what the caller saw; `remove /retry_schedule` restores the platform's.
 * `headers` and `client_certificate` are as GET shows them too: values masked, the certificate
 * described; what an operation writes there is sent on, what it leaves is left as it is.
 */
function documentOf(endpoint: Endpoint, platformSchedule: readonly number[]): Record<Changeable, JsonValue> {
  const rendered = renderEndpoint(endpoint, platformSchedule);
  return {
    url: endpoint.url, events: endpoint.events, description: endpoint.description, format: endpoint.format,
    status: endpoint.status, token: endpoint.token, metadata: endpoint.metadata,
    retry_schedule: formatRetrySchedule(scheduleInForce(endpoint.retrySchedule, platformSchedule).schedule),
    ordering: endpoint.ordering, rate_limit: endpoint.rateLimit,
    headers: rendered.headers, filter: rendered.filter as JsonValue, client_certificate: rendered.client_certificate, signing: endpoint.signing,
  };
}

const opField = (index: number, member: string | null) => (index < 0 ? 'body' : `${index}${member ? `.${member}` : ''}`);

/**
 * Refuses what the document allows but an endpoint does not: the root, a member that is not
 * a changeable field, and reading `token` or a header value, which are write-only (answered
 * masked): `test` or `copy`/`move` from them would reveal them one guess at a time, or copy
 * the mask where the value was meant.
 */
function checkTargets(operations: Operation[]): void {
  operations.forEach((o, index) => {
    for (const [member, path] of [['path', o.path], ['from', o.from]] as const) {
      if (path === undefined) continue;
      if (path.length === 0 || !(CHANGEABLE as readonly string[]).includes(path[0]!)) {
        throw HookdError.validation({ [opField(index, member)]: [`must name a field that can be changed: ${CHANGEABLE.map((f) => `/${f}`).join(', ')}`] });
      }
    }
    const reads = o.op === 'test' ? o.path : o.from;
    const member = o.op === 'test' ? 'path' : 'from';
    if (reads?.[0] === 'token') {
      throw HookdError.validation({ [opField(index, member)]: ['must not read /token: the token is write-only'] });
    }
    if (reads?.[0] === 'headers') {
      throw HookdError.validation({ [opField(index, member)]: ['must not read /headers: header values are write-only'] });
    }
  });
}

function fromPatchError(e: JsonPatchError): HookdError {
  const errors = { [opField(e.index, e.member)]: [e.message] };
  if (e.kind === 'test_failed') {
    return new HookdError('conflict', 'A test operation failed', { detail: 'The endpoint is not in the state the patch tested for; nothing was changed.', errors });
  }
  if (e.kind === 'unresolvable') {
    return new HookdError('unprocessable', 'The patch does not apply to this endpoint', { detail: 'An operation names a value the endpoint does not have; nothing was changed.', errors });
  }
  return HookdError.validation(errors);
}

/**
 * preValidation: an array body is a JSON Patch, read here and set aside, so that the route's
 * schema sees `{}`; the operations apply in the handler, after the idempotency replay (a
 * retried patch whose `test` no longer holds must replay its first answer, not fail).
 */
export async function readJsonPatch(request: FastifyRequest): Promise<void> {
  const media = mediaTypeOf(request.headers['content-type']);
  const isArray = Array.isArray(request.body);
  if (media === 'application/json-patch+json' && !isArray) {
    throw HookdError.validation({ body: ['must be an array of operations (RFC 6902) when sent as application/json-patch+json'] });
  }
  if (media === 'application/merge-patch+json' && isArray) {
    throw HookdError.validation({ body: ['must be an object (RFC 7396) when sent as application/merge-patch+json; send operations as application/json-patch+json'] });
  }
  if (!isArray) return;
  try {
    request.jsonPatch = readOperations(request.body);
  } catch (e) {
    throw e instanceof JsonPatchError ? fromPatchError(e) : e;
  }
  checkTargets(request.jsonPatch);
  request.body = {};
}

/**
 * The merge patch that takes `endpoint` where the operations take it, checked by the route's
 * own body schema: clearing `url` by `remove` is refused as `{"url": null}` is.
 */
export function jsonPatchAsMerge(request: FastifyRequest, operations: Operation[], endpoint: Endpoint, platformSchedule: readonly number[]): Record<string, unknown> {
  const before = documentOf(endpoint, platformSchedule);
  let after: Record<string, JsonValue>;
  try {
    after = applyJsonPatch(before, operations) as Record<string, JsonValue>;
  } catch (e) {
    throw e instanceof JsonPatchError ? fromPatchError(e) : e;
  }
  const merge: Record<string, unknown> = {};
  for (const field of CHANGEABLE) {
    const next = Object.hasOwn(after, field) ? after[field]! : null;
    if (jsonEqual(before[field], next)) continue;
    const was = before[field];
    const maps = next !== null && typeof next === 'object' && !Array.isArray(next) && was !== null && typeof was === 'object' && !Array.isArray(was);
    if ((field === 'metadata' || field === 'headers') && maps) {
      // A merge patch merges maps key by key: a key the operations removed is sent as null.
      const removed = Object.keys(was).filter((key) => !Object.hasOwn(next, key)).map((key) => [key, null]);
      // Headers are answered masked: only the values an operation wrote are sent, or the
      // masks of the others would replace what they hide.
      const kept = Object.entries(next).filter(([key, value]) => field === 'metadata' || !jsonEqual(was[key] ?? null, value));
      merge[field] = Object.fromEntries([...kept, ...removed]);
    } else {
      merge[field] = next;
    }
  }
  const validate = request.getValidationFunction('body');
  if (validate && !validate(merge)) {
    throw Object.assign(new Error('body'), { validation: validate.errors ?? [], validationContext: 'body' }) as unknown as FastifyError;
  }
  return merge;
}

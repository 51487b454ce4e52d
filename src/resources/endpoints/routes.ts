/**
 * Webhook endpoints (docs/api.md): create, list, get, update, delete. What one does to an
 * endpoint beyond editing it, and its statistics, are in actions.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DESCRIPTION_MAX, METADATA_MAX_KEYS, TOKEN_MAX, URL_MAX, eventPatternProblems, metadataProblems, normalisedUrl, urlProblems } from '../../domain/endpoint-rules.js';
import { FieldErrorList, HookdError } from '../../domain/errors.js';
import { parseRetrySchedule, RETRY_DELAY_PATTERN, RETRY_DELAY_RULE, RETRY_SCHEDULE_MAX_ENTRIES, retryScheduleBoundProblems } from '../../domain/retry-schedule.js';
import { newId, newWebhookSecret, randomToken } from '../../domain/ids.js';
import type { Endpoint, Mode } from '../../domain/types.js';
import { refusedLiteral } from '../../delivery/ssrf-guard.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { orNotFound } from '../../api/load.js';
import { checkIfMatch, preconditionFailed, sendObject } from '../../api/plugins/etag.js';
import { ruled, ruledUnion } from '../../api/plugins/problem.js';
import { answer, createdAnswer, ListQuery, NO_CONTROL, NotModified, objectAnswer, pageAnswer, withProblems, ScopeHeaders } from '../../api/schemas.js';
import { deliveryFields, DeliveryFieldsIn, type DeliveryFieldsBody } from './delivery-fields.js';
import { jsonPatchAsMerge, readJsonPatch } from './json-patch.js';
import { EndpointFormatField as Format, EndpointOrderingField as Ordering, EndpointParams as Params, EndpointStatusField as Status, RATE_LIMIT_MAX, RATE_LIMIT_MIN, renderEndpoint } from './shape.js';

const Url = Type.String({ minLength: 1, maxLength: URL_MAX, pattern: NO_CONTROL, description: `1–${URL_MAX} characters; https in live mode; stored and answered as parsed (URL.href)` });
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100, description: 'Event types; `*` and `prefix.*` wildcards allowed' });
const Description = Type.String({ maxLength: DESCRIPTION_MAX, pattern: NO_CONTROL });
const Token = Type.String({ minLength: 1, maxLength: TOKEN_MAX, pattern: ruled('^[\\x21-\\x7e]+$', 'must be visible ASCII characters, without spaces'), description: 'Sent as Authorization: Bearer <token>' });
const RetrySchedule = Type.Array(Type.String({ minLength: 1, maxLength: 16, pattern: ruled(RETRY_DELAY_PATTERN, RETRY_DELAY_RULE) }), {
  minItems: 1, maxItems: RETRY_SCHEDULE_MAX_ENTRIES,
  description: 'The endpoint\'s own retry schedule: entry n is the delay before attempt n+1 (entry 0 before the first); at least one entry (`["0"]`: one attempt, no retries); at most HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS entries adding up to at most HOOKD_ENDPOINT_RETRY_MAX_SPAN (else 422). null: the platform\'s (HOOKD_RETRY_SCHEDULE)',
});
const RateLimit = Type.Integer({
  minimum: RATE_LIMIT_MIN, maximum: RATE_LIMIT_MAX,
  description: `Deliveries per second, a whole number from ${RATE_LIMIT_MIN} to ${RATE_LIMIT_MAX}, enforced across every worker; null: no limit`,
});
const NullableRateLimit = ruledUnion(Type.Union([RateLimit, Type.Null()]), `must be a whole number from ${RATE_LIMIT_MIN} to ${RATE_LIMIT_MAX} (deliveries per second), or null for no limit`);
// Values are checked by metadataProblems so that the messages name the key.
const MetadataIn = Type.Record(Type.String(), Type.Unknown(), { maxProperties: METADATA_MAX_KEYS + 50 });

const CreateBody = Type.Object({
  url: Url, events: Events, description: Type.Optional(Type.Union([Description, Type.Null()])), format: Type.Optional(Format),
  status: Type.Optional(Status), token: Type.Optional(Type.Union([Token, Type.Null()])), metadata: Type.Optional(Type.Union([MetadataIn, Type.Null()])),
  retry_schedule: Type.Optional(Type.Union([RetrySchedule, Type.Null()])),
  ordering: Type.Optional(Ordering), rate_limit: Type.Optional(NullableRateLimit), ...DeliveryFieldsIn,
}, { additionalProperties: false });

const PatchBody = Type.Object({
  url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Type.Union([Description, Type.Null()])),
  format: Type.Optional(Format), status: Type.Optional(Status), token: Type.Optional(Type.Union([Token, Type.Null()])),
  metadata: Type.Optional(Type.Union([MetadataIn, Type.Null()])), retry_schedule: Type.Optional(Type.Union([RetrySchedule, Type.Null()])),
  ordering: Type.Optional(Ordering), rate_limit: Type.Optional(NullableRateLimit), ...DeliveryFieldsIn,
}, { additionalProperties: false, description: 'JSON merge patch (RFC 7396): absent fields stay, null clears. An array body is a JSON Patch (RFC 6902) over these fields (json-patch.ts)' });

/** Applies RFC 7396 to the metadata map: a null value removes its key. */
function mergeMetadata(current: Record<string, string>, patch: Record<string, unknown> | null): Record<string, unknown> {
  if (patch === null) return {};
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

/** The schedule a request sets (undefined: unchanged, null: the platform's), in ms; past the platform's bounds is 422. */
function checkedRetrySchedule(deps: ApiDeps, value: string[] | null | undefined, errors: FieldErrorList): number[] | null | undefined {
  if (value === undefined || value === null) return value;
  const parsed = parseRetrySchedule(value);
  if ('problems' in parsed) {
    for (const [field, p] of Object.entries(parsed.problems)) errors.add(field, p);
    return undefined;
  }
  const beyond = retryScheduleBoundProblems(parsed.schedule, { maxAttempts: deps.config.endpointRetryMaxAttempts, maxSpan: deps.config.endpointRetryMaxSpan });
  if (beyond.length > 0) {
    errors.throwIfAny(); // a malformed field elsewhere is the 400 to fix first
    throw new HookdError('unprocessable', 'The retry schedule is beyond what this hookd allows', {
      detail: `An endpoint's retry schedule is bounded by the operator's settings: 'retry_schedule' ${beyond.join(', and ')}.`,
      errors: { retry_schedule: beyond },
    });
  }
  return parsed.schedule;
}

interface CheckedFields {
  /** The URL to store (normalised), if one was given. */
  url: string | undefined;
  retrySchedule: number[] | null | undefined;
  /** delivery-fields.ts: the endpoint's headers, filter, certificate and signing as they are to be stored. */
  delivery: ReturnType<typeof deliveryFields>;
}

/** Checks the fields a request sets; answers what to store of those that need it. `current`: the endpoint a patch changes. */
async function checkFields(
  deps: ApiDeps, mode: Mode, fields: { url?: string; events?: string[]; metadata?: Record<string, unknown>; retrySchedule?: string[] | null; delivery: DeliveryFieldsBody },
  current: Endpoint | null,
): Promise<CheckedFields> {
  const errors = new FieldErrorList();
  if (fields.url !== undefined) for (const p of urlProblems(fields.url, mode.live)) errors.add('url', p);
  if (fields.events !== undefined) for (const p of eventPatternProblems(fields.events, await deps.catalog.names())) errors.add('events', p);
  if (fields.metadata !== undefined) metadataProblems(fields.metadata, errors);
  const delivery = deliveryFields(current, fields.delivery, deps.clock.now(), errors);
  const retrySchedule = checkedRetrySchedule(deps, fields.retrySchedule, errors);
  errors.throwIfAny();
  if (fields.url === undefined) return { url: undefined, retrySchedule, delivery };
  const url = normalisedUrl(fields.url);
  // A well-formed URL whose host is a literal address the sender would refuse: not a typo but
  // a target hookd will never reach, so 422 (docs/security.md). Names are checked at send time.
  const refused = refusedLiteral(url, deps.allowNetworks);
  if (refused) {
    throw new HookdError('unprocessable', 'The endpoint URL points at a refused address', {
      detail: `hookd does not deliver to loopback, private, link-local or reserved addresses unless HOOKD_ALLOW_NETWORKS opens them: ${refused}.`,
      errors: { url: [`must not point at a refused address (${refused})`] },
    });
  }
  return { url, retrySchedule, delivery };
}

/** The endpoint, or the 404 every endpoint route answers for one that is not there (or not the caller's). */
export const loadEndpoint = (store: ApiDeps['store'], mode: Mode, id: string): Promise<Endpoint> => orNotFound(store.getEndpoint(mode, id), 'Webhook endpoint', id);

export async function endpointRoutes(app: App, deps: ApiDeps): Promise<void> {
  const { store, clock, auth, pagination, config } = deps;
  const tags = ['webhook endpoints'];

  const load = (mode: Mode, id: string) => loadEndpoint(store, mode, id);

  app.post('/v1/webhooks/endpoints', {
    onRequest: auth.workspace,
    schema: { headers: ScopeHeaders, tags, operationId: 'createWebhookEndpoint', summary: 'Create a webhook endpoint', body: CreateBody, response: withProblems({ 201: createdAnswer('WebhookEndpoint', 'The endpoint, its secret and token whole: the only time') }, 403, 404, 409, 413, 415, 422) },
  }, async (request, reply) => {
    const mode = request.mode!;
    const body = request.body as Static<typeof CreateBody>;
    const metadata = body.metadata ?? {};
    const checked = await checkFields(deps, mode, { url: body.url, events: body.events, metadata, retrySchedule: body.retry_schedule, delivery: body }, null);
    if (await store.countEndpoints(mode) >= config.maxEndpointsPerWorkspace) {
      throw new HookdError('conflict', 'Too many webhook endpoints', {
        detail: `A workspace may have ${config.maxEndpointsPerWorkspace} endpoints in each mode (HOOKD_MAX_ENDPOINTS). Delete one, or subscribe one endpoint to more event types.`,
      });
    }
    const now = clock.now();
    const endpoint: Endpoint = {
      id: newId('we', now), workspace: mode.workspace, live: mode.live, url: checked.url!, description: body.description ?? null,
      format: body.format ?? 'basic', status: body.status ?? 'enabled', events: body.events, secret: newWebhookSecret(),
      token: body.token ?? null, metadata: metadata as Record<string, string>, created: now, updated: now, etag: randomToken(),
      previousSecrets: [], failingSince: null, retrySchedule: checked.retrySchedule ?? null,
      ordering: body.ordering ?? 'unordered', rateLimit: body.rate_limit ?? null, ...checked.delivery,
    };
    await store.createEndpoint(endpoint);
    reply.header('Location', `/v1/webhooks/endpoints/${endpoint.id}`);
    return sendObject(request, reply, endpoint.etag, renderEndpoint(endpoint, config.retrySchedule, { secret: true, token: true }), 201);
  });

  app.get('/v1/webhooks/endpoints', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'listWebhookEndpoints', summary: 'List webhook endpoints', querystring: Type.Object(ListQuery, { additionalProperties: false }),
      response: withProblems({ 200: pageAnswer(Type.Ref('WebhookEndpoint'), 'Endpoints, secrets and tokens masked') }, 403, 404),
    },
  }, async (request, reply) => {
    const options = pagination.parse('endpoints', request.query);
    const page = await store.listEndpoints(request.mode!, options);
    return pagination.send(reply, 'endpoints', options, page, page.items.map((e) => renderEndpoint(e, config.retrySchedule)));
  });

  app.get('/v1/webhooks/endpoints/:id', {
    onRequest: auth.workspace,
    schema: { headers: ScopeHeaders, tags, operationId: 'getWebhookEndpoint', summary: 'Get a webhook endpoint', params: Params, response: withProblems({ 200: objectAnswer('WebhookEndpoint', 'The endpoint, secret and token masked'), 304: NotModified }, 403, 404) },
  }, async (request, reply) => {
    const endpoint = await load(request.mode!, request.params.id);
    return sendObject(request, reply, endpoint.etag, renderEndpoint(endpoint, config.retrySchedule));
  });

  app.patch('/v1/webhooks/endpoints/:id', {
    onRequest: auth.workspace,
    preValidation: readJsonPatch,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'updateWebhookEndpoint', summary: 'Update a webhook endpoint (merge patch; If-Match honoured)', params: Params, body: PatchBody,
      consumes: ['application/merge-patch+json', 'application/json'],
      response: withProblems({ 200: objectAnswer('WebhookEndpoint', 'The endpoint as updated') }, 403, 404, 409, 412, 413, 415, 422),
    },
  }, async (request, reply) => {
    const mode = request.mode!;
    const current = await load(mode, request.params.id);
    checkIfMatch(request, current.etag);
    const patch = (request.jsonPatch ? jsonPatchAsMerge(request, request.jsonPatch, current, config.retrySchedule) : request.body) as Static<typeof PatchBody>;
    const metadata = patch.metadata === undefined ? current.metadata : mergeMetadata(current.metadata, patch.metadata);
    const checked = await checkFields(deps, mode, {
      url: patch.url, events: patch.events, metadata: patch.metadata === undefined ? undefined : metadata, retrySchedule: patch.retry_schedule,
      delivery: patch,
    }, current);
    const next: Endpoint = {
      ...current,
      url: checked.url ?? current.url,
      events: patch.events ?? current.events,
      format: patch.format ?? current.format,
      status: patch.status ?? current.status,
      description: patch.description === undefined ? current.description : patch.description,
      token: patch.token === undefined ? current.token : patch.token,
      metadata: metadata as Record<string, string>,
      retrySchedule: checked.retrySchedule === undefined ? current.retrySchedule : checked.retrySchedule,
      ordering: patch.ordering ?? current.ordering,
      rateLimit: patch.rate_limit === undefined ? current.rateLimit : patch.rate_limit,
      ...checked.delivery,
      updated: clock.now(),
      etag: randomToken(),
    };
    if (!(await store.updateEndpoint(next, current.etag))) {
      await load(mode, current.id); // gone meanwhile: 404; else the etag moved on
      throw preconditionFailed();
    }
    // A FIFO queue kept while the endpoint was disabled, or a queue whose order or throttle
    // changed, is claimed again now rather than at the next discovery.
    if (next.status === 'enabled' && (current.status !== 'enabled' || next.ordering !== current.ordering || next.rateLimit !== current.rateLimit)) {
      deps.wake([next.id]);
    }
    return sendObject(request, reply, next.etag, renderEndpoint(next, config.retrySchedule));
  });

  app.delete('/v1/webhooks/endpoints/:id', {
    onRequest: auth.workspace,
    schema: { headers: ScopeHeaders, tags, operationId: 'deleteWebhookEndpoint', summary: 'Delete a webhook endpoint (If-Match honoured)', params: Params, response: withProblems({ 204: answer(Type.Null(), 'Deleted; no body') }, 403, 404, 412, 413, 415) },
  }, async (request, reply) => {
    const mode = request.mode!;
    const current = await load(mode, request.params.id);
    const expected = checkIfMatch(request, current.etag);
    if (!(await store.deleteEndpoint(mode, current.id, expected, clock.now()))) {
      await load(mode, current.id); // gone meanwhile: 404; else the etag moved on
      throw preconditionFailed();
    }
    return reply.code(204).send();
  });
}

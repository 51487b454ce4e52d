/**
 * What one does to an endpoint beyond editing it: test it, recover its failures, replay what it
 * missed, read and roll its secret, and read its hourly statistics (docs/dashboard.md).
 */
import { Type } from '@sinclair/typebox';
import { EVENTS_MAX, eventPatternProblems } from '../../domain/endpoint-rules.js';
import { FieldErrorList, HookdError } from '../../domain/errors.js';
import { filterMatches } from '../../domain/event-filter.js';
import { newId, newWebhookSecret, randomToken } from '../../domain/ids.js';
import { newEvent } from '../../domain/new-event.js';
import { newSigningKey } from '../../domain/signing-keys.js';
import { replayKey } from '../../domain/replay.js';
import type { Endpoint, Mode } from '../../domain/types.js';
import { runAttempt } from '../../delivery/attempt.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { absentBodyIsEmpty } from '../../api/plugins/body.js';
import { checkIfMatch, preconditionFailed, sendObject } from '../../api/plugins/etag.js';
import { parseTimestamp } from '../../api/plugins/pagination.js';
import { answer, iso, objectAnswer, RollGrace, withProblems, ScopeHeaders } from '../../api/schemas.js';
import { AttemptObject, renderAttempt } from '../deliveries/shape.js';
import { hourlyStats } from '../stats/routes.js';
import { HourObject, HoursQuery } from '../stats/shape.js';
import { loadEndpoint } from './routes.js';
import { EndpointParams as Params, renderEndpoint } from './shape.js';

/** s: a rolled secret keeps signing for a day by default (docs/delivery.md). */
const ROLL_GRACE_DEFAULT_S = 86_400;
/** Rolled secrets (and Ed25519 keys) kept signing at once; older ones stop early rather than grow every request's headers. */
const PREVIOUS_SECRETS_MAX = 4;

/** Deliveries one replay call queues at most: bounds the call's time and its transactions' count, not its memory (batches of 500). */
const REPLAY_LIMIT_MAX = 10_000;

/** A test's attempt, and whether the endpoint's filter would have kept this event from it. */
const TestAnswer = Type.Object({
  ...AttemptObject.properties,
  filtered: Type.Boolean({ description: 'The endpoint\'s filter does not match this test event, so a publish of it would not reach the endpoint; it was sent anyway (docs/delivery.md, "Filters")' }),
});

/** `since` and `until` (default now) of a recover or replay body; throws every field error collected, `errors`' included. */
function windowOf(body: { since: string; until?: string }, now: number, errors: FieldErrorList): { since: number; until: number } {
  const since = parseTimestamp(body.since);
  const until = body.until === undefined ? now : parseTimestamp(body.until);
  if (since === undefined) errors.add('since', 'must be an ISO 8601 date or date-time');
  if (until === undefined) errors.add('until', 'must be an ISO 8601 date or date-time');
  if (since !== undefined && until !== undefined && since >= until) errors.add('until', 'must be later than since');
  errors.throwIfAny();
  return { since: since!, until: until! };
}

/** An Ed25519 endpoint's keys after a roll: a new pair, the old one signing for `grace` ms, at most PREVIOUS_SECRETS_MAX rolled. */
function rolledSigningKeys(current: Endpoint, now: number, grace: number): Pick<Endpoint, 'signingKey' | 'previousSigningKeys'> {
  if (current.signing !== 'ed25519' || current.signingKey === null) return { signingKey: current.signingKey, previousSigningKeys: current.previousSigningKeys };
  const previous = grace === 0 ? current.previousSigningKeys : [{ ...current.signingKey, expires: now + grace }, ...current.previousSigningKeys];
  return { signingKey: newSigningKey(), previousSigningKeys: previous.filter((p) => p.expires > now).slice(0, PREVIOUS_SECRETS_MAX) };
}

export async function endpointActionRoutes(app: App, { store, clock, auth, sender, config, wake, catalog, metrics }: ApiDeps): Promise<void> {
  const tags = ['webhook endpoints'];

  const load = (mode: Mode, id: string) => loadEndpoint(store, mode, id);

  app.post('/v1/webhooks/endpoints/:id/test', {
    onRequest: auth.workspace,
    preValidation: absentBodyIsEmpty,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'testWebhookEndpoint', summary: 'Send a webhook_endpoint.test event now (not stored as an event), whatever the endpoint\'s filter; answers with the attempt and whether the filter excludes it',
      params: Params, body: Type.Object({}, { additionalProperties: false }),
      response: withProblems({ 200: answer(TestAnswer, 'The attempt: what was sent and what came back, and `filtered`') }, 403, 404, 409, 413, 415),
    },
  }, async (request) => {
    const mode = request.mode!;
    const endpoint = await load(mode, request.params.id);
    const now = clock.now();
    const event = newEvent({ mode, type: 'webhook_endpoint.test', data: { object: renderEndpoint(endpoint, config.retrySchedule) }, requestId: request.id }, now);
    // Sent even when the filter excludes it: a test checks the connection, and `filtered` says what a publish would do.
    const filtered = endpoint.filter !== null && !filterMatches(endpoint.filter, event);
    const run = await runAttempt(sender, event, endpoint, { deliveryId: newId('wh', now), manual: true, typePrefix: config.cloudEventsTypePrefix, now: clock.now });
    return { ...renderAttempt(run.attempt), filtered };
  });

  app.post('/v1/webhooks/endpoints/:id/recover', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'recoverWebhookEndpoint', summary: 'Queue again every failed delivery of the endpoint created in [since, until)',
      params: Params,
      body: Type.Object({
        since: Type.String({ description: 'ISO 8601' }),
        until: Type.Optional(Type.String({ description: 'ISO 8601; default now' })),
      }, { additionalProperties: false }),
      response: withProblems({ 200: answer(Type.Object({ recovered: Type.Integer(), since: Type.String(), until: Type.String() }), 'How many failed deliveries were queued again, and the window') }, 403, 404, 409, 413, 415),
    },
  }, async (request) => {
    const mode = request.mode!;
    const endpoint = await load(mode, request.params.id);
    const now = clock.now();
    const { since, until } = windowOf(request.body, now, new FieldErrorList());
    const recovered = await store.recoverDeliveries(mode, endpoint.id, since, until, now);
    if (recovered > 0) wake([endpoint.id]);
    return { recovered, since: iso(since), until: iso(until) };
  });

  app.post('/v1/webhooks/endpoints/:id/replay', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'replayWebhookEndpoint',
      summary: 'Queue a delivery of every stored event created in [since, until) that matches the endpoint and that it never got (docs/delivery.md, "Replay")',
      params: Params,
      body: Type.Object({
        since: Type.String({ description: 'ISO 8601; not before the oldest time retention keeps (HOOKD_RETENTION)' }),
        until: Type.Optional(Type.String({ description: 'ISO 8601; default now' })),
        types: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
          minItems: 1, maxItems: EVENTS_MAX, description: 'Only these event types; `*` and `prefix.*` wildcards allowed, as in an endpoint\'s events',
        })),
        include_delivered: Type.Optional(Type.Boolean({ description: 'Also events the endpoint already has a delivery of (a new delivery each, once per identical replay); default false' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: REPLAY_LIMIT_MAX, description: `Deliveries queued at most by this call (default and most ${REPLAY_LIMIT_MAX}); has_more says to call again` })),
      }, { additionalProperties: false }),
      response: withProblems({
        200: answer(Type.Object({
          queued: Type.Integer({ description: 'Deliveries this call queued' }),
          has_more: Type.Boolean({ description: 'The limit was reached with events left: the same request again queues the next ones' }),
          since: Type.String(), until: Type.String(),
        }), 'How many deliveries were queued, and the window'),
      }, 403, 404, 409, 413, 415, 422),
    },
  }, async (request) => {
    const mode = request.mode!;
    const endpoint = await load(mode, request.params.id);
    const now = clock.now();
    const { types, include_delivered: includeDelivered = false, limit = REPLAY_LIMIT_MAX } = request.body;
    const errors = new FieldErrorList();
    if (types !== undefined) for (const p of eventPatternProblems(types, await catalog.names())) errors.add('types', p);
    const { since, until } = windowOf(request.body, now, errors);
    // Older events are deleted by retention, a pass at a time: a window reaching past it would
    // replay whatever the last pass happened to leave, so it is refused rather than clamped.
    const oldest = now - config.retention;
    if (since < oldest) {
      throw new HookdError('unprocessable', 'The window starts before what retention keeps', {
        detail: `Events older than HOOKD_RETENTION are deleted; since must be at or after ${iso(oldest)}.`,
        errors: { since: [`must be at or after ${iso(oldest)} (HOOKD_RETENTION)`] },
      });
    }
    if (endpoint.status !== 'enabled') {
      throw new HookdError('conflict', 'The endpoint is disabled', { detail: 'Enable it first: a disabled endpoint is sent nothing, replayed deliveries included.' });
    }
    const key = replayKey({ endpoint: endpoint.id, since, types, includeDelivered });
    const { queued, hasMore } = await store.replayDeliveries(mode, { endpoint: endpoint.id, since, until, types, includeDelivered, key, limit, now });
    if (queued > 0) {
      metrics.replayedDeliveries.inc(queued);
      wake([endpoint.id]);
    }
    return { queued, has_more: hasMore, since: iso(since), until: iso(until) };
  });

  // The endpoint object masks its secret; reading it whole is a call of its own, made only when
  // someone asks to see it (the dashboard's Reveal), so lists and logs never carry it.
  app.get('/v1/webhooks/endpoints/:id/secret', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'getWebhookEndpointSecret', summary: 'The endpoint\'s signing secret, whole, and how long rolled secrets and Ed25519 keys keep signing',
      params: Params,
      response: withProblems({
        200: answer(Type.Object({
          secret: Type.String(),
          previous: Type.Array(Type.Object({ expires: Type.String() })),
          previous_public_keys: Type.Array(Type.Object({ public_key: Type.String(), expires: Type.String() }), {
            description: 'Ed25519 endpoints: the public keys of rolled keys still signing, and when each stops; a receiver accepts any of them and `public_key` during the grace (docs/delivery.md, "Signatures"). [] for HMAC',
          }),
        }), 'The secret whole, when each rolled secret stops signing, and the rolled Ed25519 public keys still signing'),
      }, 403, 404),
    },
  }, async (request) => {
    const endpoint = await load(request.mode!, request.params.id);
    const now = clock.now();
    return {
      secret: endpoint.secret,
      previous: endpoint.previousSecrets.filter((p) => p.expires > now).map((p) => ({ expires: iso(p.expires) })),
      previous_public_keys: endpoint.signing === 'ed25519'
        ? endpoint.previousSigningKeys.filter((p) => p.expires > now).map((p) => ({ public_key: p.publicKey, expires: iso(p.expires) }))
        : [],
    };
  });

  // One roll for both: an Ed25519 endpoint signs X-Falu-Signature with its secret and v1a with its
  // key, so rolling after a leak must replace whichever leaked, and one grace covers both.
  app.post('/v1/webhooks/endpoints/:id/secret/roll', {
    onRequest: auth.workspace,
    preValidation: absentBodyIsEmpty,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'rollWebhookEndpointSecret',
      summary: 'New signing secret, shown whole once, and for an Ed25519 endpoint a new key pair too; the old ones keep signing for expires_in seconds (default 86400)',
      params: Params,
      body: Type.Object({
        expires_in: RollGrace('Seconds the old secret (and Ed25519 key) keeps signing (0–604800)'),
      }, { additionalProperties: false }),
      response: withProblems({ 200: objectAnswer('WebhookEndpoint', 'The endpoint with its new secret whole, and its new public_key') }, 403, 404, 409, 412, 413, 415),
    },
  }, async (request, reply) => {
    const mode = request.mode!;
    const current = await load(mode, request.params.id);
    checkIfMatch(request, current.etag);
    const now = clock.now();
    const grace = (request.body.expires_in ?? ROLL_GRACE_DEFAULT_S) * 1000;
    const previous = grace === 0 ? current.previousSecrets : [{ secret: current.secret, expires: now + grace }, ...current.previousSecrets];
    const next: Endpoint = {
      ...current,
      secret: newWebhookSecret(),
      previousSecrets: previous.filter((p) => p.expires > now).slice(0, PREVIOUS_SECRETS_MAX),
      ...rolledSigningKeys(current, now, grace),
      updated: now,
      etag: randomToken(),
    };
    if (!(await store.updateEndpoint(next, current.etag))) throw preconditionFailed();
    return sendObject(request, reply, next.etag, renderEndpoint(next, config.retrySchedule, { secret: true }));
  });

  app.get('/v1/webhooks/endpoints/:id/stats', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags: ['statistics'], operationId: 'getWebhookEndpointStats', summary: 'Deliveries by outcome and attempt latency percentiles per hour, for one endpoint',
      params: Params,
      querystring: HoursQuery,
      response: withProblems({ 200: answer(Type.Array(HourObject), 'One entry per hour, oldest first; the current hour last') }, 403, 404),
    },
  }, async (request) => {
    const endpoint = await load(request.mode!, request.params.id);
    return hourlyStats({ store, clock }, request.mode!, request.query.hours ?? 24, endpoint.id);
  });
}

/**
 * Events (docs/api.md): publish, list, get, redact, and the manual send of one event to one
 * endpoint (retry; docs/delivery.md). Publishing writes the event and its fan-out before answering 201.
 */
import { Type } from '@sinclair/typebox';
import { HookdError } from '../../domain/errors.js';
import { EVENT_TYPE_NAME_MAX } from '../../domain/event-types.js';
import { newId, randomToken } from '../../domain/ids.js';
import { newEvent } from '../../domain/new-event.js';
import type { Delivery } from '../../domain/types.js';
import { runAttempt } from '../../delivery/attempt.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { orNotFound } from '../../api/load.js';
import { absentBodyIsEmpty } from '../../api/plugins/body.js';
import { checkIfMatch, preconditionFailed, sendObject } from '../../api/plugins/etag.js';
import { commaSeparated } from '../../api/plugins/pagination.js';
import { idempotencyKeyOf } from '../../api/plugins/idempotency.js';
import { answer, createdAnswer, EVENT_TYPE_PATTERN, IdString, ListQuery, NotModified, objectAnswer, pageAnswer, withProblems, ScopeHeaders } from '../../api/schemas.js';
import { renderAttempt } from '../deliveries/shape.js';
import { renderEvent } from './shape.js';

const TypeName = Type.String({ minLength: 3, maxLength: EVENT_TYPE_NAME_MAX, pattern: EVENT_TYPE_PATTERN });
const DataObject = Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON object' });

const PublishBody = Type.Object({
  type: TypeName,
  data: Type.Object({ object: DataObject, previous: Type.Optional(DataObject) }, { additionalProperties: false }),
}, { additionalProperties: false });

const Params = Type.Object({ id: IdString('evt') });

export async function eventRoutes(app: App, { store, clock, auth, pagination, catalog, config, sender, wake, broadcast }: ApiDeps): Promise<void> {
  const tags = ['events'];

  app.post('/v1/events', {
    // A portal link lets the platform's customer manage its endpoints; what happened is the platform's to say.
    onRequest: auth.workspaceNotPortal('publish events', 'Publish with the platform key or a workspace key.'),
    bodyLimit: config.maxEventSize,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'createEvent', summary: 'Publish an event; it is stored with its deliveries before the 201', body: PublishBody,
      response: withProblems({ 201: createdAnswer('Event', 'The event, stored with its deliveries') }, 403, 404, 409, 413, 415, 422),
    },
  }, async (request, reply) => {
    const mode = request.mode!;
    const { type: typeName, data } = request.body;
    const type = await catalog.get(typeName);
    if (!type) {
      throw HookdError.validation({ type: [`'${typeName}' is not in the event-type catalog (GET /v1/event_types; the platform adds types with POST /v1/event_types)`] });
    }
    await catalog.validateData(type, data.object);
    const event = newEvent({
      mode, type: type.name, data: data.previous === undefined ? { object: data.object } : { object: data.object, previous: data.previous },
      requestId: request.id, idempotencyKey: idempotencyKeyOf(request),
    }, clock.now());
    const published = await store.publishEvent(event);
    broadcast(event);
    if (published.deliveries > 0) wake(published.endpoints);
    reply.header('Location', `/v1/events/${event.id}`);
    return sendObject(request, reply, event.etag, renderEvent(event), 201);
  });

  app.get('/v1/events', {
    onRequest: auth.workspace,
    preValidation: commaSeparated('type'),
    schema: {
      headers: ScopeHeaders, tags, operationId: 'listEvents', summary: 'List events',
      querystring: Type.Object({
        ...ListQuery,
        type: Type.Optional(Type.Array(TypeName, { maxItems: 20, description: 'Repeat, or join with commas, to match any of several types' })),
      }, { additionalProperties: false }),
      response: withProblems({ 200: pageAnswer(Type.Ref('Event'), 'Events') }, 403, 404),
    },
  }, async (request, reply) => {
    const options = pagination.parse('events', request.query);
    const page = await store.listEvents(request.mode!, { ...options, types: request.query.type });
    return pagination.send(reply, 'events', options, page, page.items.map(renderEvent));
  });

  app.get('/v1/events/:id', {
    onRequest: auth.workspace,
    schema: { headers: ScopeHeaders, tags, operationId: 'getEvent', summary: 'Get an event', params: Params, response: withProblems({ 200: objectAnswer('Event', 'The event'), 304: NotModified }, 403, 404) },
  }, async (request, reply) => {
    const event = await orNotFound(store.getEvent(request.mode!, request.params.id), 'Event', request.params.id);
    return sendObject(request, reply, event.etag, renderEvent(event));
  });

  app.post('/v1/events/:id/redact', {
    onRequest: auth.workspace,
    // Redact takes no fields: an empty strict schema makes {"reason": …} a 400 like every other unknown field.
    preValidation: absentBodyIsEmpty,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'redactEvent', summary: 'Replace the event\'s data with an empty object and record who asked; repeating it changes nothing',
      params: Params, body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      response: withProblems({ 200: objectAnswer('Event', 'The event, redacted') }, 403, 404, 409, 412, 413, 415),
    },
  }, async (request, reply) => {
    const mode = request.mode!;
    const current = await orNotFound(store.getEvent(mode, request.params.id), 'Event', request.params.id);
    const expected = checkIfMatch(request, current.etag);
    if (current.redaction) return sendObject(request, reply, current.etag, renderEvent(current));
    const now = clock.now();
    const redaction = { requested: now, request: { id: request.id, idempotency_key: idempotencyKeyOf(request) ?? null } };
    const event = await orNotFound(store.redactEvent(mode, current.id, redaction, randomToken(), now, expected), 'Event', current.id);
    if (event === false) throw preconditionFailed();
    return sendObject(request, reply, event.etag, renderEvent(event));
  });

  app.post('/v1/events/:id/retry', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'retryEvent', summary: 'Send the event to one endpoint now; answers with the attempt',
      params: Params,
      body: Type.Object({ webhook_endpoint: IdString('we') }, { additionalProperties: false }),
      response: withProblems({ 200: answer(Type.Ref('WebhookAttempt'), 'The attempt: what was sent and what came back') }, 403, 404, 409, 413, 415),
    },
  }, async (request) => {
    const mode = request.mode!;
    const event = await orNotFound(store.getEvent(mode, request.params.id), 'Event', request.params.id);
    const endpoint = await store.getEndpoint(mode, request.body.webhook_endpoint);
    if (!endpoint) {
      throw new HookdError('not_found', 'Webhook endpoint not found', {
        errors: { webhook_endpoint: [`no endpoint '${request.body.webhook_endpoint}' exists in this workspace and mode`] },
      });
    }
    const now = clock.now();
    let delivery: Delivery | null = await store.findDelivery(event.id, endpoint.id);
    if (!delivery) {
      // The endpoint was not subscribed (or not there) when the event was published: the
      // manual send gets a record of its own, which ends with this attempt.
      delivery = {
        id: newId('wh', now), event: event.id, endpoint: endpoint.id, workspace: mode.workspace, live: mode.live, type: event.type,
        status: 'failed', attemptCount: 0, nextAttemptAt: null, lastAttemptAt: null, created: now, updated: now, etag: randomToken(), attempts: [], replayed: false, sequence: null,
      };
      await store.insertDelivery(delivery);
    }
    const run = await runAttempt(sender, event, endpoint, { deliveryId: delivery.id, manual: true, typePrefix: config.cloudEventsTypePrefix, now: clock.now });
    // Ties this request's id to the delivery it sent, for whoever follows one or the other through the logs.
    request.log.info({ delivery: delivery.id, endpoint: endpoint.id, event: event.id, code: run.attempt.code, successful: run.attempt.successful }, 'manual attempt');
    // A manual success completes the delivery; a manual failure leaves its automatic schedule as it was.
    await store.recordResults([{
      delivery: delivery.id, attempt: run.attempt, workspace: delivery.workspace, live: delivery.live, endpoint: endpoint.id,
      status: run.attempt.successful ? 'succeeded' : delivery.status,
      nextAttemptAt: run.attempt.successful ? null : delivery.nextAttemptAt,
      etag: randomToken(), disableEndpoint: false,
    }], clock.now());
    return renderAttempt(run.attempt);
  });
}

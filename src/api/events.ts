/** Events (docs/api.md): publish, list, get, redact. Publishing writes the event and its fan-out before answering 201. */
import { Type } from '@sinclair/typebox';
import { HookdError } from '../domain/errors.js';
import { EVENT_TYPE_NAME_MAX } from '../domain/event-types.js';
import { newId, randomToken } from '../domain/ids.js';
import type { HookdEvent, Mode } from '../domain/types.js';
import type { ApiDeps, App } from './deps.js';
import { absentBodyIsEmpty } from './plugins/body.js';
import { checkIfMatch, preconditionFailed, sendObject } from './plugins/etag.js';
import { idempotencyKeyOf } from './plugins/idempotency.js';
import { renderEvent } from '../domain/render.js';
import { EVENT_TYPE_PATTERN, IdString, ListQuery, Timestamp, withProblems } from './schemas.js';

const TypeName = Type.String({ minLength: 3, maxLength: EVENT_TYPE_NAME_MAX, pattern: EVENT_TYPE_PATTERN });
const DataObject = Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON object' });

const EventObject = Type.Object({
  id: Type.String(), created: Timestamp, updated: Timestamp, type: Type.String(),
  data: Type.Object({ object: Type.Unknown(), previous: Type.Optional(Type.Unknown()) }),
  request: Type.Object({ id: Type.String(), idempotency_key: Type.Union([Type.String(), Type.Null()]) }),
  redaction: Type.Union([Type.Object({ requested: Timestamp, request: Type.Object({ id: Type.String(), idempotency_key: Type.Union([Type.String(), Type.Null()]) }) }), Type.Null()]),
  workspace: Type.String(), live: Type.Boolean(),
}, { $id: 'Event' });

const PublishBody = Type.Object({
  type: TypeName,
  data: Type.Object({ object: DataObject, previous: Type.Optional(DataObject) }, { additionalProperties: false }),
}, { additionalProperties: false });

const Params = Type.Object({ id: IdString('evt') });

export async function eventRoutes(app: App, { store, clock, auth, pagination, catalog, config, notify, onPublished }: ApiDeps): Promise<void> {
  app.addSchema(EventObject);
  const tags = ['events'];

  async function load(mode: Mode, id: string): Promise<HookdEvent> {
    const event = await store.getEvent(mode, id);
    if (!event) throw HookdError.notFound('Event', id);
    return event;
  }

  app.post('/v1/events', {
    // A portal link lets the platform's customer manage its endpoints; what happened is the platform's to say.
    onRequest: auth.workspaceNotPortal('publish events', 'Publish with the platform key or a workspace key.'),
    bodyLimit: config.maxEventSize,
    schema: {
      tags, summary: 'Publish an event; it is stored with its deliveries before the 201', body: PublishBody,
      response: withProblems({ 201: Type.Ref('Event') }, 403, 404, 409, 413, 422),
    },
  }, async (request, reply) => {
    const mode = request.mode!;
    const { type: typeName, data } = request.body;
    const type = await catalog.get(typeName);
    if (!type) {
      throw HookdError.validation({ type: [`'${typeName}' is not in the event-type catalog (GET /v1/event_types; the platform adds types with POST /v1/event_types)`] });
    }
    await catalog.validateData(type, data.object);
    const now = clock.now();
    const event: HookdEvent = {
      id: newId('evt', now), workspace: mode.workspace, live: mode.live, type: type.name,
      data: data.previous === undefined ? { object: data.object } : { object: data.object, previous: data.previous },
      requestId: request.id, idempotencyKey: idempotencyKeyOf(request) ?? null, redaction: null,
      created: now, updated: now, etag: randomToken(),
    };
    const published = await store.publishEvent(event);
    onPublished(event);
    if (published.deliveries > 0) notify(published.endpoints);
    reply.header('Location', `/v1/events/${event.id}`);
    return sendObject(request, reply, event.etag, renderEvent(event), 201);
  });

  app.get('/v1/events', {
    onRequest: auth.workspace,
    schema: {
      tags, summary: 'List events',
      querystring: Type.Object({
        ...ListQuery,
        type: Type.Optional(Type.Array(TypeName, { maxItems: 20, description: 'Repeat to match any of several types' })),
      }, { additionalProperties: false }),
      response: withProblems({ 200: Type.Array(Type.Ref('Event')) }, 403, 404),
    },
  }, async (request, reply) => {
    const options = pagination.parse('events', request.query);
    const page = await store.listEvents(request.mode!, { ...options, types: request.query.type });
    return pagination.send(reply, 'events', options, page, page.items.map(renderEvent));
  });

  app.get('/v1/events/:id', {
    onRequest: auth.workspace,
    schema: { tags, summary: 'Get an event', params: Params, response: withProblems({ 200: Type.Ref('Event') }, 403, 404) },
  }, async (request, reply) => {
    const event = await load(request.mode!, request.params.id);
    return sendObject(request, reply, event.etag, renderEvent(event));
  });

  app.post('/v1/events/:id/redact', {
    onRequest: auth.workspace,
    // Redact takes no fields: an empty strict schema makes {"reason": …} a 400 like every other unknown field.
    preValidation: absentBodyIsEmpty,
    schema: {
      tags, summary: 'Replace the event\'s data with an empty object and record who asked; repeating it changes nothing',
      params: Params, body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      response: withProblems({ 200: Type.Ref('Event') }, 403, 404, 412),
    },
  }, async (request, reply) => {
    const mode = request.mode!;
    const current = await load(mode, request.params.id);
    const expected = checkIfMatch(request, current.etag);
    if (current.redaction) return sendObject(request, reply, current.etag, renderEvent(current));
    const now = clock.now();
    const redaction = { requested: now, request: { id: request.id, idempotency_key: idempotencyKeyOf(request) ?? null } };
    const event = await store.redactEvent(mode, current.id, redaction, randomToken(), now, expected);
    if (event === null) throw HookdError.notFound('Event', current.id);
    if (event === false) throw preconditionFailed();
    return sendObject(request, reply, event.etag, renderEvent(event));
  });
}

/** The event-type catalog: every key may read it; only the platform key may add to it. */
import { Type } from '@sinclair/typebox';
import { HookdError } from '../../domain/errors.js';
import { EVENT_TYPE_NAME_MAX } from '../../domain/event-types.js';
import { randomToken } from '../../domain/ids.js';
import type { EventType } from '../../domain/types.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { orNotFound } from '../../api/load.js';
import { sendObject } from '../../api/plugins/etag.js';
import { createdAnswer, EVENT_TYPE_PATTERN, ListQuery, NO_CONTROL, NotModified, objectAnswer, pageAnswer, withProblems } from '../../api/schemas.js';
import { renderEventType } from './shape.js';

const Name = Type.String({ minLength: 3, maxLength: EVENT_TYPE_NAME_MAX, pattern: EVENT_TYPE_PATTERN });
const SCHEMA_MAX_BYTES = 32 * 1024;

export async function eventTypeRoutes(app: App, { store, clock, auth, pagination, catalog }: ApiDeps): Promise<void> {
  const tags = ['event types'];

  app.get('/v1/event_types', {
    onRequest: auth.anyKey,
    schema: {
      tags, operationId: 'listEventTypes', summary: 'List the event-type catalog',
      querystring: Type.Object(ListQuery, { additionalProperties: false }),
      response: withProblems({ 200: pageAnswer(Type.Ref('EventType'), 'Event types of the catalog') }),
    },
  }, async (request, reply) => {
    const options = pagination.parse('event_types', request.query);
    const page = await store.listEventTypes(options);
    return pagination.send(reply, 'event_types', options, page, page.items.map(renderEventType));
  });

  app.get('/v1/event_types/:name', {
    onRequest: auth.anyKey,
    schema: {
      tags, operationId: 'getEventType', summary: 'Get one event type',
      params: Type.Object({ name: Name }),
      response: withProblems({ 200: objectAnswer('EventType', 'The event type'), 304: NotModified }, 404),
    },
  }, async (request, reply) => {
    const type = await orNotFound(store.getEventType(request.params.name), 'Event type', request.params.name);
    return sendObject(request, reply, type.etag, renderEventType(type));
  });

  app.post('/v1/event_types', {
    onRequest: auth.platform,
    schema: {
      tags, operationId: 'createEventType', summary: 'Add an event type to the catalog (platform key)',
      body: Type.Object({
        name: Name,
        description: Type.Optional(Type.String({ maxLength: 1000, pattern: NO_CONTROL })),
        schema: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
          description: 'JSON Schema that data.object of published events must satisfy',
        })),
      }, { additionalProperties: false }),
      response: withProblems({ 201: createdAnswer('EventType', 'The event type, added') }, 403, 409, 413, 415),
    },
  }, async (request, reply) => {
    const { name, description, schema } = request.body;
    if (schema) {
      if (JSON.stringify(schema).length > SCHEMA_MAX_BYTES) throw HookdError.validation({ schema: [`must be at most ${SCHEMA_MAX_BYTES} bytes`] });
      await catalog.compile(schema);
    }
    const now = clock.now();
    const type: EventType = {
      name, description: description ?? '', schema: schema ?? null, builtin: false, created: now, updated: now, etag: randomToken(),
    };
    if (!(await store.createEventType(type))) {
      throw new HookdError('conflict', 'Event type exists', { detail: `'${name}' is already in the catalog.`, errors: { name: ['is already in the catalog'] } });
    }
    reply.header('Location', `/v1/event_types/${name}`);
    return sendObject(request, reply, type.etag, renderEventType(type), 201);
  });
}

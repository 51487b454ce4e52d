/**
 * Delivery records (`wh_…`) with their attempts inline, and the manual re-send of one event to
 * one endpoint (docs/api.md, docs/delivery.md).
 */
import { Type } from '@sinclair/typebox';
import { HookdError } from '../domain/errors.js';
import { newId, randomToken } from '../domain/ids.js';
import { renderAttempt, renderDelivery } from '../domain/render.js';
import type { Delivery } from '../domain/types.js';
import { runAttempt } from '../delivery/attempt.js';
import type { ApiDeps, App } from './deps.js';
import { sendObject } from './plugins/etag.js';
import { EVENT_TYPE_PATTERN, IdString, ListQuery, Timestamp, withProblems } from './schemas.js';

export const AttemptObject = Type.Object({
  manual: Type.Boolean(), url: Type.String(), attempted: Timestamp, request: Type.String({ description: 'The body sent, cut at 16 KiB' }),
  code: Type.Union([Type.Integer(), Type.Null()]), response: Type.Union([Type.String(), Type.Null()], { description: 'The answer, cut at 16 KiB' }),
  time: Type.Integer({ description: 'ms' }), successful: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why no usable answer came (timeout, refused address…)' }),
}, { $id: 'WebhookAttempt' });

const DeliveryObject = Type.Object({
  id: Type.String(), created: Timestamp, updated: Timestamp, type: Type.String(), event: Type.String(), endpoint: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Array(Type.Ref('WebhookAttempt')),
  next: Type.Union([Type.Object({ scheduled: Timestamp }), Type.Null()]),
  workspace: Type.String(), live: Type.Boolean(), etag: Type.String(),
}, { $id: 'WebhookDelivery' });

export async function deliveryRoutes(app: App, { store, clock, auth, pagination, sender, config }: ApiDeps): Promise<void> {
  app.addSchema(AttemptObject);
  app.addSchema(DeliveryObject);
  const tags = ['webhook deliveries'];

  app.get('/v1/webhooks', {
    onRequest: auth.workspace,
    schema: {
      tags, summary: 'List delivery records, each with its attempts',
      querystring: Type.Object({
        ...ListQuery,
        endpoint: Type.Optional(IdString('we')),
        event: Type.Optional(IdString('evt')),
        type: Type.Optional(Type.Array(Type.String({ pattern: EVENT_TYPE_PATTERN, maxLength: 100 }), { maxItems: 20 })),
        status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])),
      }, { additionalProperties: false }),
      response: withProblems({ 200: Type.Array(Type.Ref('WebhookDelivery')) }, 403, 404),
    },
  }, async (request, reply) => {
    const { endpoint, event, type, status } = request.query;
    const options = pagination.parse('webhooks', request.query);
    const page = await store.listDeliveries(request.mode!, { ...options, endpoint, event, types: type, status });
    return pagination.send(reply, 'webhooks', options, page, page.items.map(renderDelivery));
  });

  app.get('/v1/webhooks/:id', {
    onRequest: auth.workspace,
    schema: {
      tags, summary: 'Get one delivery record with its attempts, oldest first',
      params: Type.Object({ id: IdString('wh') }),
      response: withProblems({ 200: Type.Ref('WebhookDelivery') }, 403, 404),
    },
  }, async (request, reply) => {
    const delivery = await store.getDelivery(request.mode!, request.params.id);
    if (!delivery) throw HookdError.notFound('Webhook delivery', request.params.id);
    return sendObject(request, reply, delivery.etag, renderDelivery(delivery));
  });

  app.post('/v1/events/:id/retry', {
    onRequest: auth.workspace,
    schema: {
      tags: ['events'], summary: 'Send the event to one endpoint now; answers with the attempt',
      params: Type.Object({ id: IdString('evt') }),
      body: Type.Object({ webhook_endpoint: IdString('we') }, { additionalProperties: false }),
      response: withProblems({ 200: Type.Ref('WebhookAttempt') }, 403, 404),
    },
  }, async (request) => {
    const mode = request.mode!;
    const event = await store.getEvent(mode, request.params.id);
    if (!event) throw HookdError.notFound('Event', request.params.id);
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
        status: 'failed', attemptCount: 0, nextAttemptAt: null, lastAttemptAt: null, created: now, updated: now, etag: randomToken(), attempts: [],
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

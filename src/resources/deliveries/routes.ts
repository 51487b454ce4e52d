/** Delivery records (`wh_…`) with their attempts inline (docs/api.md, docs/delivery.md): list and get. */
import { Type } from '@sinclair/typebox';
import type { ApiDeps, App } from '../../api/deps.js';
import { orNotFound } from '../../api/load.js';
import { sendObject } from '../../api/plugins/etag.js';
import { commaSeparated } from '../../api/plugins/pagination.js';
import { EVENT_TYPE_PATTERN, IdString, ListQuery, NotModified, objectAnswer, pageAnswer, withProblems, ScopeHeaders } from '../../api/schemas.js';
import { DeliveryStatusField, renderDelivery } from './shape.js';

export async function deliveryRoutes(app: App, { store, auth, pagination }: ApiDeps): Promise<void> {
  const tags = ['webhook deliveries'];

  app.get('/v1/webhooks', {
    onRequest: auth.workspace,
    preValidation: commaSeparated('type'),
    schema: {
      headers: ScopeHeaders, tags, operationId: 'listWebhookDeliveries', summary: 'List delivery records, each with its attempts',
      querystring: Type.Object({
        ...ListQuery,
        endpoint: Type.Optional(IdString('we')),
        event: Type.Optional(IdString('evt')),
        type: Type.Optional(Type.Array(Type.String({ pattern: EVENT_TYPE_PATTERN, maxLength: 100 }), { maxItems: 20 })),
        status: Type.Optional(DeliveryStatusField),
      }, { additionalProperties: false }),
      response: withProblems({ 200: pageAnswer(Type.Ref('WebhookDelivery'), 'Delivery records') }, 403, 404),
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
      headers: ScopeHeaders, tags, operationId: 'getWebhookDelivery', summary: 'Get one delivery record with its attempts, oldest first',
      params: Type.Object({ id: IdString('wh') }),
      response: withProblems({ 200: objectAnswer('WebhookDelivery', 'The delivery record'), 304: NotModified }, 403, 404),
    },
  }, async (request, reply) => {
    const delivery = await orNotFound(store.getDelivery(request.mode!, request.params.id), 'Webhook delivery', request.params.id);
    return sendObject(request, reply, delivery.etag, renderDelivery(delivery));
  });
}

/**
 * The public delivery record (`wh_…`) with its attempts inline (docs/api.md): the schemas, and
 * the functions that render a delivery and an attempt as them. An attempt is also what a
 * manual send answers (POST /v1/events/{id}/retry, POST /v1/webhooks/endpoints/{id}/test).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Attempt, Delivery } from '../../domain/types.js';
import { iso, Timestamp } from '../../api/schemas.js';

export const AttemptObject = Type.Object({
  manual: Type.Boolean(), url: Type.String(), attempted: Timestamp, request: Type.String({ description: 'The body sent, cut at 16 KiB' }),
  code: Type.Union([Type.Integer(), Type.Null()]), response: Type.Union([Type.String(), Type.Null()], { description: 'The answer, cut at 16 KiB' }),
  time: Type.Integer({ description: 'ms' }), successful: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why no usable answer came (timeout, refused address…)' }),
}, { $id: 'WebhookAttempt' });

export type AttemptJson = Static<typeof AttemptObject>;

export const DeliveryStatusField = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]);

export const DeliveryObject = Type.Object({
  id: Type.String(), created: Timestamp, updated: Timestamp, type: Type.String(), event: Type.String(), endpoint: Type.String(),
  status: DeliveryStatusField,
  attempts: Type.Array(Type.Unsafe<AttemptJson>(Type.Ref('WebhookAttempt'))),
  next: Type.Union([Type.Object({ scheduled: Timestamp }), Type.Null()]),
  workspace: Type.String(), live: Type.Boolean(), etag: Type.String(),
  replayed: Type.Boolean({ description: 'Queued by POST /v1/webhooks/endpoints/{id}/replay, not by the event\'s publish' }),
  sequence: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Its place in its endpoint\'s order when the endpoint is `fifo` (docs/delivery.md, "Ordered endpoints"); null when it was queued for an unordered endpoint',
  }),
  waiting_behind: Type.Union([Type.String(), Type.Null()], {
    description: 'While it waits in a FIFO queue: the delivery (`wh_…`) at the head of that queue, which must end before this one is sent; else null',
  }),
  follows_given_up: Type.Union([Type.String(), Type.Null()], {
    description: 'The delivery (`wh_…`) just before this one in its FIFO order, when that one was given up on (it failed) and this one went on without it; else null',
  }),
}, { $id: 'WebhookDelivery' });

export type DeliveryJson = Static<typeof DeliveryObject>;

export function renderAttempt(a: Attempt): AttemptJson {
  return {
    manual: a.manual, url: a.url, attempted: iso(a.attempted), request: a.request, code: a.code, response: a.response,
    time: a.time, successful: a.successful, error: a.error,
  };
}

export function renderDelivery(d: Delivery): DeliveryJson {
  return {
    id: d.id,
    created: iso(d.created),
    updated: iso(d.updated),
    type: d.type,
    event: d.event,
    endpoint: d.endpoint,
    status: d.status,
    attempts: d.attempts.map(renderAttempt),
    next: d.status === 'pending' && d.nextAttemptAt !== null ? { scheduled: iso(d.nextAttemptAt) } : null,
    workspace: d.workspace,
    live: d.live,
    etag: d.etag,
    replayed: d.replayed,
    sequence: d.sequence,
    waiting_behind: d.waitingBehind ?? null,
    follows_given_up: d.followsGivenUp ?? null,
  };
}

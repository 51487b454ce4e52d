/**
 * The public webhook endpoint object (docs/api.md): the Falu object, every field present, its
 * secret and token masked except where the caller is meant to see them whole. Rendered for the
 * API and for the webhook_endpoint.* events hookd sends about an endpoint.
 */
import { Type, type Static } from '@sinclair/typebox';
import { formatRetrySchedule, scheduleInForce } from '../../domain/retry-schedule.js';
import type { Endpoint } from '../../domain/types.js';
import { summariseCertificate } from '../../delivery/client-certificate.js';
import { IdString, iso, Timestamp } from '../../api/schemas.js';

export const EndpointFormatField = Type.Union([Type.Literal('basic'), Type.Literal('cloud_events')]);
export const EndpointStatusField = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]);
export const EndpointOrderingField = Type.Union([Type.Literal('unordered'), Type.Literal('fifo')], {
  description: '`fifo`: one delivery at a time, in the order the publishes committed; the next goes once the one before succeeded or was given up on (docs/delivery.md). `unordered` (the default): as many at once as the endpoint keeps up with',
});
/** Deliveries per second: the bounds of `rate_limit`. */
export const RATE_LIMIT_MIN = 1;
export const RATE_LIMIT_MAX = 10_000;

export const EndpointSigningField = Type.Union([Type.Literal('hmac-sha256'), Type.Literal('ed25519')], {
  description: 'How `webhook-signature` is signed: `hmac-sha256` (Standard Webhooks `v1`, with the secret; the default) or `ed25519` (`v1a`, verified with `public_key`, no secret needed). X-Falu-Signature is HMAC either way (docs/delivery.md, "Signatures")',
});

export const EndpointObject = Type.Object({
  id: Type.String(), created: Timestamp, updated: Timestamp, format: EndpointFormatField, secret: Type.String(), workspace: Type.String(),
  live: Type.Boolean(), etag: Type.String(), events: Type.Array(Type.String()), description: Type.Union([Type.String(), Type.Null()]),
  status: EndpointStatusField, url: Type.String(), token: Type.Union([Type.String(), Type.Null()]), metadata: Type.Record(Type.String(), Type.String()),
  retry_schedule: Type.Array(Type.String(), {
    description: 'The retry schedule in force: entry n is the delay before attempt n+1 (entry 0 before the first), each in its largest whole unit (`0`, `1500ms`, `90s`, `5m`, `2h`, `1d`); the platform\'s when the endpoint has none of its own',
  }),
  retry_schedule_source: Type.Union([Type.Literal('endpoint'), Type.Literal('platform')], {
    description: 'Whose `retry_schedule` is in force: the endpoint\'s own, or the platform\'s (HOOKD_RETRY_SCHEDULE), which follows the operator\'s changes',
  }),
  ordering: EndpointOrderingField,
  rate_limit: Type.Union([Type.Integer({ minimum: RATE_LIMIT_MIN, maximum: RATE_LIMIT_MAX }), Type.Null()], {
    description: 'Deliveries per second to this endpoint, across every worker process; null: no limit (docs/delivery.md, "Throttles")',
  }),
  headers: Type.Record(Type.String(), Type.String(), {
    description: 'Custom headers sent with every delivery, values masked (`********` and, for values of 16 characters or more, their last 4); {} for none',
  }),
  filter: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: 'The payload filter an event must match besides `events` (docs/delivery.md, "Filters"); null: every event of the subscribed types',
  }),
  client_certificate: Type.Union([Type.Object({
    subject: Type.String(), issuer: Type.String(), expires: Timestamp,
    fingerprint: Type.String({ description: 'SHA-256 of the certificate, colon-separated hex' }),
  }), Type.Null()], { description: 'The client certificate hookd presents for mutual TLS, described (its private key is never returned); null: none' }),
  signing: EndpointSigningField,
  public_key: Type.Union([Type.String(), Type.Null()], { description: 'Ed25519 endpoints: the key that verifies `v1a` signatures (`whpk_` + base64 of the 32 raw bytes); null for HMAC' }),
}, { $id: 'WebhookEndpoint' });

/** The `{id}` of every /v1/webhooks/endpoints/{id}… route. */
export const EndpointParams = Type.Object({ id: IdString('we') });

export type EndpointJson = Static<typeof EndpointObject>;

/** `fwhs_…` → `fwhs_********abcd`: enough to tell secrets apart, not enough to use one. */
function mask(value: string): string {
  const underscore = value.indexOf('_');
  const prefix = underscore > 0 && underscore < 6 ? value.slice(0, underscore + 1) : '';
  return `${prefix}********${value.slice(-4)}`;
}

/** A header value shown: whole values are never, and short ones lose even their tail. */
function maskHeader(value: string): string {
  return value.length >= 16 ? `********${value.slice(-4)}` : '********';
}

/**
 * `platformSchedule` is HOOKD_RETRY_SCHEDULE, shown when the endpoint has no schedule of its own.
 * `reveal` shows the secret or token whole: only in the create answer (both) and the roll answer (secret).
 */
export function renderEndpoint(e: Endpoint, platformSchedule: readonly number[], reveal: { secret?: boolean; token?: boolean } = {}): EndpointJson {
  const retry = scheduleInForce(e.retrySchedule, platformSchedule);
  return {
    id: e.id,
    created: iso(e.created),
    updated: iso(e.updated),
    format: e.format,
    secret: reveal.secret ? e.secret : mask(e.secret),
    workspace: e.workspace,
    live: e.live,
    etag: e.etag,
    events: e.events,
    description: e.description,
    status: e.status,
    url: e.url,
    token: e.token === null ? null : reveal.token ? e.token : mask(e.token),
    metadata: e.metadata,
    retry_schedule: formatRetrySchedule(retry.schedule),
    retry_schedule_source: retry.source,
    ordering: e.ordering,
    rate_limit: e.rateLimit,
    headers: Object.fromEntries(Object.entries(e.headers).map(([name, value]) => [name, maskHeader(value)])),
    filter: e.filter,
    client_certificate: e.clientCertificate === null ? null : renderCertificate(e.clientCertificate),
    signing: e.signing,
    public_key: e.signingKey?.publicKey ?? null,
  };
}

function renderCertificate(pair: NonNullable<Endpoint['clientCertificate']>): NonNullable<EndpointJson['client_certificate']> {
  const summary = summariseCertificate(pair);
  return { subject: summary.subject, issuer: summary.issuer, expires: iso(summary.expires), fingerprint: summary.fingerprint };
}

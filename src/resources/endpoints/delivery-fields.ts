/**
 * The endpoint fields that shape what a delivery carries and how it leaves (docs/delivery.md):
 * `headers`, `filter`, `client_certificate` and `signing`. Their request schemas, and how a
 * create or a merge patch turns them into what is stored, checked with every message at once.
 */
import { Type } from '@sinclair/typebox';
import { customHeaderProblems, HEADERS_MAX } from '../../domain/custom-headers.js';
import { plainDelivery } from '../../domain/endpoint-rules.js';
import type { FieldErrorList } from '../../domain/errors.js';
import { addFilterProblems } from '../../domain/event-filter.js';
import { newSigningKey } from '../../domain/signing-keys.js';
import type { Endpoint, EventFilter } from '../../domain/types.js';
import { checkClientCertificate } from '../../delivery/client-certificate.js';
import { EndpointSigningField } from './shape.js';

// Names and values are checked by customHeaderProblems, so that a message names the header.
const HeadersIn = Type.Record(Type.String(), Type.Unknown(), {
  maxProperties: HEADERS_MAX + 50,
  description: `Up to ${HEADERS_MAX} custom headers sent with every delivery (name: value; values at most 1 KiB, no CR, LF or NUL); hop-by-hop, framing, Authorization and the headers hookd sets or signs are refused. In a patch, a null value removes its header and null removes them all`,
});
const FilterIn = Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON filter over `type`, `data.object` and `data.previous` (docs/delivery.md, "Filters"); null removes it' });
const ClientCertificateIn = Type.Object({
  certificate: Type.String({ minLength: 1, maxLength: 65_536, description: 'PEM: the client certificate, then any intermediates' }),
  private_key: Type.String({ minLength: 1, maxLength: 16_384, description: 'PEM: its private key (PKCS#8 or traditional); encrypted at rest, never returned' }),
}, { additionalProperties: false });

/** The properties create and patch bodies both take. */
export const DeliveryFieldsIn = {
  headers: Type.Optional(Type.Union([HeadersIn, Type.Null()])),
  filter: Type.Optional(Type.Union([FilterIn, Type.Null()])),
  client_certificate: Type.Optional(Type.Union([ClientCertificateIn, Type.Null()])),
  signing: Type.Optional(EndpointSigningField),
};

export interface DeliveryFieldsBody {
  headers?: Record<string, unknown> | null;
  filter?: Record<string, unknown> | null;
  client_certificate?: { certificate: string; private_key: string } | null;
  signing?: Endpoint['signing'];
}

type DeliveryShape = ReturnType<typeof plainDelivery>;

/**
 * What to store of these fields: `current` is the endpoint before a patch (null for a create,
 * where nulls and absences both mean none). Adds every problem to `errors`; the caller throws.
 */
export function deliveryFields(current: DeliveryShape | null, body: DeliveryFieldsBody, now: number, errors: FieldErrorList): DeliveryShape {
  const next: DeliveryShape = current === null ? plainDelivery() : {
    headers: current.headers, filter: current.filter, clientCertificate: current.clientCertificate,
    signing: current.signing, signingKey: current.signingKey, previousSigningKeys: current.previousSigningKeys,
  };

  if (body.headers !== undefined) {
    const patch = body.headers ?? {};
    customHeaderProblems(patch, errors, { removals: current !== null });
    // Header names are case-insensitive: a patch's `x-api-key` replaces a stored `X-Api-Key`.
    const merged = new Map(Object.entries(body.headers === null ? {} : next.headers).map(([k, v]) => [k.toLowerCase(), [k, v] as const]));
    for (const [name, value] of Object.entries(patch)) {
      if (value === null) merged.delete(name.toLowerCase());
      else if (typeof value === 'string') merged.set(name.toLowerCase(), [name, value]);
    }
    next.headers = Object.fromEntries(merged.values());
    // The patch alone past the bound already has its message.
    if (merged.size > HEADERS_MAX && Object.keys(patch).length <= HEADERS_MAX) errors.add('headers', `must have at most ${HEADERS_MAX} headers once merged with those the endpoint has`);
  }

  if (body.filter !== undefined) {
    if (body.filter === null) next.filter = null;
    else {
      addFilterProblems(body.filter, errors);
      next.filter = body.filter as EventFilter;
    }
  }

  if (body.client_certificate !== undefined) {
    if (body.client_certificate === null) next.clientCertificate = null;
    else {
      const checked = checkClientCertificate(body.client_certificate, now);
      if ('problems' in checked) {
        for (const [field, messages] of Object.entries(checked.problems)) for (const m of messages) errors.add(`client_certificate.${field}`, m);
      } else next.clientCertificate = checked.value;
    }
  }

  if (body.signing !== undefined && body.signing !== next.signing) {
    next.signing = body.signing;
    // A new pair on each switch to Ed25519; back to HMAC drops the keys, so nothing signs v1a.
    next.signingKey = body.signing === 'ed25519' ? newSigningKey() : null;
    next.previousSigningKeys = [];
  }
  return next;
}

/**
 * One call for a receiver: verify whichever signature the request carries, then turn the body,
 * `basic` or `cloud_events`, into one typed event.
 *
 * Which signature: with `scheme: 'auto'` (the default), X-Falu-Signature when it is present,
 * otherwise the Standard Webhooks headers. hookd sends both, over the same bytes with the same
 * secret, so checking a second one adds no assurance; X-Falu-Signature is preferred because its
 * key is the secret string as hookd shows it. Exception: a secret written `whsec_…` is a Standard
 * Webhooks secret, so the Standard Webhooks headers are used when present. `scheme: 'both'`
 * requires and checks both; `'falu'` or `'standard'` checks only that one.
 *
 * A public key (`whpk_…`, or an array of them during a key roll) in place of the secret checks
 * the `v1a` entries of an Ed25519 endpoint (ed25519.ts), whatever `scheme` says but 'falu' and
 * 'both': X-Falu-Signature is always HMAC, so checking it needs the secret.
 */
import { bodyBytes, decodeUtf8, type RawBody } from './encoding.js';
import { verifyEd25519Webhook, isPublicKey } from './ed25519.js';
import { InvalidPayloadError, InvalidSecretError, MissingHeaderError } from './errors.js';
import type { HookdEventType } from './event-types.js';
import { FALU_SIGNATURE_HEADER, verifyFaluSignature, type VerifiedSignature } from './falu.js';
import { getHeader, type HeadersInput } from './headers.js';
import { verifyStandardWebhook } from './standard.js';
import type { VerifyOptions } from './timestamp.js';

/** A hookd event, whichever format it was delivered in. */
export interface WebhookEvent<TObject = Record<string, unknown>, TType extends string = HookdEventType | (string & {})> {
  /** The event id (`evt_…`); the same on every retry, so deduplicate on it. */
  id: string;
  /** The event type, without the CloudEvents type prefix. */
  type: TType;
  /** When the event was created, ISO 8601 (`created` in basic, `time` in CloudEvents). */
  created: string;
  data: {
    object: TObject;
    /** The changed attributes' previous values, on `*.updated` events. */
    previous?: Record<string, unknown>;
  };
  /** The workspace the event belongs to. */
  workspace: string;
  /** true in live mode, false in test mode. */
  live: boolean;
  /** The API request that caused the event (basic format only). */
  request?: { id: string | null; idempotency_key: string | null };
}

export interface ConstructEventOptions extends VerifyOptions {
  /**
   * The prefix of CloudEvents `type`s, removed from `event.type` (hookd's
   * HOOKD_CLOUDEVENTS_TYPE_PREFIX). Default `io.falu.`; `''` removes nothing.
   */
  typePrefix?: string;
  /** Which signature to check; see the module comment. Default 'auto'. */
  scheme?: 'auto' | 'falu' | 'standard' | 'both';
}

export const DEFAULT_TYPE_PREFIX = 'io.falu.';

/** The endpoint's HMAC secret (`fwhs_…`), or for an Ed25519 endpoint its public key (`whpk_…`) or several during a key roll. */
export type SecretOrPublicKeys = string | readonly string[];

function hasStandardHeaders(headers: HeadersInput): boolean {
  return ['webhook-id', 'webhook-timestamp', 'webhook-signature'].some((h) => getHeader(headers, h) !== undefined);
}

/** Verifies the request's signature as chosen by `options.scheme`; resolves with what was verified (the first, for 'both'). */
export async function verifyWebhook(rawBody: RawBody, headers: HeadersInput, secret: SecretOrPublicKeys, options: ConstructEventOptions = {}): Promise<VerifiedSignature> {
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers must be a Headers instance or a plain object');
  const scheme = options.scheme ?? 'auto';
  if (isPublicKey(secret) || Array.isArray(secret)) {
    if (scheme === 'falu' || scheme === 'both') {
      throw new InvalidSecretError(`options.scheme '${scheme}' checks X-Falu-Signature, which is HMAC: pass the endpoint's secret (fwhs_…), not its public key.`, { scheme: 'falu' });
    }
    return verifyEd25519Webhook(rawBody, headers, secret, options);
  }
  // Not a public key: an HMAC secret, which the verifiers check (a non-string gets their invalid_secret).
  const hmacSecret = secret as string;
  const falu = getHeader(headers, FALU_SIGNATURE_HEADER);
  const faluPresent = falu !== undefined && falu.trim() !== '';
  const standardPresent = hasStandardHeaders(headers);
  switch (scheme) {
    case 'falu':
      return verifyFaluSignature(rawBody, falu, hmacSecret, options);
    case 'standard':
      return verifyStandardWebhook(rawBody, headers, hmacSecret, options);
    case 'both': {
      const first = await verifyFaluSignature(rawBody, falu, hmacSecret, options);
      await verifyStandardWebhook(rawBody, headers, hmacSecret, options);
      return first;
    }
    case 'auto': {
      const preferStandard = typeof hmacSecret === 'string' && hmacSecret.startsWith('whsec_') && standardPresent;
      if (faluPresent && !preferStandard) return verifyFaluSignature(rawBody, falu, hmacSecret, options);
      if (standardPresent) return verifyStandardWebhook(rawBody, headers, hmacSecret, options);
      bodyBytes(rawBody); // a body mistake is the more useful error
      throw new MissingHeaderError(
        'The request has neither an X-Falu-Signature header nor the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature): ' +
        'is it from hookd? Check that a proxy or your framework does not drop them.',
      );
    }
    default:
      throw new TypeError(`options.scheme must be 'auto', 'falu', 'standard' or 'both', not ${JSON.stringify(scheme)}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(reason: string): InvalidPayloadError {
  return new InvalidPayloadError(
    `The signature is valid, but the body is not a hookd event: ${reason}. ` +
    'Expected the basic format ({id, type, created, data: {object}, workspace, live}) or CloudEvents 1.0 structured JSON.',
  );
}

function field<T>(obj: Record<string, unknown>, name: string, kind: 'string' | 'boolean', where = ''): T {
  const value = obj[name];
  if (typeof value !== kind) throw invalid(`${where}${name} is ${value === undefined ? 'missing' : `not a ${kind}`}`);
  return value as T;
}

function eventData(obj: Record<string, unknown>): WebhookEvent['data'] {
  const data = obj.data;
  if (!isObject(data)) throw invalid('data is missing or not an object');
  if (!('object' in data)) throw invalid('data.object is missing');
  const out: WebhookEvent['data'] = { object: data.object as Record<string, unknown> };
  if (data.previous !== undefined && data.previous !== null) {
    if (!isObject(data.previous)) throw invalid('data.previous is not an object');
    out.previous = data.previous;
  }
  return out;
}

/**
 * Turns a parsed delivery body into a {@link WebhookEvent}: CloudEvents when it has
 * `specversion`, basic otherwise. Throws `invalid_payload` when it is neither.
 */
export function parseEvent<TObject = Record<string, unknown>>(payload: unknown, options: Pick<ConstructEventOptions, 'typePrefix'> = {}): WebhookEvent<TObject> {
  if (!isObject(payload)) throw invalid('it is not a JSON object');
  const id = field<string>(payload, 'id', 'string');
  const data = eventData(payload) as WebhookEvent<TObject>['data'];
  const workspace = field<string>(payload, 'workspace', 'string');
  const live = field<boolean>(payload, 'live', 'boolean');
  if (payload.specversion !== undefined) {
    if (payload.specversion !== '1.0') throw invalid(`specversion is ${JSON.stringify(payload.specversion)}, not "1.0"`);
    const prefix = options.typePrefix ?? DEFAULT_TYPE_PREFIX;
    const fullType = field<string>(payload, 'type', 'string');
    if (!fullType.startsWith(prefix)) {
      throw invalid(
        `the CloudEvents type ${JSON.stringify(fullType)} does not start with the expected prefix ${JSON.stringify(prefix)}; ` +
        'set options.typePrefix to the sender\'s HOOKD_CLOUDEVENTS_TYPE_PREFIX',
      );
    }
    return { id, type: fullType.slice(prefix.length), created: field<string>(payload, 'time', 'string'), data, workspace, live };
  }
  const event: WebhookEvent<TObject> = { id, type: field<string>(payload, 'type', 'string'), created: field<string>(payload, 'created', 'string'), data, workspace, live };
  if (isObject(payload.request)) {
    const { id: requestId, idempotency_key: key } = payload.request;
    event.request = { id: typeof requestId === 'string' ? requestId : null, idempotency_key: typeof key === 'string' ? key : null };
  }
  return event;
}

/**
 * Verifies the request (see {@link verifyWebhook}) and parses its body into one typed event.
 * Rejects with a {@link WebhookVerificationError}; the body is parsed only after its signature
 * has been verified.
 *
 * @example
 *   const event = await constructEvent(await request.text(), request.headers, process.env.HOOKD_SECRET!);
 *   if (event.type === 'message.delivered') …
 */
export async function constructEvent<TObject = Record<string, unknown>>(
  rawBody: RawBody,
  headers: HeadersInput,
  secret: SecretOrPublicKeys,
  options: ConstructEventOptions = {},
): Promise<WebhookEvent<TObject>> {
  const bytes = bodyBytes(rawBody);
  await verifyWebhook(bytes, headers, secret, options);
  let payload: unknown;
  try {
    payload = JSON.parse(decodeUtf8(bytes));
  } catch (err) {
    throw invalid(`it is not UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseEvent<TObject>(payload, options);
}

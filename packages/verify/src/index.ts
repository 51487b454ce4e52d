/**
 * @hookd/verify: verify hookd webhook deliveries (X-Falu-Signature, Standard Webhooks v1 and v1a) with
 * WebCrypto, turn them into typed events, and receive them in node:http, Express, Fastify and
 * Hono without losing the raw body. Zero dependencies; Node 18+, Deno, Bun and edge runtimes.
 */
export { verifyFaluSignature, parseFaluSignature, FALU_SIGNATURE_HEADER, type VerifiedSignature, type ParsedFaluSignature } from './falu.js';
export { verifyStandardWebhook, standardWebhooksKey, STANDARD_HEADERS } from './standard.js';
export { verifyEd25519Webhook, ed25519PublicKeyBytes, parseEd25519Signature, isPublicKey, PUBLIC_KEY_PREFIX } from './ed25519.js';
export {
  constructEvent, verifyWebhook, parseEvent, DEFAULT_TYPE_PREFIX,
  type WebhookEvent, type ConstructEventOptions, type SecretOrPublicKeys,
} from './construct.js';
export {
  WebhookVerificationError, MissingHeaderError, MalformedHeaderError, TimestampTooOldError, TimestampInFutureError,
  SignatureMismatchError, InvalidSecretError, UnsupportedBodyError, InvalidPayloadError, UnsupportedRuntimeError,
  isWebhookVerificationError,
  type WebhookVerificationErrorCode, type WebhookVerificationErrorDetails, type SignatureScheme,
} from './errors.js';
export { DEFAULT_TOLERANCE, MAX_FUTURE_SKEW, type VerifyOptions } from './timestamp.js';
export type { RawBody } from './encoding.js';
export type { HeadersInput, HeadersLike } from './headers.js';
export type { CryptoLike, SubtleCryptoLike } from './hmac.js';
export { DEFAULT_EVENT_TYPES, isHookdEventType, type HookdEventType, type FaluEventType, type HookdOperationalEventType } from './event-types.js';
export {
  createNodeHandler, readRawBody, BodyTooLargeError, DEFAULT_MAX_BODY_BYTES,
  type AdapterOptions, type NodeHandlerOptions, type NodeWebhookHandler, type NodeRequestLike, type NodeResponseLike,
} from './adapters/node.js';
export { expressWebhook, type ExpressWebhookOptions, type ExpressRequestLike, type ExpressResponseLike, type WebhookRequest } from './adapters/express.js';
export { fastifyWebhook, type FastifyWebhookOptions, type FastifyInstanceLike, type FastifyRequestLike, type FastifyReplyLike } from './adapters/fastify.js';
export { honoWebhook, type HonoWebhookOptions, type HonoWebhookVariables, type HonoContextLike } from './adapters/hono.js';

/**
 * Every way a delivery can fail verification, as one error class with a stable `code` (and a
 * subclass per code for `instanceof`). Messages say what to check, never just "invalid".
 */

export type WebhookVerificationErrorCode =
  /** A signature header is absent (or empty). */
  | 'missing_header'
  /** A signature header is present but does not have the documented shape. */
  | 'malformed_header'
  /** The signed timestamp is older than the tolerance: a replay, a long delay, or clock skew. */
  | 'timestamp_too_old'
  /** The signed timestamp is further in the future than the allowed skew: clock skew. */
  | 'timestamp_in_future'
  /** No signature entry matches: wrong secret, or the body is not the bytes that were signed. */
  | 'signature_mismatch'
  /** The secret or public key given to the verifier cannot be used (empty, or not base64 where a key is needed). */
  | 'invalid_secret'
  /** The body is not a string, Uint8Array or ArrayBuffer (e.g. it was already parsed as JSON). */
  | 'unsupported_body'
  /** The signature is valid but the body is not a hookd event (basic or CloudEvents). */
  | 'invalid_payload'
  /** The runtime has no WebCrypto (`globalThis.crypto.subtle`) and none was passed in. */
  | 'unsupported_runtime';

/** Which signature scheme an error is about. */
/** `ed25519`: the Standard Webhooks headers' `v1a` entries, checked with a public key. */
export type SignatureScheme = 'falu' | 'standard' | 'ed25519';

export interface WebhookVerificationErrorDetails {
  scheme?: SignatureScheme;
  /** The header concerned, lowercase. */
  header?: string;
  /** The signed timestamp, Unix seconds (timestamp errors). */
  timestamp?: number;
  /** The verifier's clock, Unix seconds (timestamp errors). */
  now?: number;
}

export class WebhookVerificationError extends Error {
  override readonly name: string = 'WebhookVerificationError';
  readonly code: WebhookVerificationErrorCode;
  readonly scheme: SignatureScheme | undefined;
  readonly header: string | undefined;
  readonly timestamp: number | undefined;
  readonly now: number | undefined;

  constructor(code: WebhookVerificationErrorCode, message: string, details: WebhookVerificationErrorDetails = {}) {
    super(message);
    this.code = code;
    this.scheme = details.scheme;
    this.header = details.header;
    this.timestamp = details.timestamp;
    this.now = details.now;
  }

  /**
   * True for the failures that a sender (or an attacker) caused: answer them with 400. False for
   * the receiver's own configuration mistakes (`invalid_secret`, `unsupported_body`,
   * `unsupported_runtime`): those are the receiving server's bug, so answer 500 and fix them.
   */
  get isRequestError(): boolean {
    return !CONFIGURATION_CODES.has(this.code);
  }

  toJSON(): { code: WebhookVerificationErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

const CONFIGURATION_CODES: ReadonlySet<WebhookVerificationErrorCode> = new Set(['invalid_secret', 'unsupported_body', 'unsupported_runtime']);

export class MissingHeaderError extends WebhookVerificationError {
  override readonly name = 'MissingHeaderError';
  declare readonly code: 'missing_header';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('missing_header', message, details); }
}

export class MalformedHeaderError extends WebhookVerificationError {
  override readonly name = 'MalformedHeaderError';
  declare readonly code: 'malformed_header';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('malformed_header', message, details); }
}

export class TimestampTooOldError extends WebhookVerificationError {
  override readonly name = 'TimestampTooOldError';
  declare readonly code: 'timestamp_too_old';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('timestamp_too_old', message, details); }
}

export class TimestampInFutureError extends WebhookVerificationError {
  override readonly name = 'TimestampInFutureError';
  declare readonly code: 'timestamp_in_future';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('timestamp_in_future', message, details); }
}

export class SignatureMismatchError extends WebhookVerificationError {
  override readonly name = 'SignatureMismatchError';
  declare readonly code: 'signature_mismatch';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('signature_mismatch', message, details); }
}

export class InvalidSecretError extends WebhookVerificationError {
  override readonly name = 'InvalidSecretError';
  declare readonly code: 'invalid_secret';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('invalid_secret', message, details); }
}

export class UnsupportedBodyError extends WebhookVerificationError {
  override readonly name = 'UnsupportedBodyError';
  declare readonly code: 'unsupported_body';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('unsupported_body', message, details); }
}

export class InvalidPayloadError extends WebhookVerificationError {
  override readonly name = 'InvalidPayloadError';
  declare readonly code: 'invalid_payload';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('invalid_payload', message, details); }
}

export class UnsupportedRuntimeError extends WebhookVerificationError {
  override readonly name = 'UnsupportedRuntimeError';
  declare readonly code: 'unsupported_runtime';
  constructor(message: string, details?: WebhookVerificationErrorDetails) { super('unsupported_runtime', message, details); }
}

/** `instanceof` that also works across copies of this package (two versions, bundles, realms). */
export function isWebhookVerificationError(err: unknown): err is WebhookVerificationError {
  if (err instanceof WebhookVerificationError) return true;
  return typeof err === 'object' && err !== null
    && typeof (err as { code?: unknown }).code === 'string' && 'isRequestError' in err
    && typeof (err as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * The one error class of hookd. Every failure that reaches a caller is a HookdError with a
 * stable `code`; api/plugins/problem.ts is the only place that turns a code into an HTTP
 * status, and retry logic (delivery) branches on the code, never on the message.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unprocessable'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'idempotency_conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'not_acceptable'
  | 'rate_limited'
  | 'store_unavailable'
  /** /ready: a check failed (store, migrations, dispatcher); the problem's `errors` name it. */
  | 'not_ready'
  | 'config_invalid'
  | 'internal';

/** `{field: [messages]}`, as the problem document's `errors` member. */
export type FieldErrors = Record<string, string[]>;

export interface HookdErrorOptions {
  detail?: string;
  errors?: FieldErrors;
  /** Seconds, sent back as Retry-After where it means something (429, 503). */
  retryAfter?: number;
  cause?: unknown;
}

export class HookdError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly errors: FieldErrors | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, title: string, options: HookdErrorOptions = {}) {
    super(title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HookdError';
    this.code = code;
    this.detail = options.detail;
    this.errors = options.errors;
    this.retryAfter = options.retryAfter;
  }

  static validation(errors: FieldErrors, detail?: string): HookdError {
    return new HookdError('validation_failed', 'The request is invalid', { errors, detail: detail ?? describe(errors) });
  }

  static notFound(what: string, id?: string): HookdError {
    return new HookdError('not_found', `${what} not found`, {
      detail: id === undefined ? `No such ${what.toLowerCase()}.` : `No ${what.toLowerCase()} with id '${id}' exists here.`,
    });
  }
}

/** "'url' must use https in live mode; 'extra' is not a known field." */
function describe(errors: FieldErrors): string {
  return Object.entries(errors).map(([field, messages]) => `'${field}' ${messages.join(', and ')}`).join('; ') + '.';
}

/** Collects field errors so that a caller reports every broken field at once, not the first. */
export class FieldErrorList {
  readonly errors: FieldErrors = {};

  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw HookdError.validation(this.errors);
  }
}

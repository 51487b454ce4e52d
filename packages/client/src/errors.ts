/**
 * The one error class of @hookd/client. An answer outside 2xx carries the server's problem
 * (RFC 9457, docs/api.md "Errors"); a request that got no answer has status 0 and one of the
 * client's own codes, so callers branch on `code` alone.
 */
import type { Problem } from './types.js';

/** Codes of failures where no answer came. Stable: callers may branch on them. */
export const NO_ANSWER_CODES = {
  /** The connection failed (refused, reset, DNS) or the body could not be read. */
  network: 'network_error',
  /** No answer within the client's `timeout`. */
  timeout: 'timeout',
  /** The caller's AbortSignal aborted the call. */
  aborted: 'aborted',
} as const;

/** The code of an error answer whose body is not a hookd problem (a proxy's HTML 502, say). */
export const UNKNOWN_PROBLEM_CODE = 'http_error';

const PROBLEM_PREFIX = 'urn:hookd:problem:';

export interface HookdApiErrorInit {
  status: number;
  code: string;
  /** The problem the server answered; absent when no answer came or it was not a problem. */
  problem?: Partial<Problem>;
  message: string;
  method: string;
  url: string;
  /** Seconds, from Retry-After (429, 503, and 409 while a keyed request is still running). */
  retryAfter?: number;
  /** The request id hookd answered with (X-Request-Id), also the problem's traceId. */
  requestId?: string;
  cause?: unknown;
}

export class HookdApiError extends Error {
  override readonly name = 'HookdApiError';
  /** The HTTP status; 0 when no answer came (see `code`). */
  readonly status: number;
  /** The problem type's code (`validation_failed`, `not_found`, …), or a code of NO_ANSWER_CODES, or `http_error`. */
  readonly code: string;
  readonly problem: Partial<Problem> | undefined;
  readonly method: string;
  readonly url: string;
  readonly retryAfter: number | undefined;
  readonly requestId: string | undefined;

  constructor(init: HookdApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.problem = init.problem;
    this.method = init.method;
    this.url = init.url;
    this.retryAfter = init.retryAfter;
    this.requestId = init.requestId;
  }

  /** The messages by field of a `validation_failed` answer (`{}` for any other). */
  get errors(): Record<string, string[]> {
    return this.problem?.errors ?? {};
  }
}

export function isHookdApiError(value: unknown): value is HookdApiError {
  return value instanceof HookdApiError;
}

/** The stable code of a problem's `type`: `urn:hookd:problem:not_found` → `not_found`. */
export function problemCode(problem: Partial<Problem> | undefined): string {
  const type = problem?.type;
  return typeof type === 'string' && type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : UNKNOWN_PROBLEM_CODE;
}

/**
 * `400 Validation failed — 'url' must use http or https`: the status, the title, then the
 * detail, or the broken fields when there is no detail (the detail already names them). A body
 * that is not JSON contributes its first 200 characters as the title.
 */
export function problemMessage(status: number, problem: Partial<Problem> | undefined, text: string): string {
  const title = problem?.title ?? (text.slice(0, 200) || 'request failed');
  const errors = problem?.errors;
  const fields = errors ? ' ' + Object.entries(errors).map(([field, messages]) => `${field}: ${messages.join(', ')}`).join('; ') : '';
  return `${status} ${title}${problem?.detail ? ` — ${problem.detail}` : fields}`;
}

/**
 * One API call: the headers every request carries, the tries and waits of retry.ts within the
 * call's time budget, and each failure made a HookdApiError. Web-standard APIs only (fetch,
 * URL, Headers, AbortController, setTimeout), so it runs on Node 18+, Deno and Bun.
 */
import { HookdApiError, NO_ANSWER_CODES, problemCode, problemMessage } from './errors.js';
import type { Settings } from './options.js';
import { backoffDelay, parseRetryAfter, shouldRetry, withinBudget } from './retry.js';
import type { Problem } from './types.js';

/** A query parameter's value: arrays repeat the parameter (`type=a&type=b`). */
export type QueryValue = string | number | boolean | readonly (string | number | boolean)[] | undefined;

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path with its parameters filled in, e.g. `/v1/events/evt_…`. */
  path: string;
  query?: Record<string, QueryValue> | undefined;
  body?: unknown;
  /** Sent as X-Idempotency-Key; makes a POST or PATCH safe to repeat. */
  idempotencyKey?: string | undefined;
  /** Sent as If-Match: the write happens only if the object's ETag is still this one (412 otherwise). */
  ifMatch?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  data: T;
}

export function queryString(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function headersOf(settings: Settings, call: Call): Headers {
  const headers = new Headers(settings.headers);
  headers.set('authorization', `Bearer ${settings.key}`);
  headers.set('accept', 'application/json, application/problem+json');
  if (settings.workspace !== undefined) headers.set('x-workspace-id', settings.workspace);
  if (settings.live !== undefined) headers.set('x-live-mode', String(settings.live));
  if (call.body !== undefined) headers.set('content-type', 'application/json');
  if (call.idempotencyKey !== undefined) headers.set('x-idempotency-key', call.idempotencyKey);
  if (call.ifMatch !== undefined) headers.set('if-match', call.ifMatch);
  return headers;
}

/** A signal that aborts after `ms` or when the caller's does, and which of the two it was. */
function trySignal(ms: number, caller: AbortSignal | undefined): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const onAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) onAbort();
  else caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}

async function tryOnce<T>(settings: Settings, call: Call, url: string, body: string | undefined): Promise<Answer<T>> {
  const attempt = trySignal(settings.timeout, call.signal);
  const noAnswer = (err: unknown): HookdApiError => {
    const code = call.signal?.aborted ? NO_ANSWER_CODES.aborted : attempt.timedOut() ? NO_ANSWER_CODES.timeout : NO_ANSWER_CODES.network;
    const why = code === 'timeout' ? `no answer within ${settings.timeout} ms` : code === 'aborted' ? 'aborted' : describe(err);
    return new HookdApiError({ status: 0, code, message: `${call.method} ${url}: ${why}`, method: call.method, url, cause: err });
  };
  let response: Response;
  let text: string;
  try {
    response = await settings.fetch(url, { method: call.method, headers: headersOf(settings, call), body, signal: attempt.signal });
    text = await response.text();
  } catch (err) {
    throw noAnswer(err);
  } finally {
    attempt.done();
  }
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (response.status >= 200 && response.status < 300) {
    if (!text) return { status: response.status, headers: response.headers, data: undefined as T };
    try {
      return { status: response.status, headers: response.headers, data: JSON.parse(text) as T };
    } catch (err) {
      throw new HookdApiError({ status: response.status, code: 'invalid_response', message: `${response.status} answer is not JSON: ${text.slice(0, 200)}`, method: call.method, url, requestId, cause: err });
    }
  }
  let problem: Partial<Problem> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) problem = parsed as Partial<Problem>;
  } catch {
    // not JSON (a proxy's page): the message keeps the start of the text
  }
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), settings.now());
  throw new HookdApiError({
    status: response.status, code: problemCode(problem), problem, message: problemMessage(response.status, problem, text),
    method: call.method, url, requestId: requestId ?? problem?.traceId, retryAfter: retryAfter === undefined ? undefined : retryAfter / 1000,
  });
}

/** The words of a fetch failure: Node's fetch says only "fetch failed" and keeps the reason (connect ECONNREFUSED …) in `cause`. */
function describe(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Sends a call, repeating it while retry.ts allows and the budget lasts; `safe` says whether
 * repeating it cannot apply it twice (see shouldRetry). Every try sends the same headers, so
 * the same X-Idempotency-Key.
 */
export async function send<T>(settings: Settings, call: Call, safe: boolean): Promise<Answer<T>> {
  const url = `${settings.base}${call.path}${queryString(call.query)}`;
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const started = settings.now();
  for (let retry = 0; ; retry++) {
    try {
      return await tryOnce<T>(settings, call, url, body);
    } catch (err) {
      if (!(err instanceof HookdApiError) || !shouldRetry(err, safe)) throw err;
      const delay = backoffDelay(retry, err.retryAfter === undefined ? undefined : err.retryAfter * 1000, settings.random);
      if (!withinBudget(started, settings.now(), delay, settings.maxRetryTime)) throw err;
      try {
        await settings.sleep(delay, call.signal);
      } catch {
        // The caller aborted while we waited: the last failure is the answer, with the abort's code.
        throw new HookdApiError({ status: 0, code: NO_ANSWER_CODES.aborted, message: `${call.method} ${url}: aborted`, method: call.method, url, cause: err });
      }
    }
  }
}

/**
 * When @hookd/client tries a request again, and how long it waits first: pure functions, held
 * to a table in test/retry.test.ts. The rule (README.md, "Retries"): a try is repeated only when
 * repeating it cannot do the work twice.
 */

/** ms. The first backoff is about `first`, doubling to at most `max`; a call gives up once a wait would end past its budget. */
export const BACKOFF = { first: 500, max: 10_000 } as const;

export interface Failure {
  /** 0 when no answer came. */
  status: number;
  code: string;
}

/**
 * Whether a failed try may be repeated. `safe`: repeating the request cannot apply it twice
 * (GET, or a POST/PATCH with an X-Idempotency-Key, which hookd answers with the kept answer).
 * - 429 always: the rate limit answers before the route runs, so nothing was done.
 * - No answer (network error, timeout) and 5xx, when safe: the request may or may not have been
 *   applied; with a key a repeat replays it, and 5xx answers are not kept, so it runs again.
 * - 409 `idempotency_conflict` with Retry-After, when safe: the first request with this key is
 *   still running; the repeat gets its answer once it is kept.
 * - Never after the caller aborted, and never for another 4xx: the same request gets the same answer.
 */
export function shouldRetry(failure: Failure & { retryAfter?: number | undefined }, safe: boolean): boolean {
  if (failure.code === 'aborted') return false;
  if (failure.status === 429) return true;
  if (!safe) return false;
  if (failure.status === 0) return true;
  if (failure.status >= 500 && failure.status !== 501) return true;
  return failure.status === 409 && failure.code === 'idempotency_conflict' && failure.retryAfter !== undefined;
}

/**
 * The wait before try number `retry` + 1 (`retry` 0: the first repeat): exponential backoff
 * with "equal jitter" (half the step fixed, half random), so clients that failed together do
 * not return together, yet no wait collapses to zero; and never shorter than the server's
 * Retry-After, which says "not before" (a `Retry-After: 0` does not make a tight loop).
 */
export function backoffDelay(retry: number, retryAfterMs: number | undefined, random: () => number): number {
  const step = Math.min(BACKOFF.max, BACKOFF.first * 2 ** retry);
  return Math.max(retryAfterMs ?? 0, Math.round(step / 2 + (random() * step) / 2));
}

/** Retry-After in ms: delay-seconds, or an HTTP date measured from `now` (never negative); `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its weekday and zone (RFC 9110): a bare number above was seconds, anything else is not a date.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether a call that started at `started` may still wait `delay` ms and try again, within `budget` ms in all (0: never). */
export function withinBudget(started: number, now: number, delay: number, budget: number): boolean {
  return budget > 0 && now + delay - started <= budget;
}

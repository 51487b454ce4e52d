/**
 * What an attempt's outcome means and when the next attempt runs (docs/delivery.md). Pure, so the
 * whole policy is one table of tests.
 *
 * Schedule: entry n (n ≥ 1) is the delay before attempt n+1, counted from the end of the
 * previous attempt; the number of entries is the number of automatic attempts. Each of these
 * delays gets ±20 % jitter so that a burst of failures does not come back as a burst of
 * retries. Entry 0 is the delay from acceptance to the first attempt, applied exactly when the
 * deliveries are written (src/resources/events/queries.ts), not here. The schedule is the
 * endpoint's own when it has one, else HOOKD_RETRY_SCHEDULE (src/domain/retry-schedule.ts).
 */

export type Verdict =
  /** 2xx */
  | 'succeeded'
  /** 410 Gone: the receiver says the endpoint no longer exists; disable it. */
  | 'gone'
  /** Worth trying again: 408, 425, 429, 5xx, 3xx, timeouts, network errors. */
  | 'retry'
  /** Any other 4xx: the receiver rejected this request and would reject it again (Falu's contract). */
  | 'rejected';

export interface AttemptOutcome {
  /** HTTP status, or null when no answer came (timeout, refused, reset, DNS, SSRF guard). */
  status: number | null;
  /** Seconds from Retry-After, when the answer had a usable one. */
  retryAfter?: number | null;
}

const RETRIED_4XX = new Set([408, 425, 429]);

export function verdictOf(outcome: AttemptOutcome, retryOn4xx: boolean): Verdict {
  const { status } = outcome;
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'succeeded';
  if (status === 410) return 'gone';
  if (status >= 500 || (status >= 300 && status < 400) || RETRIED_4XX.has(status)) return 'retry';
  return retryOn4xx ? 'retry' : 'rejected';
}

export const JITTER = 0.2;
/** ms: a Retry-After up to an hour is always honoured; a longer one is cut to the schedule's longest delay (if longer). */
export const RETRY_AFTER_FLOOR_CAP = 3_600_000;

/**
 * Delay in ms before the next automatic attempt, or null when the schedule is spent.
 * `attemptsMade` counts automatic attempts so far (≥ 1); `random` is in [0, 1).
 */
export function nextDelay(schedule: readonly number[], attemptsMade: number, random: number, retryAfterSeconds?: number | null): number | null {
  const base = schedule[attemptsMade];
  if (base === undefined) return null;
  let delay = Math.round(base * (1 - JITTER + 2 * JITTER * random));
  if (retryAfterSeconds !== undefined && retryAfterSeconds !== null && retryAfterSeconds > 0) {
    const cap = Math.max(RETRY_AFTER_FLOOR_CAP, ...schedule);
    delay = Math.max(delay, Math.min(retryAfterSeconds * 1000, cap));
  }
  return delay;
}

/** The bounds of a doubling backoff, in ms. */
export interface Backoff {
  /** The delay after the first failure. */
  first: number;
  /** The most it grows to. */
  max: number;
}

/**
 * After a store error: soon enough that a short blip costs little latency, bounded so that a
 * long outage costs one failed statement every few seconds instead of a spin of errors.
 */
export const STORE_RETRY: Backoff = { first: 100, max: 5_000 };

/**
 * The delay before trying again an operation that keeps failing (a store that went away, a
 * dropped LISTEN connection, the CLI's dropped listen socket): `first` after the first
 * failure, then doubling up to `max`. `previous` is the delay used after the last failure, 0
 * when the last try succeeded; the caller keeps it and resets it to 0 on success.
 */
export function retryDelay(previous: number, { first, max }: Backoff): number {
  return previous <= 0 ? first : Math.min(max, previous * 2);
}

/** Retry-After as seconds: a whole number, or an HTTP date relative to `now` (ms). */
export function parseRetryAfter(header: string | undefined, now: number): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date has a weekday and month name; Date.parse would also take "-5" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * An endpoint's own retry schedule (docs/delivery.md, "Per-endpoint retry schedules"): the
 * durations of HOOKD_RETRY_SCHEDULE's entries, one per automatic attempt, entry 0 the delay
 * before the first. Parsing (a broken entry is 400) and the platform's bounds (a schedule past
 * them is 422) are apart, because the request is well formed in the second case and only the
 * operator's settings refuse it.
 */
import { formatDuration, parseDuration } from './duration.js';

/**
 * The hard cap on entries, whatever HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS says: it bounds the
 * request's validation and the stored JSON before the setting is even read.
 */
export const RETRY_SCHEDULE_MAX_ENTRIES = 100;

/** An entry as written: `0`, or a number and one of ms, s, m, h, d (duration.ts); no sign, so never negative. */
export const RETRY_DELAY_PATTERN = '^(0|[0-9]{1,9}(\\.[0-9]{1,3})?(ms|s|m|h|d))$';
export const RETRY_DELAY_RULE = 'must be a duration such as 0, 500ms, 5s, 30m, 2h or 1d';
const RETRY_DELAY = new RegExp(RETRY_DELAY_PATTERN);

/** The platform's bounds on an endpoint's schedule (HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS, HOOKD_ENDPOINT_RETRY_MAX_SPAN). */
export interface RetryScheduleBounds {
  maxAttempts: number;
  /** ms: the most the entries may add up to. */
  maxSpan: number;
}

/**
 * The schedule in ms, or the problems by field (`retry_schedule` for the whole, `retry_schedule.3`
 * for an entry). The route's schema states the same rules first, for the OpenAPI document and
 * Ajv's messages; this is the rule itself, so that what is stored never rests on a schema alone.
 */
export function parseRetrySchedule(value: unknown): { schedule: number[] } | { problems: Record<string, string> } {
  if (!Array.isArray(value)) return { problems: { retry_schedule: 'must be an array of durations, or null' } };
  if (value.length === 0) {
    return { problems: { retry_schedule: 'must have at least one entry: entry 0 is the delay before the first attempt (["0"] is one attempt and no retries)' } };
  }
  if (value.length > RETRY_SCHEDULE_MAX_ENTRIES) return { problems: { retry_schedule: `must have at most ${RETRY_SCHEDULE_MAX_ENTRIES} entries` } };
  const problems: Record<string, string> = {};
  const schedule = value.map((entry, i) => {
    const ms = typeof entry === 'string' && RETRY_DELAY.test(entry) ? parseDuration(entry) : undefined;
    if (ms === undefined) problems[`retry_schedule.${i}`] = RETRY_DELAY_RULE;
    return ms ?? 0;
  });
  return Object.keys(problems).length > 0 ? { problems } : { schedule };
}

/** Why `schedule` is past the platform's bounds, naming the setting; empty when within them. */
export function retryScheduleBoundProblems(schedule: readonly number[], { maxAttempts, maxSpan }: RetryScheduleBounds): string[] {
  const problems: string[] = [];
  if (schedule.length > maxAttempts) {
    problems.push(`must have at most ${maxAttempts} entries, one per attempt (HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS); it has ${schedule.length}`);
  }
  const span = schedule.reduce((sum, ms) => sum + ms, 0);
  if (span > maxSpan) {
    problems.push(`must add up to at most ${formatDuration(maxSpan)} (HOOKD_ENDPOINT_RETRY_MAX_SPAN); it adds up to ${formatDuration(span)}`);
  }
  return problems;
}

/** The schedule as the API shows it: each entry in its largest whole unit (`90s`, `5m`, `1500ms`, `0`). */
export const formatRetrySchedule = (schedule: readonly number[]): string[] => schedule.map(formatDuration);

/** The schedule a delivery of the endpoint follows: its own, or the platform's (HOOKD_RETRY_SCHEDULE). */
export function scheduleInForce(own: readonly number[] | null, platform: readonly number[]): { schedule: readonly number[]; source: 'endpoint' | 'platform' } {
  return own === null ? { schedule: platform, source: 'platform' } : { schedule: own, source: 'endpoint' };
}

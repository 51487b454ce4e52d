import { describe, expect, it } from 'vitest';
import type { Delivery, Endpoint } from '../domain/types.js';
import type { AttemptRun } from './attempt.js';
import { attemptOutcome } from './outcome.js';

const END = 1_000_000;
const PLATFORM = [0, 5_000, 300_000];
const config = { retrySchedule: PLATFORM, retryOn4xx: false, disableAfter: 86_400_000 };

const delivery = (attemptCount: number) => ({ id: 'wh_1', endpoint: 'we_1', workspace: 'wksp_1', live: false, attemptCount }) as Delivery;
const endpoint = (retrySchedule: number[] | null) => ({ id: 'we_1', failingSince: null, retrySchedule }) as Endpoint;
const run = (status: number | null, retryAfter: number | null = null) => ({
  attempt: { successful: status !== null && status < 300 }, result: { status, retryAfter },
}) as AttemptRun;

describe('attemptOutcome: the schedule in force', () => {
  it.each([
    // [endpoint's own schedule, attempts before this one, status, Retry-After, expected status, expected delay]
    [null, 0, 500, null, 'pending', 5_000], // the platform's entry 1
    [null, 2, 500, null, 'failed', null], // the platform's schedule spent after 3 attempts
    [[0, 1_000, 2_000], 0, 500, null, 'pending', 1_000], // the endpoint's entry 1, not the platform's
    [[0, 1_000, 2_000], 1, null, null, 'pending', 2_000],
    [[0, 1_000, 2_000], 2, 503, null, 'failed', null], // the endpoint's spent after its 3 attempts
    [[0], 0, 500, null, 'failed', null], // one attempt, no retries
    [[0, 1_000, 2_000, 3_000, 4_000], 3, 500, null, 'pending', 4_000], // longer than the platform's
    [[0, 1_000], 0, 429, 60, 'pending', 60_000], // Retry-After still applies
    [[0, 1_000], 1, 429, 60, 'failed', null], // but never past the schedule's end
    [[0, 1_000], 0, 200, null, 'succeeded', null],
    [[0, 1_000], 0, 400, null, 'failed', null], // rejected whatever the schedule
  ] as const)('own %j after %d attempts, answer %s (Retry-After %s) → %s in %s ms', (own, made, status, retryAfter, expected, delay) => {
    const result = attemptOutcome({ config, end: END, random: () => 0.5 }, delivery(made), endpoint(own === null ? null : [...own]), run(status, retryAfter));
    expect(result.status).toBe(expected);
    expect(result.nextAttemptAt).toBe(delay === null ? null : END + delay);
  });
});

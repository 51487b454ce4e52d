import { describe, expect, it } from 'vitest';
import { formatRetrySchedule, parseRetrySchedule, RETRY_DELAY_RULE, retryScheduleBoundProblems, scheduleInForce } from './retry-schedule.js';

describe('parseRetrySchedule', () => {
  it.each([
    [['0'], [0]],
    [['0', '5s', '1m'], [0, 5_000, 60_000]],
    [['500ms', '1.5s', '2h', '1d'], [500, 1_500, 7_200_000, 86_400_000]],
    [['0', '0', '0'], [0, 0, 0]],
    [Array.from({ length: 100 }, () => '1s'), Array.from({ length: 100 }, () => 1_000)],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetrySchedule(value)).toEqual({ schedule: expected });
  });

  it.each([
    ['5s', { retry_schedule: 'must be an array of durations, or null' }],
    [{ 0: '5s' }, { retry_schedule: 'must be an array of durations, or null' }],
    [[], { retry_schedule: 'must have at least one entry: entry 0 is the delay before the first attempt (["0"] is one attempt and no retries)' }],
    [Array.from({ length: 101 }, () => '1s'), { retry_schedule: 'must have at most 100 entries' }],
    [['0', '-5s'], { 'retry_schedule.1': RETRY_DELAY_RULE }],
    [['0', '5', 'soon', '5s'], { 'retry_schedule.1': RETRY_DELAY_RULE, 'retry_schedule.2': RETRY_DELAY_RULE }],
    [['0', 5], { 'retry_schedule.1': RETRY_DELAY_RULE }],
    [[' 5s'], { 'retry_schedule.0': RETRY_DELAY_RULE }],
    [['5 s'], { 'retry_schedule.0': RETRY_DELAY_RULE }],
    [['PT5S'], { 'retry_schedule.0': RETRY_DELAY_RULE }],
    [['9999999999d'], { 'retry_schedule.0': RETRY_DELAY_RULE }],
    [[null], { 'retry_schedule.0': RETRY_DELAY_RULE }],
  ])('%j is refused: %j', (value, problems) => {
    expect(parseRetrySchedule(value)).toEqual({ problems });
  });
});

describe('retryScheduleBoundProblems', () => {
  const bounds = { maxAttempts: 3, maxSpan: 60_000 };
  it.each([
    [[0], []],
    [[0, 30_000, 30_000], []], // exactly at both bounds
    [[0, 1, 1, 1], ['must have at most 3 entries, one per attempt (HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS); it has 4']],
    [[0, 60_001], ['must add up to at most 1m (HOOKD_ENDPOINT_RETRY_MAX_SPAN); it adds up to 60001ms']],
    [[60_000, 60_000, 60_000, 60_000], [
      'must have at most 3 entries, one per attempt (HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS); it has 4',
      'must add up to at most 1m (HOOKD_ENDPOINT_RETRY_MAX_SPAN); it adds up to 4m',
    ]],
  ])('%j → %j', (schedule, expected) => {
    expect(retryScheduleBoundProblems(schedule, bounds)).toEqual(expected);
  });
});

describe('formatRetrySchedule', () => {
  it('writes each entry in its largest whole unit', () => {
    expect(formatRetrySchedule([0, 500, 1_500, 5_000, 90_000, 300_000, 7_200_000, 86_400_000])).toEqual(['0', '500ms', '1500ms', '5s', '90s', '5m', '2h', '1d']);
  });

  it('round-trips through the parser', () => {
    const schedule = [0, 1_500, 90_000, 36_000_000];
    expect(parseRetrySchedule(formatRetrySchedule(schedule))).toEqual({ schedule });
  });
});

describe('scheduleInForce', () => {
  const platform = [0, 5_000];
  it.each([
    [null, { schedule: platform, source: 'platform' }],
    [[0, 1_000, 2_000], { schedule: [0, 1_000, 2_000], source: 'endpoint' }],
    [[0], { schedule: [0], source: 'endpoint' }],
  ] as const)('own %j → %j', (own, expected) => {
    expect(scheduleInForce(own, platform)).toEqual(expected);
  });
});

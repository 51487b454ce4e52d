import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseDurationWithin, parseIsoDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0], ['250ms', 250], ['5s', 5_000], ['1.5s', 1_500], ['5m', 300_000], ['2h', 7_200_000], ['5d', 432_000_000],
    [' 60s ', 60_000], ['5', undefined], ['5 s', undefined], ['-5s', undefined], ['5w', undefined], ['', undefined], ['s', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([[0, '0'], [250, '250ms'], [5_000, '5s'], [300_000, '5m'], [36_000_000, '10h'], [172_800_000, '2d']])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('parseDurationWithin', () => {
  it.each([
    ['100ms', { min: 100 }, 100], ['99ms', { min: 100 }, undefined], ['30d', { min: 100 }, 2_592_000_000],
    ['1s', { min: 1_000, max: 3_600_000 }, 1_000], ['1h', { min: 1_000, max: 3_600_000 }, 3_600_000],
    ['999ms', { min: 1_000, max: 3_600_000 }, undefined], ['3600001ms', { min: 1_000, max: 3_600_000 }, undefined],
    ['0', { min: 0 }, 0], ['0', { min: 1 }, undefined], ['5', { min: 0 }, undefined], ['soon', { min: 0 }, undefined],
  ])('%j within %j → %j', (text, bounds, expected) => {
    expect(parseDurationWithin(text, bounds)).toBe(expected);
  });
});

describe('parseIsoDuration', () => {
  it.each([
    ['PT1H', 3_600_000], ['PT60M', 3_600_000], ['PT90S', 90_000], ['PT1.5S', 1_500], ['PT0,5S', 500], ['PT0S', 0],
    ['P1D', 86_400_000], ['P1W', 604_800_000], ['P1DT2H', 93_600_000], ['PT1H30M', 5_400_000],
    ['P', undefined], ['PT', undefined], ['P1DT', undefined], ['1H', undefined], ['pt1h', undefined], ['PT1H ', undefined],
    ['P1Y', undefined], ['P1M', undefined], ['PT-1H', undefined], ['PT1M1H', undefined], ['', undefined], ['01:00:00', undefined],
    [`PT${'9'.repeat(30)}H`, undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseIsoDuration(text)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { isFaluVersion } from './falu-version.js';

describe('isFaluVersion', () => {
  it.each([
    ['2022-05-01', true], ['2022-09-01', true], ['2024-06-01', true], ['2030-12-31', true],
    ['', false], ['latest', false], ['2022-9-1', false], ['2022-02-30', false], ['2022-13-01', false],
    ['2022-09-01T00:00:00Z', false], ['20220901', false], ['v1', false],
  ])('%j → %j', (value, ok) => {
    expect(isFaluVersion(value)).toBe(ok);
  });
});

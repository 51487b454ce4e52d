import { describe, expect, it } from 'vitest';
import { booleanText } from './boolean-text.js';

describe('booleanText', () => {
  it.each([
    ['true', true], ['false', false], ['True', true], ['False', false], ['TRUE', true], ['FALSE', false], ['tRuE', true], [' false ', false],
    ['', null], ['1', null], ['0', null], ['yes', null], ['maybe', null], ['truee', null], ['true,false', null], ['t', null], ['on', null],
  ])('%j is %j', (value, expected) => {
    expect(booleanText(value)).toBe(expected);
  });
});

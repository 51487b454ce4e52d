import { describe, expect, it } from 'vitest';
import { patternShape } from './regex-cost.js';

describe('patternShape', () => {
  it.each([
    // pattern, automaton states, characters read (Infinity: the whole input)
    ['^[A-Z]{3}$', 3, 3],
    ['^\\+?[1-9]\\d{1,14}$', 16, 16],
    ['^(cat|dog)$', 6, 3],
    ['^[a-z]*$', 1, Infinity],
    ['[a-z]+x', 2, Infinity],
    ['a[ab]{999}[c-z]', 1001, Infinity],
    ['^a|b', 2, Infinity], // one alternative is not anchored
    ['', 0, Infinity],
  ])('%s: %d states, reads %d', (pattern, states, reads) => {
    expect(patternShape(pattern)).toEqual({ states, reads });
  });

  it('is undefined for what does not parse', () => {
    expect(patternShape('(')).toBeUndefined();
  });
});

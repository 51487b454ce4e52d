/** jsonDepth counts nesting without parsing: it must agree with the parsed document, whatever the strings hold. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepth } from './body.js';

/** Depth of the deepest array or object: a scalar is 0, `[]` is 1. */
function reference(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(reference));
}

// Strings full of the characters the scanner must not count: brackets, quotes, backslashes.
const tricky = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', 'a', ' ', '\u2028', '\uD800') });
const json = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'medium' },
    tricky, fc.integer(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('jsonDepth', () => {
  it('matches the depth of the parsed document', () => {
    fc.assert(fc.property(fc.oneof(json, fc.jsonValue()), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
      const text = JSON.stringify(value, null, indent);
      expect(jsonDepth(text)).toBe(reference(JSON.parse(text)));
    }), { numRuns: 500 });
  });

  it('counts n nested arrays or objects as n', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5_000 }), fc.boolean(), (n, arrays) => {
      const text = arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
      expect(jsonDepth(text)).toBe(n);
    }));
  });
});

/** Ids sort by creation time as plain strings (docs/api.md), to the millisecond, until the year 8888. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isId, newId, type IdPrefix } from './ids.js';

const prefix = fc.constantFrom<IdPrefix>('wksp', 'we', 'evt', 'wh', 'wha', 'req');
/** 8 base62 characters of milliseconds: 62^8 ms, about the year 8888. */
const time = fc.integer({ min: 0, max: 62 ** 8 - 1 });

describe('ids', () => {
  it('an id made at an earlier millisecond sorts first, and every id is well-formed', () => {
    fc.assert(fc.property(prefix, time, time, (p, a, b) => {
      const [x, y] = [newId(p, a), newId(p, b)];
      expect(isId(x, p) && isId(y, p)).toBe(true);
      if (a < b) expect(x < y).toBe(true);
      if (a > b) expect(x > y).toBe(true);
    }));
  });

  it('an id is not an id of another prefix, nor with any character changed to a non-base62 one', () => {
    fc.assert(fc.property(prefix, prefix, time, fc.nat(), fc.constantFrom('-', '_', '.', ' ', 'é', '/'), (p, q, t, at, c) => {
      const id = newId(p, t);
      if (q !== p) expect(isId(id, q)).toBe(false);
      const i = p.length + 1 + (at % 24);
      expect(isId(id.slice(0, i) + c + id.slice(i + 1), p)).toBe(false);
    }));
  });
});

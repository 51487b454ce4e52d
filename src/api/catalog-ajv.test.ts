/**
 * What the catalog's Ajv spends, counted rather than timed: the deep comparisons uniqueItems
 * makes, and the errors one failing event produces. schema-cost.ts's bound relies on both.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCatalogAjv } from './catalog-ajv.js';

type Equal = ((a: unknown, b: unknown) => boolean) & { code: string };
// Ajv's uniqueItems calls the function this module exports, looked up when a schema compiles.
const equalModule = createRequire(import.meta.url)('ajv/dist/runtime/equal') as { default: Equal };
const original = equalModule.default;
let compared = 0;

beforeAll(() => {
  equalModule.default = Object.assign((a: unknown, b: unknown) => {
    compared++;
    return original(a, b);
  }, { code: original.code });
});
afterAll(() => {
  equalModule.default = original;
});
beforeEach(() => {
  compared = 0;
});

const distinctArrays = (n: number) => Array.from({ length: n }, (_, i) => [i]);

describe('uniqueItems on items that are not declared scalars', () => {
  it('compares no pair of an array longer than maxItems: maxItems fails first and Ajv stops', () => {
    const validate = createCatalogAjv().ajv.compile({ type: 'array', maxItems: 64, uniqueItems: true });
    expect(validate(distinctArrays(2_000))).toBe(false);
    expect(validate.errors?.map((e) => e.keyword)).toEqual(['maxItems']);
    expect(compared).toBe(0);
  });

  it('compares each pair once within maxItems: at most maxItems·(maxItems−1)/2', () => {
    const validate = createCatalogAjv().ajv.compile({ type: 'array', maxItems: 64, uniqueItems: true });
    expect(validate(distinctArrays(64))).toBe(true);
    expect(compared).toBe(64 * 63 / 2);
  });

  it('compares none when items declare a scalar type: Ajv hashes them', () => {
    const validate = createCatalogAjv().ajv.compile({ type: 'array', items: { type: 'integer' }, uniqueItems: true });
    expect(validate(Array.from({ length: 2_000 }, (_, i) => i))).toBe(true);
    expect(compared).toBe(0);
  });
});

describe('errors of a failing event', () => {
  it('is one, however many values fail: Ajv stops at the first', () => {
    const required = Array.from({ length: 20 }, (_, i) => `field_${i}`);
    const validate = createCatalogAjv().ajv.compile({ type: 'object', properties: { lines: { type: 'array', items: { type: 'object', required } } } });
    // With every error collected, these 2,000 empty objects made 40,000 of them (and a
    // 256 KiB event of them, 1.7 million).
    expect(validate({ lines: Array.from({ length: 2_000 }, () => ({})) })).toBe(false);
    expect(validate.errors).toHaveLength(1);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/lines/0', keyword: 'required', params: { missingProperty: 'field_0' } });
  });
});

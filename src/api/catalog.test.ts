import { describe, expect, it } from 'vitest';
import type { EventType } from '../domain/types.js';
import type { Store } from '../store/types.js';
import { createCatalog } from './catalog.js';

describe('catalog lookups', () => {
  it('reads a found type once, and asks the store again after a miss', async () => {
    const stored = new Map<string, EventType>();
    let reads = 0;
    const store = {
      getEventType: async (name: string) => {
        reads++;
        return stored.get(name) ?? null;
      },
    } as unknown as Store;
    const catalog = createCatalog(store);
    expect(await catalog.get('order.shipped')).toBeNull();
    const type = { name: 'order.shipped', description: null, schema: null, builtin: false, created: 1, updated: 1, etag: 'e' } as unknown as EventType;
    stored.set(type.name, type); // registered meanwhile, possibly by another process
    expect(await catalog.get('order.shipped')).toBe(type);
    expect(await catalog.get('order.shipped')).toBe(type);
    expect(reads).toBe(2);
  });
});

describe('a stored schema that breaks a rule added since it was registered', () => {
  it('is still validated against, and the operator is told once per process', async () => {
    const type = {
      name: 'order.tagged', description: '', builtin: false, created: 1, updated: 1, etag: 'e',
      schema: { type: 'object', properties: { tags: { type: 'array', uniqueItems: true } } },
    } as unknown as EventType;
    const store = { getEventType: async () => type } as unknown as Store;
    const warnings: unknown[][] = [];
    const catalog = createCatalog(store, { warn: (...args: unknown[]) => void warnings.push(args) } as never);
    await catalog.validateData(type, { tags: [[1], [2]] });
    await expect(catalog.validateData(type, { tags: [[1], [1]] })).rejects.toMatchObject({ code: 'unprocessable', errors: { 'data.object.tags': [expect.stringMatching(/duplicate/)] } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![0]).toMatchObject({ eventType: 'order.tagged', problems: { 'schema.properties.tags.uniqueItems': [expect.stringMatching(/maxItems/)] } });
  });
});

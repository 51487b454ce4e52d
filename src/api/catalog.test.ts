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

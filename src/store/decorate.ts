/**
 * The one way a Store is decorated (error classification and durable writes in
 * sql/kysely-store.ts, query timing in timed-store.ts): every method goes through `wrap`, which
 * returns a replacement or the method itself, and everything else is carried over. A method
 * added to the interface reaches every decorator without anyone remembering to list it.
 */
import type { Store } from './types.js';

export type StoreMethod = (...args: unknown[]) => Promise<unknown>;

export function decorateStore(store: Store, wrap: (name: keyof Store, method: StoreMethod) => StoreMethod): Store {
  const decorated: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    decorated[name] = typeof value === 'function' ? wrap(name as keyof Store, value as StoreMethod) : value;
  }
  return decorated as unknown as Store;
}

/**
 * Times every Store call into `hookd_store_query_duration_seconds{operation}` and counts the
 * ones the store could not answer, by decorating the Store once where server/serve.ts opens it:
 * a method added to the interface is timed without anyone remembering to.
 */
import { HookdError } from '../domain/errors.js';
import type { Metrics } from '../metrics.js';
import { decorateStore } from './decorate.js';
import type { Store } from './types.js';

/** Not timed: they hold no query, or (close) end the store. */
const UNTIMED = new Set<keyof Store>(['close', 'onWake']);

export function withQueryTiming(store: Store, metrics: Pick<Metrics, 'storeQueryDuration' | 'storeUnavailable'>): Store {
  return decorateStore(store, (operation, method) => (UNTIMED.has(operation) ? method : async (...args) => {
    const end = metrics.storeQueryDuration.startTimer({ operation });
    try {
      return await method(...args);
    } catch (err) {
      if (err instanceof HookdError && err.code === 'store_unavailable') metrics.storeUnavailable.inc({ operation });
      throw err;
    } finally {
      end();
    }
  }));
}

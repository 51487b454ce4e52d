/**
 * Batches delivery outcomes into one store transaction. A result is written within a few
 * milliseconds of its attempt, and a burst of a thousand costs one commit, not a thousand. A
 * failed write (store down) keeps its results and tries again with backoff: an outcome is
 * never dropped, and until it is written the lease still covers its delivery.
 */
import type { DeliveryResult, Store } from '../store/types.js';

export interface ResultWriterOptions {
  store: Store;
  now: () => number;
  /** Called with the endpoints a written batch disabled. */
  onDisabled: (endpointIds: string[]) => void;
  onError: (err: unknown) => void;
  /** ms to gather a batch */
  linger?: number;
  maxBatch?: number;
}

export function createResultWriter({ store, now, onDisabled, onError, linger = 5, maxBatch = 500 }: ResultWriterOptions) {
  let queue: DeliveryResult[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> | null = null;
  let backoff = 0;

  async function writeAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      try {
        const disabled = await store.recordResults(batch, now());
        queue = queue.slice(batch.length);
        backoff = 0;
        if (disabled.length > 0) onDisabled(disabled);
      } catch (err) {
        onError(err);
        backoff = Math.min(5_000, backoff === 0 ? 100 : backoff * 2);
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    writing ??= writeAll().finally(() => {
      writing = null;
    });
    return writing;
  }

  return {
    push(result: DeliveryResult): void {
      queue.push(result);
      if (queue.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), linger);
    },
    /** Resolves once everything pushed so far is written. */
    async drain(): Promise<void> {
      while (queue.length > 0 || writing) await flush();
    },
    get pending(): number {
      return queue.length;
    },
  };
}

/**
 * Batches delivery outcomes into one store transaction. A result is written within a few
 * milliseconds of its attempt, and a burst of a thousand costs one commit, not a thousand. A
 * failed write (store down) keeps its results and tries again with backoff: an outcome is
 * never dropped, and until it is written the lease still covers its delivery.
 */
import type { DeliveryResult, Store } from '../store/types.js';
import { HookdError } from '../domain/errors.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../metrics.js';
import { retryDelay, STORE_RETRY } from './retry-policy.js';

export interface ResultWriterOptions {
  store: Store;
  now: () => number;
  /** Called with the endpoints a written batch disabled. */
  onDisabled: (endpointIds: string[]) => void;
  onError: (err: unknown) => void;
  /** Counted here, after the write, so that a batch retried after a store error counts once. */
  metrics?: Pick<Metrics, 'deliveries' | 'endpointsDisabled'>;
  /** One line per written outcome, carrying the delivery id: a delivery that ended failed at info, the rest at debug. */
  log?: Pick<FastifyBaseLogger, 'info' | 'debug'>;
  /** Called with each batch once it is written: its leases are released by then. */
  onWritten?: (batch: DeliveryResult[]) => void;
  /** ms to gather a batch */
  linger?: number;
  maxBatch?: number;
}

export function createResultWriter({ store, now, onDisabled, onError, metrics, log, onWritten, linger = 5, maxBatch = 500 }: ResultWriterOptions) {
  let queue: DeliveryResult[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> | null = null;
  let backoff = 0;
  let storeDown = false;

  async function writeAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      try {
        const disabled = await store.recordResults(batch, now());
        queue = queue.slice(batch.length);
        backoff = 0;
        // Clear only once everything that waited is written: outcomes behind this batch may
        // be for leases that ran out during the outage, and a claim now would send them again.
        if (queue.length === 0) storeDown = false;
        countWritten(batch, disabled.length);
        onWritten?.(batch);
        if (disabled.length > 0) onDisabled(disabled);
      } catch (err) {
        onError(err);
        storeDown = err instanceof HookdError && err.code === 'store_unavailable';
        backoff = retryDelay(backoff, STORE_RETRY);
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  function countWritten(batch: DeliveryResult[], disabled: number): void {
    for (const r of batch) {
      if (r.status !== 'pending') metrics?.deliveries.inc({ outcome: r.status });
      if (!log) continue;
      const line = {
        delivery: r.delivery, endpoint: r.endpoint, workspace: r.workspace, status: r.status, code: r.attempt?.code ?? null,
        error: r.attempt?.error ?? null, ms: r.attempt?.time ?? null, next: r.nextAttemptAt,
      };
      if (r.status === 'failed') log.info(line, 'delivery failed');
      else log.debug(line, r.status === 'succeeded' ? 'delivery succeeded' : 'delivery attempt failed; retry scheduled');
    }
    if (disabled > 0) metrics?.endpointsDisabled.inc(disabled);
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
    /**
     * `now`: write without gathering a batch. A FIFO head's outcome is what its queue waits for:
     * the linger would add its few ms to every delivery of an ordered endpoint.
     */
    push(result: DeliveryResult, now = false): void {
      queue.push(result);
      if (now || queue.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), linger);
    },
    /** Resolves once everything pushed so far is written. */
    async drain(): Promise<void> {
      while (queue.length > 0 || writing) await flush();
    },
    /**
     * Outcomes wait because the store was unavailable at the last try. Their leases may run out
     * meanwhile (an outage longer than HOOKD_LEASE), so a claim made before they are written
     * could take and send those deliveries again: the dispatcher waits for this to clear.
     * Other write errors do not set it, so that a bug in one batch cannot stop all delivery.
     */
    get storeDown(): boolean {
      return storeDown && queue.length > 0;
    },
  };
}

export type ResultWriter = ReturnType<typeof createResultWriter>;

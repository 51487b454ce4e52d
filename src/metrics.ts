/**
 * Prometheus metrics (prom-client), one registry per process, passed to whoever records: the
 * API (requests), the dispatcher (attempts, in flight, claims), the result writer (deliveries
 * ended, endpoints disabled), the store decorator (query times). Served at /metrics by every
 * role, so a worker that serves no API can still be scraped. docs/operations.md describes each
 * series; every name starts with `hookd_`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the store gauges read; serve.ts passes the store's own queries (docs/operations.md). */
export interface StoreCounts {
  countPending: () => Promise<number>;
  countFailing: () => Promise<number>;
  /** FIFO endpoints that are blocked, and when the oldest FIFO head was created (ms; null: none). */
  fifoHeads: () => Promise<{ blocked: number; oldestCreated: number | null }>;
  countThrottledWaiting: (now: number) => Promise<number>;
}

export interface MetricsOptions {
  defaultMetrics?: boolean;
  /**
   * Counts read from the store when /metrics is scraped: the deliveries waiting, the endpoints
   * failing. Absent: those gauges are not registered (a bare app in tests has no store worth counting).
   */
  store?: StoreCounts;
  /** ms a count is reused, so that scrapers hitting every process at once cost one count a second. */
  storeCountCacheMs?: number;
  /** ms a scrape waits for a count before reporting NaN: a store that hangs must not hang /metrics. */
  storeCountTimeoutMs?: number;
  now?: () => number;
}

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'hookd_' });
  const registers = [registry];
  if (options.store) {
    const store = options.store;
    const cache = { ms: options.storeCountCacheMs ?? 1_000, timeoutMs: options.storeCountTimeoutMs ?? 2_000, now: options.now ?? Date.now };
    registerStoreGauge(registry, 'hookd_deliveries_pending', 'Deliveries waiting for their next attempt, in the whole store (cached ~1 s)', cachedRead(store.countPending, cache));
    registerStoreGauge(registry, 'hookd_endpoints_failing', 'Endpoints whose latest attempts all failed, in the whole store (cached ~1 s)', cachedRead(store.countFailing, cache));
    // One query for both FIFO gauges; the age is taken at scrape time from the cached creation time.
    const heads = cachedRead(store.fifoHeads, cache);
    registerStoreGauge(registry, 'hookd_fifo_blocked_endpoints', 'FIFO endpoints whose head has failed an attempt, or that are disabled with deliveries waiting (cached ~1 s)',
      async () => (await heads())?.blocked ?? NaN);
    registerStoreGauge(registry, 'hookd_fifo_head_age_seconds', 'Age of the oldest FIFO head, the first delivery waiting in an ordered endpoint; 0 without one (cached ~1 s)',
      async () => {
        const read = await heads();
        if (!read) return NaN;
        return read.oldestCreated === null ? 0 : Math.max(0, cache.now() - read.oldestCreated) / 1000;
      });
    registerStoreGauge(registry, 'hookd_throttled_deliveries_waiting', 'Deliveries due for enabled endpoints with a rate_limit, waiting for the throttle (cached ~1 s)',
      cachedRead(() => store.countThrottledWaiting(cache.now()), cache));
  }
  return {
    registry,
    httpRequests: new Counter({
      name: 'hookd_http_requests_total', help: 'API requests answered, by route template and status', labelNames: ['method', 'route', 'status'] as const, registers,
    }),
    httpDuration: new Histogram({
      name: 'hookd_http_request_duration_seconds', help: 'API answer time, by route template', labelNames: ['method', 'route'] as const, registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    connectionsDropped: new Counter({
      name: 'hookd_http_connections_dropped_total', help: 'Connections to the API closed unanswered because HOOKD_MAX_CONNECTIONS were open', registers,
    }),
    attempts: new Counter({
      name: 'hookd_delivery_attempts_total', help: 'Automatic delivery attempts by what they led to (succeeded, failed, retry_scheduled)',
      labelNames: ['outcome'] as const, registers,
    }),
    // By whose schedule, never by endpoint: the label's values are two, whatever the endpoints.
    attemptsBySchedule: new Counter({
      name: 'hookd_delivery_attempts_by_schedule_total', help: 'Automatic delivery attempts by the retry schedule in force (endpoint, platform)',
      labelNames: ['schedule'] as const, registers,
    }),
    attemptDuration: new Histogram({
      name: 'hookd_delivery_attempt_duration_seconds', help: 'Time from request start to the end of the answer', registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    }),
    /** Recorded by the result writer once the outcome is stored: a delivery counts once, when it ends. */
    deliveries: new Counter({
      name: 'hookd_deliveries_total', help: 'Deliveries that ended, by outcome (succeeded, failed), counted when written',
      labelNames: ['outcome'] as const, registers,
    }),
    inFlight: new Gauge({ name: 'hookd_deliveries_in_flight', help: 'Requests to endpoints now in flight in this process', registers }),
    /** Counted by POST /v1/webhooks/endpoints/{id}/replay once its rows are committed (docs/delivery.md, "Replay"). */
    replayedDeliveries: new Counter({ name: 'hookd_replayed_deliveries_total', help: 'Deliveries queued by replays of what an endpoint missed', registers }),
    claims: new Counter({ name: 'hookd_claims_total', help: 'Claim queries the dispatcher ran', registers }),
    claimedDeliveries: new Counter({ name: 'hookd_claimed_deliveries_total', help: 'Deliveries leased by claims', registers }),
    claimErrors: new Counter({ name: 'hookd_claim_errors_total', help: 'Failed claims (store unreachable)', registers }),
    retriesScheduled: new Counter({ name: 'hookd_retries_scheduled_total', help: 'Failed attempts that scheduled another attempt', registers }),
    endpointsDisabled: new Counter({
      name: 'hookd_endpoints_disabled_total', help: 'Endpoints the dispatcher disabled (410 Gone, or failing longer than HOOKD_DISABLE_AFTER)', registers,
    }),
    storeQueryDuration: new Histogram({
      name: 'hookd_store_query_duration_seconds', help: 'Time of each store call, by store operation', labelNames: ['operation'] as const, registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    storeUnavailable: new Counter({
      name: 'hookd_store_unavailable_total', help: 'Store calls that failed because the store could not answer, by store operation',
      labelNames: ['operation'] as const, registers,
    }),
  };
}

interface CacheOptions { ms: number; timeoutMs: number; now: () => number }

/**
 * A store read reused for `ms`, so that scrapers hitting every process at once cost one read a
 * second; undefined when the read fails or outlasts `timeoutMs` (a store that hangs must not
 * hang /metrics).
 */
function cachedRead<T>(read: () => Promise<T>, cache: CacheOptions): () => Promise<T | undefined> {
  let cached: { at: number; value: Promise<T | undefined> } | null = null;
  return () => {
    if (cached && cache.now() - cached.at < cache.ms) return cached.value;
    let timer: NodeJS.Timeout | undefined;
    const value = Promise.race([read(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), cache.timeoutMs)))])
      .catch(() => undefined)
      .finally(() => clearTimeout(timer));
    cached = { at: cache.now(), value };
    return value;
  };
}

/**
 * A gauge the store counts at scrape time, the same for every process (it is the store's
 * number, not the process's). When the count fails the gauge reads NaN rather than a stale
 * number, and /metrics still answers: the process metrics matter most while the store is down.
 */
function registerStoreGauge(registry: Registry, name: string, help: string, read: () => Promise<number | undefined>): void {
  new Gauge({
    name, help, registers: [registry],
    async collect() {
      this.set((await read()) ?? NaN);
    },
  });
}

export type Metrics = ReturnType<typeof createMetrics>;

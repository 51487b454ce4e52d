/**
 * Prometheus metrics (prom-client), one registry per process, passed to whoever records: the
 * API (requests), the dispatcher (attempts, in flight, claims). Served at /metrics by every
 * role, so a worker that serves no API can still be scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'hookd_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'hookd_http_requests_total', help: 'API requests answered, by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'hookd_http_request_duration_seconds', help: 'API answer time', labelNames: ['method', 'route'] as const, registers: [registry],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    attempts: new Counter({
      name: 'hookd_delivery_attempts_total', help: 'Delivery attempts by what they led to',
      labelNames: ['outcome'] as const, registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'hookd_delivery_attempt_duration_seconds', help: 'Time from request start to the end of the answer', registers: [registry],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    }),
    inFlight: new Gauge({ name: 'hookd_deliveries_in_flight', help: 'Requests to endpoints now in flight in this process', registers: [registry] }),
    claimErrors: new Counter({ name: 'hookd_claim_errors_total', help: 'Failed claims (store unreachable)', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

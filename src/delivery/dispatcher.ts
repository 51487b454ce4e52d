/**
 * The dispatcher loop (DESIGN.md §1, §5): claim due deliveries with a lease, send each in its
 * own promise, hand every outcome to the batching result writer, and come back for more when a
 * slot frees, the API publishes, or the poll interval passes.
 *
 * Built so that a claimed delivery is always released: every started send ends in exactly one
 * of (result written, lease released at shutdown, lease expiry after a crash); a claimed row
 * that cannot start (endpoint at its cap) is released at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { newId, randomToken } from '../domain/ids.js';
import { renderEndpoint } from '../domain/render.js';
import type { Delivery, Endpoint, HookdEvent } from '../domain/types.js';
import type { DeliveryResult, Store } from '../store/types.js';
import { runAttempt } from './attempt.js';
import { createEndpointSlots, SLOW_AFTER } from './endpoint-slots.js';
import { createResultWriter } from './result-writer.js';
import { nextDelay, verdictOf } from './retry-policy.js';
import type { Sender } from './sender.js';
import type { Metrics } from '../metrics.js';

/** ms between claims when nothing is due and nobody woke the loop. */
const IDLE_POLL = 250;
/** Claims at most this many rows at once, whatever the free slots. */
const MAX_BATCH = 200;

export interface DispatcherOptions {
  config: Config;
  store: Store;
  sender: Sender;
  clock: Clock;
  log: FastifyBaseLogger;
  metrics?: Metrics;
  random?: () => number;
}

export function createDispatcher({ config, store, sender, clock, log, metrics, random = Math.random }: DispatcherOptions) {
  const slots = createEndpointSlots({ maxInFlight: config.maxInFlight, maxPerEndpoint: config.maxInFlightPerEndpoint, now: clock.now });
  const inFlight = new Map<string, AbortController>();
  const writer = createResultWriter({
    store, now: clock.now,
    onDisabled: (ids) => void announceDisabled(ids),
    onError: (err) => log.error({ err }, 'writing delivery results failed; retrying'),
  });
  let running = false;
  let wakeUp: (() => void) | null = null;
  let runLoop: Promise<void> | null = null;
  let storeBackoff = 0;

  // A wake that lands while the loop is claiming (not sleeping) is kept, so that the next
  // sleep returns at once instead of waiting a poll interval for work that is already due.
  let wokenWhileBusy = false;

  function wake(): void {
    if (wakeUp) wakeUp();
    else wokenWhileBusy = true;
  }

  function sleep(ms: number): Promise<void> {
    if (wokenWhileBusy) {
      wokenWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  }

  /** The operational event `webhook_endpoint.disabled`, published into the endpoint's workspace. */
  async function announceDisabled(ids: string[]): Promise<void> {
    try {
      const endpoints = await store.getEndpointsByIds(ids);
      for (const ep of endpoints.values()) {
        const now = clock.now();
        await store.publishEvent({
          id: newId('evt', now), workspace: ep.workspace, live: ep.live, type: 'webhook_endpoint.disabled',
          data: { object: renderEndpoint(ep) }, requestId: newId('req', now), idempotencyKey: null, redaction: null,
          created: now, updated: now, etag: randomToken(),
        });
        log.warn({ endpoint: ep.id, workspace: ep.workspace }, 'endpoint disabled');
      }
      wake();
    } catch (err) {
      log.error({ err }, 'publishing webhook_endpoint.disabled failed');
    }
  }

  function outcomeOf(d: Delivery, ep: Endpoint, run: Awaited<ReturnType<typeof runAttempt>>): DeliveryResult {
    const end = clock.now();
    const verdict = verdictOf({ status: run.result.status }, config.retryOn4xx);
    let status: DeliveryResult['status'] = 'failed';
    let nextAttemptAt: number | null = null;
    if (verdict === 'succeeded') status = 'succeeded';
    else if (verdict === 'retry') {
      const delay = nextDelay(config.retrySchedule, d.attemptCount + 1, random(), run.result.retryAfter);
      if (delay !== null) [status, nextAttemptAt] = ['pending', end + delay];
    }
    const failingTooLong = !run.attempt.successful && ep.failingSince !== null && end - ep.failingSince >= config.disableAfter;
    return {
      delivery: d.id, attempt: run.attempt, workspace: d.workspace, live: d.live, endpoint: d.endpoint, status, nextAttemptAt,
      etag: randomToken(), disableEndpoint: verdict === 'gone' || failingTooLong,
    };
  }

  async function deliver(d: Delivery, event: HookdEvent, ep: Endpoint): Promise<void> {
    const abort = new AbortController();
    inFlight.set(d.id, abort);
    metrics?.inFlight.set(inFlight.size);
    let wasSlow = false;
    const slowTimer = setTimeout(() => {
      wasSlow = true;
      slots.markSlow(ep.id);
      wake();
    }, SLOW_AFTER);
    let outcome: 'success' | 'http_error' | 'unreachable' | 'aborted' = 'aborted';
    try {
      const run = await runAttempt(sender, event, ep, {
        deliveryId: d.id, manual: false, typePrefix: config.cloudEventsTypePrefix, now: clock.now, signal: abort.signal,
      });
      if (abort.signal.aborted) return; // shutdown: the lease is released, the delivery goes out after restart
      outcome = run.attempt.successful ? 'success' : run.result.unreachable ? 'unreachable' : 'http_error';
      const result = outcomeOf(d, ep, run);
      writer.push(result);
      metrics?.attempts.inc({ outcome: result.status === 'pending' ? 'retry_scheduled' : result.status });
      metrics?.attemptDuration.observe(run.attempt.time / 1000);
    } catch (err) {
      // runAttempt describes every network failure itself; reaching here is a bug. The lease
      // expires and the delivery is sent again, so log loudly and lose nothing.
      log.error({ err, delivery: d.id }, 'delivery attempt threw');
    } finally {
      clearTimeout(slowTimer);
      inFlight.delete(d.id);
      metrics?.inFlight.set(inFlight.size);
      slots.release(ep.id, wasSlow, outcome);
      wake();
    }
  }

  async function claimAndStart(): Promise<number> {
    const limit = Math.min(slots.free(), MAX_BATCH);
    if (limit === 0) return 0;
    const now = clock.now();
    const batch = await store.claimDeliveries({ now, limit, lease: config.lease, excludeEndpoints: slots.full() });
    if (batch.length === 0) return 0;
    const [events, endpoints] = await Promise.all([
      store.getEventsByIds([...new Set(batch.map((d) => d.event))]),
      store.getEndpointsByIds([...new Set(batch.map((d) => d.endpoint))]),
    ]);
    const release: string[] = [];
    for (const d of batch) {
      const ep = endpoints.get(d.endpoint);
      const event = events.get(d.event);
      if (!ep || !event || ep.status !== 'enabled') {
        // Disabled or deleted since the fan-out: the delivery ends here, without a request.
        writer.push({ delivery: d.id, attempt: null, workspace: d.workspace, live: d.live, endpoint: d.endpoint, status: 'failed', nextAttemptAt: null, etag: randomToken(), disableEndpoint: false });
        continue;
      }
      if (!slots.take(ep.id)) {
        release.push(d.id);
        continue;
      }
      void deliver(d, event, ep);
    }
    if (release.length > 0) await store.releaseDeliveries(release);
    return batch.length - release.length;
  }

  async function run(): Promise<void> {
    const unwatch = store.watchForWork ? await store.watchForWork(wake).catch((err: unknown) => {
      log.warn({ err }, 'cannot listen for new work; polling only');
      return null;
    }) : null;
    try {
      await loop();
    } finally {
      await unwatch?.();
    }
  }

  async function loop(): Promise<void> {
    if (store.dialect === 'sqlite') {
      // One process owns the SQLite file, so every lease on it is a leftover of a crash or stop.
      const taken = await store.releaseAllLeases();
      if (taken > 0) log.info({ deliveries: taken }, 'took back leases left by the previous run');
    }
    let lastSweep = clock.now();
    while (running) {
      try {
        const started = await claimAndStart();
        storeBackoff = 0;
        if (clock.now() - lastSweep > 60_000) {
          slots.sweep(600_000);
          lastSweep = clock.now();
        }
        if (started === 0) await sleep(IDLE_POLL);
      } catch (err) {
        // Store unreachable: back off (100 ms doubling to 5 s) instead of spinning on errors.
        storeBackoff = Math.min(5_000, storeBackoff === 0 ? 100 : storeBackoff * 2);
        metrics?.claimErrors.inc();
        log.error({ err, retryInMs: storeBackoff }, 'claiming deliveries failed');
        // Wakes that came while the store was failing are not a reason to hammer it sooner.
        wokenWhileBusy = false;
        await sleep(storeBackoff);
      }
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      runLoop = run();
    },
    /** Something was published: look for due work now rather than at the next poll. */
    wake,
    /**
     * Stops claiming, lets requests in flight finish for up to `graceMs`, aborts the rest and
     * releases their leases, then writes every outcome it holds.
     */
    async stop(graceMs: number): Promise<void> {
      if (!running) return;
      running = false;
      wake();
      await runLoop;
      const deadline = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const unfinished = [...inFlight.keys()];
      for (const abort of inFlight.values()) abort.abort();
      while (inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
      await writer.drain();
      if (unfinished.length > 0) {
        await store.releaseDeliveries(unfinished).catch((err: unknown) => log.error({ err }, 'releasing leases at shutdown failed'));
      }
    },
    get inFlight(): number {
      return inFlight.size;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

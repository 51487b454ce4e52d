/**
 * The dispatcher loop (docs/architecture.md, docs/delivery.md): claim due deliveries with a lease, send each in its
 * own promise, hand every outcome to the batching result writer, and come back for more when a
 * slot frees, work is hinted, or a scheduled retry comes due.
 *
 * Claims are per endpoint (due-endpoints.ts, store/sql/claim.ts): the loop asks the store for
 * as many rows as each due endpoint has free slots, one statement for many endpoints, one claim
 * in flight at a time so that completions arriving meanwhile are served by the next one.
 *
 * Built so that a claimed delivery is always released: every started send ends in exactly one
 * of (result written, lease released at shutdown, lease expiry after a crash); a claimed row
 * that cannot start is released at once, and so is a whole batch whose reads fail.
 */
import type { FastifyBaseLogger } from 'fastify';
import { setMaxListeners } from 'node:events';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { newId, randomToken } from '../domain/ids.js';
import { renderEndpoint } from '../domain/render.js';
import type { Delivery, Endpoint, HookdEvent } from '../domain/types.js';
import type { DeliveryResult, Store } from '../store/types.js';
import { runAttempt } from './attempt.js';
import { createDueEndpoints } from './due-endpoints.js';
import { createEndpointSlots, SLOW_AFTER } from './endpoint-slots.js';
import { createReadyBuffer, type ReadyJob } from './ready-buffer.js';
import { createResultWriter } from './result-writer.js';
import { nextDelay, retryDelay, STORE_RETRY, verdictOf } from './retry-policy.js';
import type { Sender } from './sender.js';
import type { Metrics } from '../metrics.js';

/**
 * ms between discovery queries, the safety net for work no hint announced (another worker's
 * expired leases, rows written while LISTEN was reconnecting). Two index seeks per endpoint
 * with queued work, so cheap enough to run often.
 */
const DISCOVER_EVERY = 2_000;

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
  const due = createDueEndpoints();
  const ready = createReadyBuffer();
  // A buffered job must start while its lease still outlasts a whole request (docs/delivery.md:
  // a slow request is never sent twice); half the margin leaves room for clock and loop delays.
  const staleAfter = Math.max(1_000, (config.lease - config.requestTimeout) / 2);
  /** A buffered job waited for a global slot: the next freed slot looks at every endpoint. */
  let globalBlocked = false;
  const inFlight = new Set<string>();
  /** Aborts what is still in flight when a stop's grace period ends; one for all, since an AbortController per request was 2 % of hookd's CPU. */
  const newShutdown = () => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // one listener per request in flight, by design
    return controller;
  };
  let shutdown = newShutdown();
  const writer = createResultWriter({
    store, now: clock.now, metrics, log,
    onDisabled: (ids) => void announceDisabled(ids),
    onError: (err) => log.error({ err }, 'writing delivery results failed; retrying'),
    // A retry is hinted once its result is written: before that its lease still hides it.
    onWritten: (batch) => {
      for (const r of batch) if (r.status === 'pending' && r.nextAttemptAt !== null) due.mark(r.endpoint, r.nextAttemptAt);
      poke();
    },
  });
  let running = false;
  let wakeUp: (() => void) | null = null;
  let runLoop: Promise<void> | null = null;
  let storeBackoff = 0;
  /** When the next discovery query runs (0: at the next turn of the loop). */
  let discoverAt = 0;

  // A poke that lands while the loop is claiming (not sleeping) is kept, so that the next
  // sleep returns at once instead of sleeping on work that is already due.
  let wokenWhileBusy = false;

  /** Makes a sleeping loop look again (a slot freed, a hint arrived). */
  function poke(): void {
    if (wakeUp) wakeUp();
    else wokenWhileBusy = true;
  }

  /** New work for these endpoints, due now; without a list, work somewhere: look for it. */
  function wake(endpoints?: string[]): void {
    if (endpoints) {
      const now = clock.now();
      for (const e of endpoints) due.mark(e, now);
    } else {
      discoverAt = 0;
    }
    poke();
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
        const published = await store.publishEvent({
          id: newId('evt', now), workspace: ep.workspace, live: ep.live, type: 'webhook_endpoint.disabled',
          data: { object: renderEndpoint(ep) }, requestId: newId('req', now), idempotencyKey: null, redaction: null,
          created: now, updated: now, etag: randomToken(),
        });
        wake(published.endpoints);
        log.warn({ endpoint: ep.id, workspace: ep.workspace }, 'endpoint disabled');
      }
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

  async function deliver({ delivery: d, event, endpoint: ep }: ReadyJob): Promise<void> {
    inFlight.add(d.id);
    const { signal } = shutdown;
    metrics?.inFlight.set(inFlight.size);
    let wasSlow = false;
    const slowTimer = setTimeout(() => {
      wasSlow = true;
      slots.markSlow(ep.id);
      pumpBlocked();
      poke();
    }, SLOW_AFTER);
    let outcome: 'success' | 'http_error' | 'unreachable' | 'aborted' = 'aborted';
    try {
      const run = await runAttempt(sender, event, ep, {
        deliveryId: d.id, manual: false, typePrefix: config.cloudEventsTypePrefix, now: clock.now, signal,
      });
      if (signal.aborted) return; // shutdown: the lease is released, the delivery goes out after restart
      outcome = run.attempt.successful ? 'success' : run.result.unreachable ? 'unreachable' : 'http_error';
      const result = outcomeOf(d, ep, run);
      writer.push(result);
      metrics?.attempts.inc({ outcome: result.status === 'pending' ? 'retry_scheduled' : result.status });
      if (result.status === 'pending') metrics?.retriesScheduled.inc();
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
      // A lowered cap leaves more buffered than the endpoint will soon start: back to the queue.
      if (outcome !== 'success') handBack(ready.trim(ep.id, slots.capOf(ep.id)));
      pump(ep.id);
      pumpBlocked();
      poke();
    }
  }

  /** A global slot freed (a request ended or moved to the slow lane): buffered jobs that waited for one may start. */
  function pumpBlocked(): void {
    if (!globalBlocked) return;
    globalBlocked = false;
    for (const id of ready.endpoints()) pump(id);
  }

  /** Starts the endpoint's buffered jobs while it has slots; stale ones go back to the queue. */
  function pump(endpoint: string): void {
    if (!running) return; // stopping: buffered jobs are released, not started
    for (let job = ready.peek(endpoint); job; job = ready.peek(endpoint)) {
      if (clock.now() - job.claimedAt > staleAfter) {
        handBack([ready.shift(endpoint)!]);
        continue;
      }
      if (!slots.take(endpoint)) {
        if (slots.free() === 0) globalBlocked = true;
        break;
      }
      void deliver(ready.shift(endpoint)!);
    }
  }

  /** Releases leased jobs that will not start here, and hints their endpoints for the next claim. */
  function handBack(jobs: ReadyJob[]): void {
    if (jobs.length === 0) return;
    const now = clock.now();
    for (const job of jobs) due.mark(job.endpoint.id, now);
    store.releaseDeliveries(jobs.map((j) => j.delivery.id)).then(poke, (err: unknown) => {
      log.warn({ err, deliveries: jobs.length }, 'handing back claimed deliveries failed; their leases will end');
    });
  }

  /**
   * How many rows to claim for an endpoint: enough for twice its cap between in flight and
   * buffered, asked for only once half of that is missing (or nothing is buffered), so that
   * claims come in batches rather than one row per finished request.
   */
  function wantFor(endpoint: string): number {
    const cap = slots.capOf(endpoint);
    const buffered = ready.count(endpoint);
    const deficit = slots.freeFor(endpoint) + cap - buffered;
    return buffered === 0 || deficit >= cap ? Math.max(0, deficit) : 0;
  }

  /** Claims for every due endpoint that wants rows and starts what it can; returns how many it claimed. */
  async function claimAndStart(): Promise<number> {
    const now = clock.now();
    const plan = due.plan(now, wantFor, slots.free() + Math.max(0, config.maxInFlight - ready.size));
    if (plan.take.length === 0) return 0;
    const batch = await store.claimDeliveries({ now, lease: config.lease, take: plan.take });
    const claimed = new Map<string, number>();
    for (const d of batch) claimed.set(d.endpoint, (claimed.get(d.endpoint) ?? 0) + 1);
    due.settle(plan, claimed, now);
    metrics?.claims.inc();
    metrics?.claimedDeliveries.inc(batch.length);
    if (batch.length === 0) return 0;
    let events: Map<string, HookdEvent>;
    let endpoints: Map<string, Endpoint>;
    try {
      [events, endpoints] = await Promise.all([
        store.getEventsByIds([...new Set(batch.map((d) => d.event))]),
        store.getEndpointsByIds([...new Set(batch.map((d) => d.endpoint))]),
      ]);
    } catch (err) {
      // Claimed but unreadable (the store went away between two statements): hand the batch
      // back now if the store lets us, so that it does not wait out the lease.
      await store.releaseDeliveries(batch.map((d) => d.id)).catch(() => undefined);
      for (const ep of claimed.keys()) due.mark(ep, now);
      throw err;
    }
    for (const d of batch) {
      const ep = endpoints.get(d.endpoint);
      const event = events.get(d.event);
      if (!ep || !event || ep.status !== 'enabled') {
        // Disabled or deleted since the fan-out: the delivery ends here, without a request.
        writer.push({ delivery: d.id, attempt: null, workspace: d.workspace, live: d.live, endpoint: d.endpoint, status: 'failed', nextAttemptAt: null, etag: randomToken(), disableEndpoint: false });
        continue;
      }
      ready.push({ delivery: d, event, endpoint: ep, claimedAt: now });
    }
    for (const endpoint of claimed.keys()) pump(endpoint);
    return batch.length;
  }

  async function discover(): Promise<void> {
    const now = clock.now();
    discoverAt = now + DISCOVER_EVERY;
    for (const { endpoint, due: at } of await store.dueEndpoints(now)) due.mark(endpoint, at);
  }

  async function run(): Promise<void> {
    const unwatch = store.onWake ? await store.onWake((endpoints) => wake(endpoints ?? undefined)).catch((err: unknown) => {
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
        if (writer.storeDown) {
          // Outcomes of sent deliveries wait for the store: claim nothing until they are written.
          await sleep(100);
          continue;
        }
        if (clock.now() >= discoverAt) await discover();
        const claimed = await claimAndStart();
        storeBackoff = 0;
        const now = clock.now();
        if (now - lastSweep > 60_000) {
          slots.sweep(600_000);
          lastSweep = now;
        }
        if (claimed > 0) continue;
        // Nothing to start: sleep until the next scheduled retry or discovery, or a poke.
        const next = Math.min(discoverAt, due.nextAfter(now) ?? Infinity);
        await sleep(Math.max(1, next - now));
      } catch (err) {
        // Store unreachable: back off (100 ms doubling to 5 s) instead of spinning on errors.
        storeBackoff = retryDelay(storeBackoff, STORE_RETRY);
        metrics?.claimErrors.inc();
        log.error({ err, retryInMs: storeBackoff }, 'claiming deliveries failed');
        // Pokes that came while the store was failing are not a reason to hammer it sooner.
        wokenWhileBusy = false;
        await sleep(storeBackoff);
      }
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      if (shutdown.signal.aborted) shutdown = newShutdown();
      runLoop = run();
    },
    /** Work was queued for these endpoints (or somewhere, without a list): claim it now. */
    wake,
    /**
     * Stops claiming, lets requests in flight finish for up to `graceMs`, aborts the rest and
     * releases their leases, then writes every outcome it holds.
     */
    async stop(graceMs: number): Promise<void> {
      if (!running) return;
      running = false;
      poke();
      await runLoop;
      const deadline = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const unfinished = [...inFlight, ...ready.drain().map((j) => j.delivery.id)];
      shutdown.abort();
      while (inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
      await writer.drain();
      if (unfinished.length > 0) {
        await store.releaseDeliveries(unfinished).catch((err: unknown) => log.error({ err }, 'releasing leases at shutdown failed'));
      }
    },
    get inFlight(): number {
      return inFlight.size;
    },
    /** The loop is claiming (between start and stop): /ready reports it. */
    get running(): boolean {
      return running;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * The dispatcher (docs/architecture.md, docs/delivery.md): claim due deliveries with a lease,
 * send each in its own promise, hand every outcome to the batching result writer, and come back
 * for more when a slot frees, work is woken, or a scheduled retry comes due.
 *
 * A state machine with one way in: its state is one object, every event (wake, a request's end,
 * a claim's answer, a written result, a timer) updates that state and calls `next()`, and
 * `next()` carries out what next-step.ts decides until the answer is to wait or sleep.
 *
 * Claims are per endpoint (claims.ts): as many rows as each due endpoint has free slots, one
 * statement for many endpoints, one claim in flight at a time so that completions arriving
 * meanwhile are served by the next one.
 *
 * Built so that a claimed delivery is always released: every started send ends in exactly one
 * of (result written, lease released at shutdown, lease expiry after a crash); a claimed row
 * that cannot start is released at once, and so is a whole batch whose reads fail.
 */
import type { FastifyBaseLogger } from 'fastify';
import { setMaxListeners } from 'node:events';
import type { Config } from '../config/config.js';
import { setTimer, type Clock } from '../domain/clock.js';
import type { Endpoint } from '../domain/types.js';
import type { Store } from '../store/types.js';
import { announceDisabled, sendJob } from './outcome.js';
import { createClaims } from './claims.js';
import { createDueEndpoints, type ClaimPlan } from './due-endpoints.js';
import { createEndpointSlots, SLOW_AFTER } from './endpoint-slots.js';
import { nextStep, type Situation } from './next-step.js';
import { createReadyBuffer, type ReadyJob } from './ready-buffer.js';
import { createResultWriter } from './result-writer.js';
import { retryDelay, STORE_RETRY } from './retry-policy.js';
import type { Sender } from './sender.js';
import type { Metrics } from '../metrics.js';

/**
 * ms between discovery queries, the safety net for work no wake announced (another worker's
 * expired leases, rows written while LISTEN was reconnecting). Two index seeks per endpoint
 * with queued work, so cheap enough to run often.
 */
const DISCOVER_EVERY = 2_000;
/** ms between sweeps of the per-endpoint slot state, and how long an endpoint must be idle to be forgotten: the map stays the size of the active set. */
const SWEEP_EVERY = 60_000;
const FORGET_IDLE = 600_000;
/**
 * ms: the least a buffered job may wait before it is stale. A buffered job must start while its
 * lease still outlasts a whole request (docs/delivery.md: a slow request is never sent twice);
 * half the margin between lease and request timeout leaves room for clock and loop delays.
 */
const MIN_STALE_AFTER = 1_000;

export interface DispatcherOptions {
  config: Config;
  store: Store;
  sender: Sender;
  clock: Clock;
  log: FastifyBaseLogger;
  metrics?: Metrics;
  random?: () => number;
  /**
   * The public endpoint object, for the webhook_endpoint.disabled event: resources/endpoints/shape.ts's
   * renderEndpoint, handed in because delivery/ sits below resources/ (docs/development.md, Layout).
   */
  renderEndpoint: (endpoint: Endpoint) => unknown;
}

/** Aborts what is still in flight when a stop's grace period ends; one for all, since an AbortController per request was 2 % of hookd's CPU. */
function newShutdown(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // one listener per request in flight, by design
  return controller;
}

export function createDispatcher({ config, store, sender, clock, log, metrics, random = Math.random, renderEndpoint }: DispatcherOptions) {
  const slots = createEndpointSlots({ maxInFlight: config.maxInFlight, maxPerEndpoint: config.maxInFlightPerEndpoint, now: clock.now });
  const due = createDueEndpoints();
  const ready = createReadyBuffer();
  const staleAfter = Math.max(MIN_STALE_AFTER, (config.lease - config.requestTimeout) / 2);
  const firstAttemptDelay = config.retrySchedule[0] ?? 0;
  const inFlight = new Set<string>();
  const writer = createResultWriter({
    store, now: clock.now, metrics, log,
    onDisabled: (ids) => void announceDisabled({ store, clock, log, wake, renderEndpoint }, ids),
    onError: (err) => log.error({ err }, 'writing delivery results failed; retrying'),
    // A retry is marked due once its result is written: before that its lease still hides it.
    onWritten: (batch) => {
      const now = clock.now();
      for (const r of batch) {
        if (r.status === 'pending' && r.nextAttemptAt !== null) due.mark(r.endpoint, r.nextAttemptAt);
        // A FIFO head that ended frees the next in its queue (docs/delivery.md, "Ordered endpoints").
        else if (r.status !== 'pending' && claims.isControlled(r.endpoint)) due.mark(r.endpoint, now);
      }
      next();
    },
  });
  const claims = createClaims({ config, store, slots, due, ready, writer, metrics });
  const sending = { sender, config, clock, random, writer, metrics, log };

  /** Everything the dispatcher knows besides the structures above; only events change it. */
  const state = {
    running: false,
    /** The start-up, discovery or claim in flight (its end calls next()), or null. */
    busy: null as Promise<void> | null,
    startable: new Set<string>(),
    /** A buffered job waited for a global slot: the next freed slot looks at every endpoint. */
    globalBlocked: false,
    discoverAt: 0,
    storeBackoff: 0,
    retryAt: 0,
    sweepAt: 0,
    /** The armed timer: when it fires, and how to cancel it. */
    timer: null as { at: number; cancel: () => void } | null,
    /** A next() is queued: events in the same turn share one pass. */
    queued: false,
    shutdown: newShutdown(),
    unwatch: null as (() => Promise<void>) | null,
    /** Resolved when the last request in flight ends (stop() waits on them). */
    idle: [] as (() => void)[],
  };

  const situation: Situation = {
    now: 0, running: false, busy: false, startable: state.startable, resultsWaiting: false, retryAt: 0, discoverAt: 0,
    claimable: () => claims.plan(situation.now),
    nextDue: () => due.nextAfter(situation.now),
  };

  /** The one way in: every event calls it. Events of one turn share one pass, which batches their claims. */
  function next(): void {
    if (state.queued) return;
    state.queued = true;
    queueMicrotask(step);
  }

  function step(): void {
    state.queued = false;
    for (;;) {
      situation.now = clock.now();
      situation.running = state.running;
      situation.busy = state.busy !== null;
      situation.resultsWaiting = writer.storeDown;
      situation.retryAt = state.retryAt;
      situation.discoverAt = state.discoverAt;
      const action = nextStep(situation);
      switch (action.do) {
        case 'start': {
          const endpoints = [...action.endpoints];
          state.startable.clear();
          for (const endpoint of endpoints) pump(endpoint);
          continue;
        }
        case 'discover':
          state.discoverAt = situation.now + DISCOVER_EVERY;
          call(claims.discover(situation.now));
          continue;
        case 'claim':
          call(claim(action.plan, situation.now));
          continue;
        case 'sleep':
          sleepUntil(action.until, situation.now);
          return;
        case 'stop':
          cancelTimer();
          return;
        case 'wait':
          return;
      }
    }
  }

  /** Runs a store call of the loop: one at a time, errors back off, its end calls next(). */
  function call(work: Promise<unknown>): void {
    state.busy = work.then(() => {
      state.storeBackoff = 0;
      state.retryAt = 0;
    }, (err: unknown) => {
      state.storeBackoff = retryDelay(state.storeBackoff, STORE_RETRY);
      state.retryAt = clock.now() + state.storeBackoff;
      metrics?.claimErrors.inc();
      log.error({ err, retryInMs: state.storeBackoff }, 'claiming deliveries failed');
    }).finally(() => {
      state.busy = null;
      next();
    });
  }

  function sleepUntil(until: number, now: number): void {
    if (state.timer && state.timer.at <= until) return; // an earlier timer asks again anyway
    cancelTimer();
    const timer: { at: number; cancel: () => void } = { at: until, cancel: () => undefined };
    timer.cancel = setTimer(clock, () => {
      if (state.timer === timer) state.timer = null;
      next();
    }, until - now);
    state.timer = timer;
  }

  function cancelTimer(): void {
    state.timer?.cancel();
    state.timer = null;
  }

  /** New work for these endpoints, due now; without a list, work somewhere: look for it. */
  function wake(endpoints?: string[]): void {
    if (endpoints) {
      const now = clock.now();
      for (const e of endpoints) due.mark(e, now);
      // A publish's deliveries come due the schedule's first entry after it (docs/delivery.md):
      // the claim now finds only a recover's, so look again when the publish's come due.
      if (firstAttemptDelay > 0) state.discoverAt = Math.min(state.discoverAt, now + firstAttemptDelay);
    } else {
      state.discoverAt = 0;
    }
    next();
  }

  /** A global slot freed (a request ended or moved to the slow lane): buffered jobs that waited for one may start. */
  function globalSlotFreed(): void {
    if (!state.globalBlocked) return;
    state.globalBlocked = false;
    for (const id of ready.endpoints()) state.startable.add(id);
  }

  async function deliver(job: ReadyJob): Promise<void> {
    const { delivery: d, endpoint: ep } = job;
    inFlight.add(d.id);
    const { signal } = state.shutdown;
    metrics?.inFlight.set(inFlight.size);
    let wasSlow = false;
    const cancelSlow = setTimer(clock, () => {
      wasSlow = true;
      slots.markSlow(ep.id);
      globalSlotFreed();
      next();
    }, SLOW_AFTER);
    const outcome = await sendJob(job, signal, sending); // never throws
    cancelSlow();
    inFlight.delete(d.id);
    metrics?.inFlight.set(inFlight.size);
    slots.release(ep.id, wasSlow, outcome);
    // A lowered cap leaves more buffered than the endpoint will soon start: back to the queue.
    if (outcome !== 'success') handBack(ready.trim(ep.id, slots.capOf(ep.id)));
    state.startable.add(ep.id);
    globalSlotFreed();
    if (inFlight.size === 0) for (const resolve of state.idle.splice(0)) resolve();
    next();
  }

  /** Starts the endpoint's buffered jobs while it has slots; stale ones go back to the queue. */
  function pump(endpoint: string): void {
    for (let job = ready.peek(endpoint); job; job = ready.peek(endpoint)) {
      if (clock.now() - job.claimedAt > staleAfter) {
        handBack([ready.shift(endpoint)!]);
        continue;
      }
      if (!slots.take(endpoint)) {
        if (slots.free() === 0) state.globalBlocked = true;
        break;
      }
      void deliver(ready.shift(endpoint)!);
    }
  }

  /** Releases leased jobs that will not start here, and marks their endpoints for the next claim. */
  function handBack(jobs: ReadyJob[]): void {
    if (jobs.length === 0) return;
    const now = clock.now();
    for (const job of jobs) due.mark(job.endpoint.id, now);
    store.releaseDeliveries(jobs.map((j) => j.delivery.id)).then(next, (err: unknown) => {
      log.warn({ err, deliveries: jobs.length }, 'handing back claimed deliveries failed; their leases will end');
    });
  }

  /** Claims what `plan` asks for; the endpoints that got rows start at the next step. */
  async function claim(plan: ClaimPlan, now: number): Promise<void> {
    for (const endpoint of await claims.claim(plan, now)) state.startable.add(endpoint);
    if (now >= state.sweepAt) {
      slots.sweep(FORGET_IDLE);
      state.sweepAt = now + SWEEP_EVERY;
    }
  }

  /** Before the first claim: listen for other processes' wakes, and (SQLite) take back a crashed run's leases. */
  async function boot(): Promise<void> {
    state.unwatch = store.onWake ? await store.onWake((endpoints) => wake(endpoints ?? undefined)).catch((err: unknown) => {
      log.warn({ err }, 'cannot listen for new work; polling only');
      return null;
    }) : null;
    if (store.dialect === 'sqlite') {
      // One process owns the SQLite file, so every lease on it is a leftover of a crash or stop.
      const taken = await store.releaseAllLeases();
      if (taken > 0) log.info({ deliveries: taken }, 'took back leases left by the previous run');
    }
  }

  /** Resolves when nothing is in flight, or after `ms` on the clock if given. */
  function allEnded(ms?: number): Promise<void> {
    if (inFlight.size === 0 || (ms !== undefined && ms <= 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = ms === undefined ? () => undefined : setTimer(clock, resolve, ms);
      state.idle.push(() => {
        cancel();
        resolve();
      });
    });
  }

  return {
    start(): void {
      if (state.running) return;
      state.running = true;
      if (state.shutdown.signal.aborted) state.shutdown = newShutdown();
      state.discoverAt = 0;
      call(boot());
    },
    /** Work was queued for these endpoints (or somewhere, without a list): claim it now. */
    wake,
    /**
     * Stops claiming, lets requests in flight finish for up to `graceMs`, aborts the rest and
     * releases their leases, then writes every outcome it holds.
     */
    async stop(graceMs: number): Promise<void> {
      if (!state.running) return;
      state.running = false;
      cancelTimer();
      while (state.busy) await state.busy;
      await state.unwatch?.();
      state.unwatch = null;
      await allEnded(graceMs);
      const unfinished = [...inFlight, ...ready.drain().map((j) => j.delivery.id)];
      state.shutdown.abort();
      await allEnded();
      await writer.drain();
      if (unfinished.length > 0) {
        await store.releaseDeliveries(unfinished).catch((err: unknown) => log.error({ err }, 'releasing leases at shutdown failed'));
      }
    },
    /** The dispatcher is claiming (between start and stop): /ready reports it. */
    get running(): boolean {
      return state.running;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

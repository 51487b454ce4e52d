/**
 * The dispatcher on a manual clock, a store in memory and a sender that answers when told: no
 * database, no network, no waiting for real time except the result writer's few milliseconds.
 * Every test ends by checking the invariant: each claimed delivery was released, by a written
 * result or a release, exactly once, and nothing is still leased.
 */
import { plainDelivery } from '../domain/endpoint-rules.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { defaultConfig, type Config } from '../config/config.js';
import { ManualClock } from '../domain/clock.js';
import type { Delivery, Endpoint, HookdEvent } from '../domain/types.js';
import type { ClaimOptions, DeliveryResult, Store } from '../store/types.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import type { SendRequest, SendResult } from './sender.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const log = pino({ level: 'silent' });

interface Row { delivery: Delivery; due: number | null; leased: boolean }

/** The Store methods the dispatcher uses, over rows in memory; records claims, releases and results. */
function memoryStore(options: { failReads?: number } = {}) {
  const rows = new Map<string, Row>();
  const endpoint = (id: string): Endpoint => ({
    id, workspace: 'wksp_1', live: false, url: `https://example.com/${id}`, description: null, format: 'basic', status: 'enabled',
    events: ['*'], secret: 'whsec_dGVzdA==', token: null, metadata: {}, created: START, updated: START, etag: 'e', previousSecrets: [], failingSince: null, retrySchedule: null, ordering: 'unordered', rateLimit: null, ...plainDelivery(),
  });
  const event = (id: string): HookdEvent => ({
    id, workspace: 'wksp_1', live: false, type: 'payment.succeeded', data: { object: {} }, requestId: 'req_1', idempotencyKey: null, redaction: null,
    created: START, updated: START, etag: 'e',
  });
  let failReads = options.failReads ?? 0;
  const log = { claims: [] as ClaimOptions[], released: [] as string[], results: [] as DeliveryResult[], claimed: [] as string[] };
  const store = {
    dialect: 'postgres',
    async claimDeliveries({ now, lease, take }: ClaimOptions) {
      log.claims.push({ now, lease, take });
      const out: Delivery[] = [];
      for (const { endpoint, limit } of take) {
        const due = [...rows.values()].filter((r) => r.delivery.endpoint === endpoint && !r.leased && r.due !== null && r.due <= now).slice(0, limit);
        for (const r of due) {
          r.leased = true;
          log.claimed.push(r.delivery.id);
          out.push(r.delivery);
        }
      }
      return { deliveries: out, controlled: [] };
    },
    async dueEndpoints(now: number) {
      const byEndpoint = new Map<string, number>();
      for (const r of rows.values()) {
        if (r.leased || r.due === null) continue;
        byEndpoint.set(r.delivery.endpoint, Math.min(byEndpoint.get(r.delivery.endpoint) ?? Infinity, r.due));
      }
      void now;
      return [...byEndpoint].map(([endpoint, due]) => ({ endpoint, due, controlled: false }));
    },
    async getEventsByIds(ids: string[]) {
      if (failReads > 0) {
        failReads--;
        throw new Error('connection lost');
      }
      return new Map(ids.map((id) => [id, event(id)]));
    },
    async getEndpointsByIds(ids: string[]) {
      return new Map(ids.map((id) => [id, endpoint(id)]));
    },
    async releaseDeliveries(ids: string[]) {
      for (const id of ids) rows.get(id)!.leased = false;
      log.released.push(...ids);
    },
    async recordResults(results: DeliveryResult[]) {
      for (const r of results) {
        const row = rows.get(r.delivery)!;
        row.leased = false;
        row.due = r.status === 'pending' ? r.nextAttemptAt : null;
        if (r.attempt && !r.attempt.manual) row.delivery = { ...row.delivery, attemptCount: row.delivery.attemptCount + 1 };
      }
      log.results.push(...results);
      return [];
    },
  };
  return {
    store: store as unknown as Store, log,
    add(id: string, endpoint: string, due = START): void {
      rows.set(id, {
        due, leased: false, delivery: {
          id, event: `evt_${id}`, endpoint, workspace: 'wksp_1', live: false, type: 'payment.succeeded', status: 'pending', attemptCount: 0,
          nextAttemptAt: due, lastAttemptAt: null, created: START, updated: START, etag: 'e', attempts: [], replayed: false, sequence: null,
        },
      });
    },
    /** Each claim ended in one result or one release, and nothing is leased now. */
    accounted(): void {
      const ends = [...log.released, ...log.results.map((r) => r.delivery)];
      expect([...ends].sort()).toEqual([...log.claimed].sort());
      expect([...rows.values()].filter((r) => r.leased)).toEqual([]);
    },
  };
}

/** A sender whose requests wait until the test answers them (or the dispatcher aborts them). */
function heldSender() {
  const waiting: { req: SendRequest; answer: (r: Partial<SendResult>) => void }[] = [];
  return {
    waiting,
    sender: {
      send: (req: SendRequest) => new Promise<SendResult>((resolve) => {
        const answer = (r: Partial<SendResult>) => resolve({ status: 200, response: '', retryAfter: null, time: 3, error: null, unreachable: false, ...r });
        req.signal?.addEventListener('abort', () => answer({ status: null, error: 'aborted', unreachable: true }));
        waiting.push({ req, answer });
      }),
      close: async () => undefined,
    },
  };
}

/** Lets the dispatcher's queued steps and store calls run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('dispatcher', () => {
  let dispatcher: Dispatcher | null = null;
  afterEach(async () => {
    await dispatcher?.stop(0);
    dispatcher = null;
  });

  function start(store: Store, sender: ReturnType<typeof heldSender>['sender'], change: Partial<Config> = {}) {
    const clock = new ManualClock(START);
    const config = { ...defaultConfig(), retrySchedule: [0, 60_000, 600_000], ...change };
    dispatcher = createDispatcher({ config, store, sender, clock, log, random: () => 0.5, renderEndpoint: (endpoint) => ({ id: endpoint.id }) });
    dispatcher.start();
    return { clock, dispatcher };
  }

  it('claims due work, sends it and writes the outcome', async () => {
    const mem = memoryStore();
    mem.add('wh_1', 'ep_a');
    const held = heldSender();
    start(mem.store, held.sender);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(1));
    expect(mem.log.claims[0]).toMatchObject({ now: START, take: [{ endpoint: 'ep_a', limit: 2 }] }); // its cap (1) in flight and as much buffered
    held.waiting[0]!.answer({ status: 200 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(1));
    expect(mem.log.results[0]).toMatchObject({ delivery: 'wh_1', status: 'succeeded', nextAttemptAt: null });
    mem.accounted();
  });

  it('schedules a failed attempt by the retry schedule and sends it again when the clock reaches it', async () => {
    const mem = memoryStore();
    mem.add('wh_1', 'ep_a');
    const held = heldSender();
    const { clock } = start(mem.store, held.sender);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(1));
    held.waiting[0]!.answer({ status: 503 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(1));
    // Entry 1 of the schedule, with the jitter pinned at its middle: exactly 60 s after the attempt ended.
    expect(mem.log.results[0]).toMatchObject({ status: 'pending', nextAttemptAt: START + 60_000 });
    clock.advance(59_999);
    await settle();
    expect(held.waiting).toHaveLength(1);
    clock.advance(1);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(2));
    expect(mem.log.claims.at(-1)).toMatchObject({ now: START + 60_000 });
    held.waiting[1]!.answer({ status: 200 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(2));
    mem.accounted();
  });

  it('wakes for new work at once, and looks by itself only on the discovery clock', async () => {
    const mem = memoryStore();
    const held = heldSender();
    const { clock, dispatcher } = start(mem.store, held.sender);
    await settle();
    mem.add('wh_1', 'ep_a');
    dispatcher.wake(['ep_a']);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(1));
    mem.add('wh_2', 'ep_b'); // written without a wake: found by discovery, 2 s on
    clock.advance(1_999);
    await settle();
    expect(held.waiting).toHaveLength(1);
    clock.advance(1);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(2));
    for (const w of held.waiting) w.answer({ status: 200 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(2));
    mem.accounted();
  });

  it("with a first schedule entry, a publish's wake looks again when its deliveries come due", async () => {
    const mem = memoryStore();
    const held = heldSender();
    const { clock, dispatcher } = start(mem.store, held.sender, { retrySchedule: [500, 60_000] });
    await settle();
    mem.add('wh_1', 'ep_a', START + 500); // as the store writes a publish now
    dispatcher.wake(['ep_a']);
    await settle();
    expect(mem.log.claims.at(-1)).toMatchObject({ now: START }); // a recover's would be due now
    clock.advance(499);
    await settle();
    expect(held.waiting).toHaveLength(0);
    clock.advance(1);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(1));
    expect(mem.log.claims.at(-1)).toMatchObject({ now: START + 500 });
    held.waiting[0]!.answer({ status: 200 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(1));
    mem.accounted();
  });

  it('stops with work in flight: waits its grace on the clock, aborts, releases the leases and writes no outcome', async () => {
    const mem = memoryStore();
    mem.add('wh_1', 'ep_a');
    mem.add('wh_2', 'ep_b');
    const held = heldSender();
    const { clock, dispatcher } = start(mem.store, held.sender);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(2));
    held.waiting[0]!.answer({ status: 200 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(1));
    let stopped = false;
    const stopping = dispatcher.stop(5_000).then(() => (stopped = true));
    await settle();
    expect(dispatcher.running).toBe(false);
    clock.advance(4_999);
    await settle();
    expect(stopped).toBe(false);
    expect(held.waiting[1]!.req.signal?.aborted).toBe(false);
    clock.advance(1);
    await stopping;
    expect(held.waiting[1]!.req.signal?.aborted).toBe(true);
    expect(mem.log.released).toEqual(['wh_2']);
    expect(mem.log.results.map((r) => r.delivery)).toEqual(['wh_1']);
    mem.accounted();
  });

  it('releases a claimed batch whose reads fail, and backs off before claiming again', async () => {
    const mem = memoryStore({ failReads: 1 });
    mem.add('wh_1', 'ep_a');
    const held = heldSender();
    const { clock } = start(mem.store, held.sender);
    await vi.waitFor(() => expect(mem.log.released).toEqual(['wh_1']));
    await settle();
    const claims = mem.log.claims.length;
    clock.advance(99); // STORE_RETRY: the first retry after 100 ms
    await settle();
    expect(mem.log.claims.length).toBe(claims);
    clock.advance(1);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(1));
    held.waiting[0]!.answer({ status: 200 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(1));
    mem.accounted();
  });

  it('moves a request unanswered after SLOW_AFTER to the slow lane, so a full dispatcher starts the next', async () => {
    const mem = memoryStore();
    mem.add('wh_1', 'ep_a');
    mem.add('wh_2', 'ep_b');
    const held = heldSender();
    const { clock } = start(mem.store, held.sender, { maxInFlight: 1 });
    await vi.waitFor(() => expect(held.waiting).toHaveLength(1));
    await settle();
    expect(held.waiting).toHaveLength(1);
    clock.advance(250);
    await vi.waitFor(() => expect(held.waiting).toHaveLength(2));
    for (const w of held.waiting) w.answer({ status: 200 });
    await vi.waitFor(() => expect(mem.log.results).toHaveLength(2));
    mem.accounted();
  });
});

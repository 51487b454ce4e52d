/**
 * The dispatcher's store reads (docs/delivery.md): what a claim asks for, the claim itself and
 * the reads that turn leased rows into jobs, and the discovery query. Claims are per endpoint
 * (due-endpoints.ts, store/sql/claim.ts): as many rows as each due endpoint has free slots, one
 * statement for many endpoints.
 */
import type { Config } from '../config/config.js';
import type { Endpoint, HookdEvent } from '../domain/types.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/types.js';
import type { ClaimPlan, DueEndpoints } from './due-endpoints.js';
import type { EndpointSlots } from './endpoint-slots.js';
import { endedWithoutRequest } from './outcome.js';
import type { ReadyBuffer } from './ready-buffer.js';
import type { ResultWriter } from './result-writer.js';

export interface ClaimsOptions {
  config: Pick<Config, 'lease' | 'maxInFlight'>;
  store: Store;
  slots: EndpointSlots;
  due: DueEndpoints;
  ready: ReadyBuffer;
  writer: Pick<ResultWriter, 'push'>;
  metrics?: Pick<Metrics, 'claims' | 'claimedDeliveries'>;
}

export function createClaims({ config, store, slots, due, ready, writer, metrics }: ClaimsOptions) {
  /**
   * Endpoints last seen FIFO or throttled (docs/delivery.md): their claims take the store's exact
   * path, and they are claimed for only what can start at once, so that every token a throttle
   * grants is spent within the claim's turn and a FIFO head is never buffered behind anything.
   * Learnt from each claim and discovery; a stale belief costs a statement, never an order.
   */
  const controlled = new Set<string>();

  /**
   * How many rows to claim for an endpoint: enough for twice its cap between in flight and
   * buffered, asked for only once half of that is missing (or nothing is buffered), so that
   * claims come in batches rather than one row per finished request.
   */
  function wantFor(endpoint: string): number {
    const buffered = ready.count(endpoint);
    if (controlled.has(endpoint)) return buffered === 0 ? slots.freeFor(endpoint) : 0;
    const cap = slots.capOf(endpoint);
    const deficit = slots.freeFor(endpoint) + cap - buffered;
    return buffered === 0 || deficit >= cap ? Math.max(0, deficit) : 0;
  }

  return {
    /** What a claim made now would ask for: due endpoints' wants, within the free global slots and buffer room. */
    plan(now: number): ClaimPlan {
      const plan = due.plan(now, wantFor, slots.free() + Math.max(0, config.maxInFlight - ready.size));
      for (const t of plan.take) if (controlled.has(t.endpoint)) t.controlled = true;
      return plan;
    },

    /** FIFO or throttled, as last seen: a result of one may free its queue's next delivery. */
    isControlled: (endpoint: string): boolean => controlled.has(endpoint),

    /** Claims what `plan` asks for and buffers it; resolves to the endpoints that got rows. */
    async claim(plan: ClaimPlan, now: number): Promise<Iterable<string>> {
      const result = await store.claimDeliveries({ now, lease: config.lease, take: plan.take });
      const batch = result.deliveries;
      const claimed = new Map<string, number>();
      for (const d of batch) claimed.set(d.endpoint, (claimed.get(d.endpoint) ?? 0) + 1);
      due.settle(plan, claimed, now);
      for (const t of plan.take) if (t.controlled) controlled.delete(t.endpoint);
      for (const c of result.controlled) {
        controlled.add(c.endpoint);
        // A throttle's next tokens, a FIFO head's retry: look again then, not at the next discovery.
        if (c.retryAt !== null) due.mark(c.endpoint, c.retryAt);
      }
      metrics?.claims.inc();
      metrics?.claimedDeliveries.inc(batch.length);
      if (batch.length === 0) return [];
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
      const waiting: string[] = [];
      for (const d of batch) {
        const ep = endpoints.get(d.endpoint);
        const event = events.get(d.event);
        if (ep && (ep.ordering === 'fifo' || ep.rateLimit !== null)) controlled.add(ep.id);
        // A FIFO endpoint disabled since the claim keeps its queue: the head waits for it to be enabled.
        if (ep && event && ep.status !== 'enabled' && ep.ordering === 'fifo') waiting.push(d.id);
        else if (!ep || !event || ep.status !== 'enabled') writer.push(endedWithoutRequest(d));
        else ready.push({ delivery: d, event, endpoint: ep, claimedAt: now });
      }
      if (waiting.length > 0) await store.releaseDeliveries(waiting);
      return claimed.keys();
    },

    /** Marks every endpoint the store says has work, at its earliest due time. */
    async discover(now: number): Promise<void> {
      for (const { endpoint, due: at, controlled: isControlled } of await store.dueEndpoints(now)) {
        if (isControlled) controlled.add(endpoint);
        else controlled.delete(endpoint);
        due.mark(endpoint, at);
      }
    },
  };
}

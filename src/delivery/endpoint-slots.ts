/**
 * In-flight accounting that keeps a slow or dead endpoint from holding back the others
 * (docs/delivery.md: no head-of-line blocking). Three rules:
 *
 * 1. Slow start per endpoint: an endpoint starts with 1 slot and doubles it on every success
 *    up to HOOKD_MAX_IN_FLIGHT_PER_ENDPOINT; a timeout or network failure drops it back to 1,
 *    an error answer halves it. A dead endpoint never grows past one request in flight.
 * 2. A slow lane: a request still unanswered after SLOW_AFTER stops counting against the
 *    global cap (HOOKD_MAX_IN_FLIGHT) and counts against a lane four times larger of its own.
 *    Hanging requests cost a socket, not a slot; an endpoint that is merely slow keeps its
 *    slots (rule 1 bounds it), it just stops crowding out the fast ones.
 * 3. Claims ask for each endpoint's free slots (`freeFor()`), so the store hands out only work
 *    that can start now.
 */

/**
 * ms before an unanswered request moves to the slow lane: the most a burst of new, dead
 * endpoints can delay a healthy one (test/delivery.test.ts "isolation" has more dead endpoints
 * than global slots: without the slow lane its healthy endpoint never gets one).
 */
export const SLOW_AFTER = 250;
const START_SLOTS = 1;

/** How a request ended, as the endpoint's slots see it. */
export type RequestOutcome = 'success' | 'http_error' | 'unreachable' | 'aborted';

interface EndpointState {
  inFlight: number;
  slow: number;
  cap: number;
  touched: number;
}

export function createEndpointSlots(options: { maxInFlight: number; maxPerEndpoint: number; now: () => number }) {
  const { maxInFlight, maxPerEndpoint, now } = options;
  const slowLaneMax = maxInFlight * 4;
  const endpoints = new Map<string, EndpointState>();
  let fast = 0;
  let slow = 0;

  const stateOf = (id: string): EndpointState => {
    let s = endpoints.get(id);
    if (!s) {
      s = { inFlight: 0, slow: 0, cap: Math.min(START_SLOTS, maxPerEndpoint), touched: now() };
      endpoints.set(id, s);
    }
    return s;
  };


  return {
    /** Slots the next claim may fill. */
    free(): number {
      return Math.max(0, Math.min(maxInFlight - fast, slowLaneMax - slow));
    },
    /** The endpoint's cap on requests in flight now (slow start, rule 1). */
    capOf(id: string): number {
      return endpoints.get(id)?.cap ?? Math.min(START_SLOTS, maxPerEndpoint);
    },
    /** Requests the endpoint may start now by its own cap (the global cap is `free()`). */
    freeFor(id: string): number {
      const s = endpoints.get(id);
      return s ? Math.max(0, s.cap - s.inFlight) : Math.min(START_SLOTS, maxPerEndpoint);
    },
    /** Takes a slot for the endpoint, or returns false when it is at its cap. */
    take(id: string): boolean {
      const s = stateOf(id);
      if (s.inFlight >= s.cap || fast >= maxInFlight) return false;
      s.inFlight++;
      s.touched = now();
      fast++;
      return true;
    },
    /** The request has been waiting SLOW_AFTER: move it to the slow lane. */
    markSlow(id: string): void {
      const s = stateOf(id);
      s.slow++;
      fast--;
      slow++;
    },
    /** Gives the slot back and adapts the endpoint's cap to how the request went. */
    release(id: string, wasSlow: boolean, outcome: RequestOutcome): void {
      const s = stateOf(id);
      s.inFlight--;
      s.touched = now();
      if (wasSlow) {
        s.slow--;
        slow--;
      } else {
        fast--;
      }
      if (outcome === 'success') s.cap = Math.min(maxPerEndpoint, s.cap * 2);
      else if (outcome === 'unreachable') s.cap = 1;
      else if (outcome === 'http_error') s.cap = Math.max(1, Math.floor(s.cap / 2));
    },
    /** Forgets idle endpoints not seen for `idleMs`, so the map stays the size of the active set. */
    sweep(idleMs: number): void {
      const cutoff = now() - idleMs;
      for (const [id, s] of endpoints) if (s.inFlight === 0 && s.touched < cutoff) endpoints.delete(id);
    },
    get inFlight(): number {
      return fast + slow;
    },
  };
}

export type EndpointSlots = ReturnType<typeof createEndpointSlots>;

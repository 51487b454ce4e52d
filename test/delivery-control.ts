/**
 * What a receiver saw of a FIFO or throttled endpoint, the checks those tests share
 * (docs/delivery.md, "Ordered endpoints" and "Throttles"): the arrival order against the places
 * hookd gave the deliveries, and the busiest window of arrivals. One FIFO endpoint per
 * receiver, so the `webhook-id` header (the event id) names the delivery.
 */
import type { Received } from './receiver.js';

export interface Sequenced {
  event: string;
  sequence: number | null;
}

export interface FifoLog {
  /** Event ids by their place (`sequence`), lowest first. */
  expected: string[];
  /** Event ids in the order of their first arrival. */
  firstArrivals: string[];
  /** The places, sorted: a FIFO queue's are consecutive (no gaps, no place twice). */
  sequences: (number | null)[];
  /** Arrivals beyond the first of an event. */
  resends: number;
  /**
   * Arrivals that came while the event was not the head: after the next event's first arrival
   * (a re-send of a head after a crash comes before the next one starts). Each names the event
   * and its arrival's index in the receiver's log.
   */
  outOfTurn: string[];
  /** Events with a place that never arrived. */
  missing: string[];
}

export function fifoLog(received: Received[], records: Sequenced[]): FifoLog {
  const placed = records.filter((r) => r.sequence !== null).sort((a, b) => a.sequence! - b.sequence!);
  const expected = placed.map((r) => r.event);
  const place = new Map(expected.map((e, i) => [e, i]));
  const ids = received.map((r) => String(r.headers['webhook-id']));
  const first = new Map<string, number>();
  ids.forEach((id, i) => void (first.has(id) || first.set(id, i)));
  const firstArrivals = [...first.keys()];
  const outOfTurn: string[] = [];
  ids.forEach((id, i) => {
    const p = place.get(id);
    const next = p === undefined ? undefined : expected[p + 1];
    const nextStarted = next === undefined ? undefined : first.get(next);
    if (p === undefined || (nextStarted !== undefined && i > nextStarted)) outOfTurn.push(`${id} at arrival ${i}`);
  });
  return {
    expected, firstArrivals,
    sequences: records.map((r) => r.sequence).sort((a, b) => (a ?? -1) - (b ?? -1)),
    resends: ids.length - first.size,
    outOfTurn,
    missing: expected.filter((e) => !first.has(e)),
  };
}

/** `count` consecutive places from the first one: what a queue with no gaps and no place twice holds. */
export const consecutive = (sequences: (number | null)[]): (number | null)[] =>
  sequences.length === 0 || sequences[0] === null ? sequences : sequences.map((_, i) => (sequences[0] as number) + i);

/** The most arrivals in any window of `ms` (half-open: [t, t + ms)), sliding over the arrival times. */
export function busiestWindow(received: Received[], ms: number): { count: number; from: number } {
  const at = received.map((r) => r.at).sort((a, b) => a - b);
  let best = { count: 0, from: 0 };
  for (let i = 0, j = 0; i < at.length; i++) {
    while (j < at.length && at[j]! < at[i]! + ms) j++;
    if (j - i > best.count) best = { count: j - i, from: at[i]! };
  }
  return best;
}

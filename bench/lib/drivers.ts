/**
 * The two ways the scenarios publish: a closed loop (N publishers, each sends its next event as
 * soon as the last is accepted: "as fast as the publisher can") and an open loop at a fixed
 * rate, where each event's clock starts at its scheduled time, so a system that falls behind
 * is charged for the wait (no coordinated omission).
 */
import { monoNow, sleep } from './clock.js';

export interface PublishCounts {
  accepted: number;
  errors: number;
  firstError: string | null;
}

export interface ClosedLoop extends PublishCounts {
  /** Resolves when `limit` events have been tried (or at once without a limit); stop() ends it early. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function closedLoop(concurrency: number, publish: (seq: number) => Promise<unknown>, limit = Infinity): ClosedLoop {
  let seq = 0;
  let stopping = false;
  const counts: PublishCounts = { accepted: 0, errors: 0, firstError: null };
  const one = async () => {
    while (!stopping && seq < limit) {
      const n = seq++;
      try {
        await publish(n);
        counts.accepted++;
      } catch (err) {
        counts.errors++;
        counts.firstError ??= (err as Error).message.slice(0, 300);
        // A failing system must not turn the publisher into a busy loop.
        await sleep(20);
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, one)).then(() => undefined);
  return {
    get accepted() { return counts.accepted; },
    get errors() { return counts.errors; },
    get firstError() { return counts.firstError; },
    done,
    async stop() {
      stopping = true;
      await done;
    },
  };
}

export interface FixedRateResult extends PublishCounts {
  /** Scheduled send time (monotonic ms) of every accepted event, by id. */
  scheduled: Map<string, number>;
  /** Events that started more than 5 ms after their scheduled time (publisher or system overloaded). */
  late: number;
  /** Events never started: the system was still `maxInFlight` publishes behind when the window and the settle time were over. */
  unsent: number;
}

/**
 * Publishes `rate` events per second for `durationMs`, without waiting for answers (at most
 * `maxInFlight` pending), then waits up to `settleMs` for the pending ones. A system that
 * cannot accept the rate is not waited for beyond that: what is left is `unsent`.
 */
export async function fixedRate(
  rate: number, durationMs: number, publish: (seq: number) => Promise<string>, options: { maxInFlight?: number; settleMs?: number } = {},
): Promise<FixedRateResult> {
  const maxInFlight = options.maxInFlight ?? 2_000;
  const total = Math.round((rate * durationMs) / 1000);
  const result: FixedRateResult = { accepted: 0, errors: 0, firstError: null, scheduled: new Map(), late: 0, unsent: 0 };
  const settleMs = options.settleMs ?? 15_000;
  let inFlight = 0;
  let next = 0;
  const start = monoNow();
  while (next < total) {
    if (monoNow() - start > durationMs + settleMs) {
      result.unsent = total - next;
      break;
    }
    const due = Math.min(total, Math.floor(((monoNow() - start) * rate) / 1000) + 1);
    while (next < due) {
      if (inFlight >= maxInFlight) break;
      const at = start + (next * 1000) / rate;
      if (monoNow() - at > 5) result.late++;
      const seq = next++;
      inFlight++;
      publish(seq).then(
        (id) => {
          result.accepted++;
          result.scheduled.set(id, at);
        },
        (err: unknown) => {
          result.errors++;
          result.firstError ??= (err as Error).message.slice(0, 300);
        },
      ).finally(() => inFlight--);
    }
    await sleep(1);
  }
  const deadline = Math.max(monoNow(), start + durationMs) + settleMs;
  while (inFlight > 0 && monoNow() < deadline) await sleep(5);
  return result;
}

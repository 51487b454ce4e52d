/** Time as a dependency, so that tests can move it (token expiry, idempotency windows, retries). */
export interface Clock {
  /** Unix milliseconds. */
  now(): number;
  /**
   * Calls `fn` once `ms` have passed on this clock; returns a function that cancels it. A clock
   * without it (a fixed time in a test) runs timers on the system's time (`setTimer`).
   */
  setTimer?(fn: () => void, ms: number): () => void;
}

function systemTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
}

export const systemClock: Clock = { now: () => Date.now(), setTimer: systemTimer };

/** `clock`'s timer when it has one, else one on the system's time. */
export function setTimer(clock: Clock, fn: () => void, ms: number): () => void {
  return clock.setTimer ? clock.setTimer(fn, ms) : systemTimer(fn, ms);
}

/**
 * A clock that moves only when told to: `advance` runs, in time order, every timer that comes
 * due on the way. For tests of code that schedules by time (the dispatcher's retries, sleeps
 * and shutdown grace) without waiting for it.
 */
export class ManualClock implements Clock {
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(public ms = 0) {}

  now = (): number => this.ms;

  setTimer = (fn: () => void, ms: number): (() => void) => {
    const timer = { at: this.ms + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };

  advance(ms: number): void {
    const end = this.ms + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.ms = Math.max(this.ms, due.at);
      due.fn();
    }
    this.ms = end;
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.timers.length;
  }
}

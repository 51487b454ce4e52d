/** Time as a dependency, so that tests can move it (token expiry, idempotency windows, retries). */
export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

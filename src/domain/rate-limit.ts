/**
 * An endpoint's throttle (docs/delivery.md, "Throttles"): a token bucket that every worker
 * shares through the endpoint's row. Pure, so the whole policy is one table of tests.
 *
 * Tokens accrue at `rate` per second; each delivery started takes one. The promise is the
 * burst B, about a tenth of a second's worth (2⌈rate / 20⌉, at least 2): in any one second at
 * most rate + B deliveries start. The bucket itself holds only half of that, C = ⌈rate / 20⌉,
 * and the other half is margin for what happens between a token taken and its request leaving: a claim's
 * commit, the reads after it, a worker's pause. Measured with three workers on PostgreSQL, a
 * bucket as large as the promise started 23–24 requests in one second at a limit of 20 (the
 * promise: 22), because one worker's granted requests left up to 170 ms late, beside the
 * others'. With the margin, one claim's worth held back by a stalled worker still keeps the
 * promise. A claim still takes several rows at once: one claim per 50 ms carries the rate.
 */

/** Tokens held at `at` (ms epoch). `at` in the future: paused by a Retry-After, no tokens accrue before it. */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface Grant {
  /** Deliveries the claim may start now. */
  granted: number;
  /** The bucket once they are taken (the caller gives back what it could not use: `refund`). */
  bucket: Bucket;
  /** ms epoch when the bucket next holds enough for a claim of the size asked, if any was refused. */
  nextAt: number | null;
}

/** The burst promised: in any one second at most rate + burstOf(rate) deliveries start. Twice the capacity: ⌈rate / 10⌉, at least 2. */
export function burstOf(rate: number): number {
  return 2 * capacityOf(rate);
}

/** Whole tokens the bucket holds at most: half the promised burst, at least one. */
export function capacityOf(rate: number): number {
  return Math.max(1, Math.ceil(rate / 20));
}

/**
 * Besides its whole tokens, the bucket keeps the fraction accruing toward the next one. Only
 * whole tokens are granted, so a second still starts at most rate + capacity; but a claim that
 * comes a little after a token was whole loses nothing. Capped at exactly the capacity, a limit
 * of 20/s with one worker delivered 18/s: each claim came a few ms after its token, and those
 * ms were lost every time.
 */
const ACCRUING = 0.99;

/** The bucket as it stands at `now`. A bucket never used starts empty at `now`. */
export function bucketAt(bucket: Bucket | null, rate: number, now: number): Bucket {
  if (bucket === null) return { tokens: 0, at: now };
  if (bucket.at >= now) return bucket;
  return { tokens: Math.min(capacityOf(rate) + ACCRUING, bucket.tokens + ((now - bucket.at) * rate) / 1000), at: now };
}

/**
 * Takes up to `want` tokens. Fractions stay in the bucket: at 10/s a token is whole every
 * 100 ms, not lost to rounding.
 */
export function takeTokens(bucket: Bucket | null, rate: number, now: number, want: number): Grant {
  const held = bucketAt(bucket, rate, now);
  // A hair under a whole token (float sums of fractions) counts as whole.
  const whole = held.at > now ? 0 : Math.floor(held.tokens + 1e-9);
  const granted = Math.max(0, Math.min(want, whole));
  const after = { tokens: Math.max(0, held.tokens - granted), at: held.at };
  if (granted >= want) return { granted, bucket: after, nextAt: null };
  const need = Math.min(capacityOf(rate), want - granted);
  const from = Math.max(now, held.at);
  return { granted, bucket: after, nextAt: from + Math.ceil(((need - after.tokens) * 1000) / rate) };
}

/** Gives back tokens a claim took but found no delivery for. */
export function refund(bucket: Bucket, unused: number): Bucket {
  return unused > 0 ? { tokens: bucket.tokens + unused, at: bucket.at } : bucket;
}

/**
 * ms after its token was taken within which a throttled delivery must start, or go back to the
 * queue unsent: the margin between the bucket and the promise, C / rate seconds (50 ms at most
 * limits). A start therefore falls within C / rate of its token, and any one second holds at
 * most the tokens of 1 + C / rate seconds: C and its fraction, plus rate × (1 + C / rate),
 * whole: rate + 2C, the burst. A worker that stalls past it wastes a token and keeps the promise.
 */
export function startWithinMs(rate: number): number {
  return Math.floor((capacityOf(rate) * 1000) / rate);
}


/**
 * An endpoint's throttle (docs/delivery.md, "Throttles"): a token bucket that every worker
 * shares through the endpoint's row. Pure, so the whole policy is one table of tests.
 *
 * Tokens accrue at `rate` per second up to the burst; each delivery started takes one. In any
 * one second at most rate + burst deliveries start: the burst held at its beginning and what
 * accrues during it. The burst is a tenth of a second's worth (at least one), so that the
 * one-second bound stays within 10 % of the rate, while a claim can still take several rows at
 * once: one claim per 100 ms carries the whole rate at any limit.
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

/** Deliveries that may start at once after an idle spell: max(1, ⌈rate / 10⌉). */
export function burstOf(rate: number): number {
  return Math.max(1, Math.ceil(rate / 10));
}

/** The bucket as it stands at `now`. A bucket never used starts empty at `now`. */
export function bucketAt(bucket: Bucket | null, rate: number, now: number): Bucket {
  if (bucket === null) return { tokens: 0, at: now };
  if (bucket.at >= now) return bucket;
  return { tokens: Math.min(burstOf(rate), bucket.tokens + ((now - bucket.at) * rate) / 1000), at: now };
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
  const need = Math.min(burstOf(rate), want - granted);
  const from = Math.max(now, held.at);
  return { granted, bucket: after, nextAt: from + Math.ceil(((need - after.tokens) * 1000) / rate) };
}

/** Gives back tokens a claim took but found no delivery for. */
export function refund(bucket: Bucket, unused: number): Bucket {
  return unused > 0 ? { tokens: bucket.tokens + unused, at: bucket.at } : bucket;
}

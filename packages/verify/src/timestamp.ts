/** The freshness check shared by both schemes, and the options every verifier takes. */
import { TimestampInFutureError, TimestampTooOldError, type SignatureScheme } from './errors.js';
import type { CryptoLike } from './hmac.js';

/** Default tolerance: a signature older than 300 s (5 minutes) is refused. */
export const DEFAULT_TOLERANCE = 300;

/**
 * A signed timestamp at most 30 s ahead of the verifier's clock is accepted (the two clocks are
 * never exactly in step); further ahead is refused as `timestamp_in_future`.
 */
export const MAX_FUTURE_SKEW = 30;

export interface VerifyOptions {
  /** Seconds a signature stays acceptable after its timestamp. Default 300. `Infinity` turns the check off (not recommended: replays). */
  tolerance?: number;
  /** The verifier's clock: a Date or Unix seconds. Default the current time. */
  now?: Date | number;
  /** A WebCrypto implementation, where `globalThis.crypto` has none (Node 18 without --experimental-global-webcrypto). */
  crypto?: CryptoLike;
}

export function nowSeconds(now: Date | number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (now instanceof Date) return Math.floor(now.getTime() / 1000);
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new TypeError('options.now must be a Date or a number of Unix seconds');
  return Math.floor(now);
}

export function toleranceSeconds(tolerance: number | undefined): number {
  if (tolerance === undefined) return DEFAULT_TOLERANCE;
  if (typeof tolerance !== 'number' || Number.isNaN(tolerance) || tolerance < 0) throw new TypeError('options.tolerance must be a number of seconds ≥ 0');
  return tolerance;
}

/** Unix seconds as sent in a header: digits only. */
export const UNIX_SECONDS = /^\d{1,12}$/;

export function checkTimestamp(timestamp: number, options: VerifyOptions, scheme: SignatureScheme, header: string): void {
  const now = nowSeconds(options.now);
  const tolerance = toleranceSeconds(options.tolerance);
  const details = { scheme, header, timestamp, now };
  const age = now - timestamp;
  if (age > tolerance) {
    const unitHint = typeof options.now === 'number' && options.now > 1e11 ? ' (options.now looks like milliseconds: pass Unix seconds or a Date)' : '';
    throw new TimestampTooOldError(
      `The signature's timestamp (${header}: ${timestamp}) is ${age} s old, beyond the tolerance of ${tolerance} s${unitHint}. ` +
      'Either the request is a replay or was held up on the way, or this server\'s clock is behind: check that it is synchronised (NTP). ' +
      'A genuine delivery that hookd retries is signed again with a fresh timestamp.',
      details,
    );
  }
  if (-age > MAX_FUTURE_SKEW) {
    throw new TimestampInFutureError(
      `The signature's timestamp (${header}: ${timestamp}) is ${-age} s in the future, more than the ${MAX_FUTURE_SKEW} s of clock skew allowed. ` +
      'This server\'s clock or the sender\'s is wrong: check that both are synchronised (NTP).',
      details,
    );
  }
}

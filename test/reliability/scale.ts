/**
 * The reliability suite runs in two sizes: the full one (`npm run test:reliability`, which sets
 * HOOKD_TEST_RELIABILITY=full) with the counts, and the bounded one that `npm test`
 * (and so CI) runs on every change, the same scenarios with smaller counts.
 */
export const FULL = process.env.HOOKD_TEST_RELIABILITY === 'full';

/** The full suite's value, or the bounded run's. */
export const sized = <T>(full: T, bounded: T): T => (FULL ? full : bounded);

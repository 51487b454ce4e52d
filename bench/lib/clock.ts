/**
 * One clock for every process of the benchmark. process.hrtime reads CLOCK_MONOTONIC, which is
 * system-wide on Linux, so a time taken in the harness and one taken in the receiver process
 * can be subtracted: sub-millisecond publish-to-receipt latency without trusting Date.now().
 */
export function monoNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

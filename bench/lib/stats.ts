/** Percentiles over latencies where a delivery that never came counts as infinitely late. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Deliveries expected and how many of them arrived. */
  expected: number;
  arrived: number;
}

/** `missing` deliveries count as Infinity, so a percentile they reach is reported as null (never arrived). */
export function summarise(latencies: number[], missing: number): LatencySummary {
  const all = [...latencies, ...Array<number>(Math.max(0, missing)).fill(Infinity)].sort((a, b) => a - b);
  const at = (p: number) => {
    const v = percentile(all, p);
    return Number.isFinite(v) ? round(v) : null;
  };
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100), expected: all.length, arrived: latencies.length };
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function median(values: number[]): number | null {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  return finite.length === values.length && finite.length > 0 ? percentile(finite, 50) : null;
}

/**
 * Durations in settings: `500ms`, `5s`, `5m`, `2h`, `5d`, or `0`. A bare non-zero number is
 * refused rather than guessed (seconds? milliseconds?), since a wrong guess is a 1000× error.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(t);
  if (!m) return undefined;
  const ms = Number(m[1]) * (UNITS[m[2]!] ?? NaN);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms === 0 ? '0' : `${ms}ms`;
}

/** The range a duration setting allows, in ms, both ends included; no `max`: no upper bound. */
export interface DurationBounds {
  min: number;
  max?: number;
}

/** The ms of `text` when it is a duration within `bounds`, else undefined (loadConfig then names the setting and its rule). */
export function parseDurationWithin(text: string, { min, max = Infinity }: DurationBounds): number | undefined {
  const ms = parseDuration(text);
  return ms !== undefined && ms >= min && ms <= max ? ms : undefined;
}

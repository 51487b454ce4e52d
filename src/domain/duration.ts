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

/**
 * An ISO 8601 duration (`PT1H`, `PT60M`, `P1DT2H`, `PT1.5S`) in ms, as Falu's clients write one
 * (Falu's CLI sends its `--ttl` so). Years and months are refused: their length depends on
 * the date they start from, and no duration hookd reads is that long.
 */
export function parseIsoDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(text);
  // "P" and "PT" alone match the pattern with no part: not a duration.
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [weeks, days, hours, minutes] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0));
  const seconds = Number((m[5] ?? '0').replace(',', '.'));
  const ms = Math.round(((((weeks! * 7 + days!) * 24 + hours!) * 60 + minutes!) * 60 + seconds) * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

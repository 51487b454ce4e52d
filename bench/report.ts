/**
 * The one table: a row per figure, a column per system. Headline figures carry their ratio to
 * the ceiling in parentheses (% for rates, × for times and sizes), and are followed by rows
 * that divide every system's figure by each baseline's.
 */
import type { ScenarioName } from './options.js';
import type { Context, MetricDef, Scenario } from './scenarios/types.js';
import type { SystemName } from './systems/types.js';

const BASELINES: SystemName[] = ['bullmq', 'pg-boss'];

export function format(value: number | null | undefined, unit: MetricDef['unit']): string {
  if (value === undefined) return '';
  if (value === null || Number.isNaN(value)) return '—';
  switch (unit) {
    case 'per_s': return Math.round(value).toLocaleString('en-US');
    case 'ms': return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
    case 'us': return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
    case 'cpu': return value.toFixed(3);
    case 'mb': return Math.round(value).toLocaleString('en-US');
    case 'ratio': return `${value.toFixed(2)}×`;
    case 'pct': return `${value.toFixed(value >= 99.95 || value === 0 ? 0 : 1)}%`;
  }
}

function relative(value: number | null | undefined, ref: number | null | undefined, unit: MetricDef['unit']): string {
  if (value === null || value === undefined || !ref) return '';
  return unit === 'per_s' ? `${Math.round((value / ref) * 100)}%` : `${(value / ref).toFixed(2)}×`;
}

export function renderTable(scenarios: Scenario[], systems: SystemName[], results: Context['results']): string {
  const rows: string[][] = [['', ...systems]];
  const rule = () => rows.push([]);
  for (const scenario of scenarios) {
    const bySystem = results[scenario.name as ScenarioName] ?? {};
    rule();
    for (const m of scenario.metrics) {
      const ceiling = bySystem.ceiling?.figures[m.key];
      rows.push([m.label, ...systems.map((s) => {
        const r = bySystem[s];
        if (!r) return scenario.skip?.(s) ? 'skipped' : 'not run';
        if (Object.keys(r.figures).length === 0) return 'failed';
        const v = r.figures[m.key];
        const rel = m.headline && s !== 'ceiling' ? relative(v, ceiling, m.unit) : '';
        return rel ? `${format(v, m.unit)} (${rel})` : format(v, m.unit);
      })]);
      if (!m.headline) continue;
      for (const b of BASELINES.filter((x) => systems.includes(x))) {
        const ref = bySystem[b]?.figures[m.key];
        if (ref === null || ref === undefined || !systems.some((s) => s !== b && bySystem[s])) continue;
        rows.push([`  ÷ ${b}`, ...systems.map((s) => (s === b ? '' : relativeRatio(bySystem[s]?.figures[m.key], ref)))]);
      }
    }
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  const total = widths.reduce((a, b) => a + b + 2, 0);
  return rows.map((r) => (r.length === 0 ? '-'.repeat(total)
    : r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '))).join('\n');
}

function relativeRatio(value: number | null | undefined, ref: number): string {
  return value === null || value === undefined ? '' : `${(value / ref).toFixed(2)}×`;
}

/** Every note, prefixed with where it came from. */
export function renderNotes(scenarios: Scenario[], systems: SystemName[], results: Context['results']): string {
  const lines: string[] = [];
  for (const scenario of scenarios) {
    for (const s of systems) {
      for (const note of results[scenario.name]?.[s]?.notes ?? []) lines.push(`- ${scenario.name} · ${s}: ${note}`);
    }
  }
  return lines.join('\n');
}

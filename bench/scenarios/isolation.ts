/**
 * Scenario 3, isolation: the latency scenario with 50 more endpoints, subscribed to the same
 * events, that never answer (each request hangs until the sender's timeout, 15 s everywhere).
 * Reports the healthy endpoint's p50/p99 and their ratio to the same system's latency scenario:
 * 1.0 means the dead endpoints cost the healthy one nothing.
 *
 * The ceiling is not run: without a queue it must either wait for the dead endpoints (and
 * measure nothing but the timeout) or open sockets without bound.
 */
import { round } from '../lib/stats.js';
import { EVENT_TYPES } from '../payload.js';
import { measureRate } from './latency.js';
import type { Scenario } from './types.js';

export const isolation: Scenario = {
  name: 'isolation',
  metrics: [
    { key: 'iso_p50', label: 'isolation: healthy p50 ms', unit: 'ms', better: 'lower' },
    { key: 'iso_p99', label: 'isolation: healthy p99 ms', unit: 'ms', better: 'lower', headline: true },
    { key: 'iso_ratio_p50', label: 'isolation: p50 ÷ latency p50', unit: 'ratio', better: 'lower' },
    { key: 'iso_ratio_p99', label: 'isolation: p99 ÷ latency p99', unit: 'ratio', better: 'lower' },
    { key: 'iso_arrived', label: 'isolation: healthy delivered %', unit: 'pct', better: 'higher' },
  ],
  skip: (system) => (system === 'ceiling' ? 'no queue: it can only wait on the dead endpoints or open sockets without bound' : null),
  async run(system, ctx) {
    const notes: string[] = [];
    const type = EVENT_TYPES[0]!;
    const endpoints = [
      { path: '/ep/0', types: [type] },
      ...Array.from({ length: ctx.options.hangingEndpoints }, (_, i) => ({ path: `/hang/${i + 1}`, types: [type] })),
    ];
    const { summary, detail } = await measureRate(system, ctx, endpoints, 'isolation', notes);
    const base = ctx.results.latency?.[system.name]?.figures;
    const ratio = (v: number | null, b: number | null | undefined) => (v !== null && b ? round(v / b) : null);
    const figures = {
      iso_p50: summary.p50, iso_p99: summary.p99,
      iso_ratio_p50: ratio(summary.p50, base?.lat_p50), iso_ratio_p99: ratio(summary.p99, base?.lat_p99),
      iso_arrived: summary.expected > 0 ? round((summary.arrived / summary.expected) * 100, 1) : null,
    };
    if (!base) notes.push('no latency result for this system in this run: ratios not computed');
    ctx.log(`  healthy p50 ${summary.p50} ms, p99 ${summary.p99} ms (${summary.arrived}/${summary.expected}), p99 ratio ${figures.iso_ratio_p99}`);
    return { figures, notes, detail };
  },
};

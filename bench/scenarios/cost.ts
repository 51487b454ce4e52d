/**
 * Scenario 8, cost: what the per-endpoint controls (ordering, throttles) cost the endpoints that
 * use neither. The throughput scenario's fan-out 10 window, run alternately on the hookd of
 * `--base=<commit>` (built by lib/base-build.ts) and on this checkout's, base first, twice each,
 * in one run on one machine; the figure is this checkout's deliveries/s ÷ the base's, each the
 * mean of its two windows, so a drift of the machine during the run weighs on both alike.
 */
import { round } from '../lib/stats.js';
import { variant } from './throughput.js';
import type { Figures, Scenario } from './types.js';

const ROUNDS = 2;

export const cost: Scenario = {
  name: 'cost',
  metrics: [
    { key: 'cost_base', label: 'cost: fan-out 10 deliveries/s, --base build', unit: 'per_s', better: 'higher' },
    { key: 'cost_head', label: 'cost: fan-out 10 deliveries/s, this build', unit: 'per_s', better: 'higher' },
    { key: 'cost_ratio', label: 'cost: this build ÷ --base build', unit: 'ratio', better: 'higher' },
  ],
  skip: (system) => (system.startsWith('hookd') ? null : 'compares two builds of hookd'),
  async run(system, ctx) {
    if (!ctx.baseCli) throw new Error('the cost scenario needs --base=<commit>');
    const notes: string[] = [];
    const runs: { build: 'base' | 'head'; deliveries: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const build of ['base', 'head'] as const) {
        const r = await variant(system, ctx, 10, notes, build === 'base' ? { hookdCli: ctx.baseCli, label: 'costbase' } : { label: 'costhead' });
        runs.push({ build, deliveries: r.deliveries });
        ctx.log(`  ${build}: ${r.deliveries} deliveries/s`);
      }
    }
    const mean = (build: 'base' | 'head') => {
      const xs = runs.filter((r) => r.build === build).map((r) => r.deliveries);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const figures: Figures = { cost_base: round(mean('base'), 0), cost_head: round(mean('head'), 0), cost_ratio: round(mean('head') / mean('base'), 3) };
    return { figures, notes, detail: { base: ctx.options.base, runs } };
  },
};

/**
 * Scenario 4b, fanout-filter: what payload filters (docs/delivery.md, "Filters") cost at
 * fan-out. One event to 1,000 endpoints without filters (the fanout scenario's largest group),
 * to 1,000 endpoints each with a filter that matches it, and to 1,000 endpoints of which 100
 * have that filter and 900 one that does not match (the time to the 100th arrival). Measured by
 * the fanout scenario's own loop (fanout.ts), in one hookd run, so the three compare directly.
 */
import { fanoutFigures, timeFanouts } from './fanout.js';
import type { Scenario } from './types.js';

const SIZE = 1000;
const MATCHING = 100;

/** Five conditions over sampleObject(): numbers, $in, a literal, a nested $startsWith and $exist. */
const matches = {
  data: {
    object: {
      amount: { $gte: 1000, $lt: 10_000 }, currency: { $in: ['kes', 'usd', 'eur'] }, status: 'succeeded',
      mpesa: { type: { $startsWith: 'pay' }, receipt: { $exist: true } },
    },
  },
};
/** The same shape, failing on its second condition. */
const misses = { data: { object: { ...matches.data.object, currency: { $in: ['usd', 'eur'] } } } };

export const fanoutFilter: Scenario = {
  name: 'fanout-filter',
  metrics: [
    { key: 'plain_1000', label: 'fan-out to 1,000 without filters: last arrival ms', unit: 'ms', better: 'lower' },
    { key: 'filter_1000', label: 'fan-out to 1,000 with filters, all match: last arrival ms', unit: 'ms', better: 'lower', headline: true },
    { key: 'filter_100', label: 'fan-out to 1,000 with filters, 100 match: last arrival ms', unit: 'ms', better: 'lower' },
  ],
  skip: (system) => (system.startsWith('hookd') ? null : 'payload filters are a hookd feature'),
  async run(system, ctx) {
    const notes: string[] = [];
    const groups = [
      { key: 'plain_1000', endpoints: Array.from({ length: SIZE }, () => ({})), arrivals: SIZE },
      { key: 'filter_1000', endpoints: Array.from({ length: SIZE }, () => ({ filter: matches })), arrivals: SIZE },
      { key: 'filter_100', endpoints: Array.from({ length: SIZE }, (_, i) => ({ filter: i < MATCHING ? matches : misses })), arrivals: MATCHING },
    ];
    const { figures, detail } = fanoutFigures(await timeFanouts(system, ctx, groups, 'fanout-filter', notes));
    ctx.log(`  ${groups.map((g) => `${g.key}: ${figures[g.key]} ms`).join(', ')}`);
    return { figures, notes, detail };
  },
};

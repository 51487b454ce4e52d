/**
 * Scenario 7, throttle: two endpoints with `rate_limit` 10 and 500, each with a backlog larger
 * than its limit can drain in the window, in one hookd at once (each endpoint has a bucket of
 * its own). The backlogs are queued while the endpoints are limited to 1/s (so their depth does
 * not depend on how fast the publisher is), then the limits are raised to 10 and 500 by PATCH;
 * a second later the window opens (30 s; quick 5 s). Measured: each
 * endpoint's delivered rate and its error against the limit (target ±5 %), and, over the whole
 * run, the most deliveries that arrived within any one second against the promise, N + burst
 * (src/domain/rate-limit.ts `burstOf`). The promise is on when hookd starts each request
 * (test/throttle-workers.pg.test.ts checks it exactly); arrivals add the network's jitter. On hookd-sqlite with its one process; on hookd-postgres with
 * one process (role all) and with three (role all and two `--role worker`), which share the
 * bucket through the endpoint's row.
 */
import { burstOf } from '../../src/domain/rate-limit.js';
import { monoNow, sleep } from '../lib/clock.js';
import { closedLoop } from '../lib/drivers.js';
import { round } from '../lib/stats.js';
import { EVENT_TYPES, sampleObject } from '../payload.js';
import type { Options } from '../options.js';
import type { ReceiverRecord } from '../receiver.js';
import type { System, SystemName } from '../systems/types.js';
import { withSystem, type Context, type Figures, type MetricDef, type Scenario } from './types.js';

const RATES = [10, 500];
/** Dispatching processes to run each system with. */
const workersOf = (system: SystemName, o: Options): number[] => (system === 'hookd-sqlite' ? [1] : system === 'hookd-postgres' ? o.throttlePgWorkers : []);
/** The endpoints' limit while their backlogs are queued. */
const QUEUEING_RATE = 1;
/** Seconds of queueing the backlogs allow for (a full run's 16,000 publishes take ~20 s on PostgreSQL). */
const QUEUEING_SPARE = 120;


const metricsFor = (workers: number, n: number): MetricDef[] => {
  const p = `w${workers}_${n}`;
  const title = `throttle ${n}/s, ${workers} worker${workers > 1 ? 's' : ''}`;
  return [
    { key: `${p}_rate`, label: `${title}: deliveries/s`, unit: 'per_s', better: 'higher' },
    { key: `${p}_error`, label: `${title}: error vs limit`, unit: 'pct', better: 'lower' },
    { key: `${p}_peak`, label: `${title}: most in 1 s (cap ${n + burstOf(n)})`, unit: 'per_s', better: 'lower' },
  ];
};

/** The most times within any one second (a sliding window), of sorted times in ms. */
export function mostInOneSecond(sorted: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= 1000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

async function one(system: System, ctx: Context, workers: number, notes: string[]) {
  const { options: o, receiver } = ctx;
  const rates = o.throttleRates;
  // Queued at 1/s, so the backlog stays whatever the publisher's speed; raised to N for the window.
  const endpoints = rates.map((_, i) => ({ path: `/ep/${i}`, types: [EVENT_TYPES[i]!], rateLimit: QUEUEING_RATE }));
  const setup = { receiverUrl: receiver.url, endpoints, retry: 'default' as const, label: `throttle${workers}`, extraWorkers: workers - 1 };
  return withSystem(system, setup, notes, async (sys) => {
    if (!sys.updateEndpoint) throw new Error(`${system.name} cannot change an endpoint's rate limit`);
    await receiver.reset(true);
    const queueStart = monoNow();
    // The window at N, the second of settling before it, a second to spare, and what drains at
    // 1/s while the publisher queues (up to QUEUEING_SPARE s).
    const loops = rates.map((n, i) => closedLoop(16, (seq) => sys.publish(EVENT_TYPES[i]!, sampleObject(seq)),
      n * (o.throttleMs / 1000 + 2) + burstOf(n) + QUEUEING_RATE * QUEUEING_SPARE));
    await Promise.all(loops.map((l) => l.done));
    const queued = loops.reduce((sum, l) => sum + l.accepted, 0) - (await receiver.stats()).unique;
    await Promise.all(rates.map((n, i) => sys.updateEndpoint!(i, { rate_limit: n })));
    // A second for every process to see the new limit (a claim waiting for its next token at 1/s).
    await sleep(1_000);
    const start = monoNow();
    await sleep(o.throttleMs);
    const end = monoNow();
    const records: ReceiverRecord[] = await receiver.records();
    const figures: Figures = {};
    const detail: Record<string, unknown> = { queueSeconds: round((start - queueStart) / 1000 - 1, 2), waitingAtStart: queued };
    rates.forEach((n, i) => {
      const times = records.filter((r) => r[1] === i).map((r) => r[2]).sort((a, b) => a - b);
      const inWindow = times.filter((t) => t >= start && t < end).length;
      if (times.length >= loops[i]!.accepted) notes.push(`${workers} worker(s), ${n}/s: the backlog ran dry within the window`);
      const rate = inWindow / ((end - start) / 1000);
      const p = `w${workers}_${n}`;
      figures[`${p}_rate`] = round(rate, 1);
      figures[`${p}_error`] = round(((rate - n) / n) * 100, 1);
      figures[`${p}_peak`] = mostInOneSecond(times);
      detail[`limit${n}`] = { inWindow, total: times.length, cap: n + burstOf(n) };
      if (Math.abs(rate - n) > n * 0.05) notes.push(`${workers} worker(s), ${n}/s: ${round(rate, 1)}/s misses the ±5 % target`);
      if (figures[`${p}_peak`]! > n + burstOf(n)) notes.push(`${workers} worker(s), ${n}/s: ${figures[`${p}_peak`]} arrived within one second, over N + burst = ${n + burstOf(n)}`);
    });
    const errors = loops.reduce((sum, l) => sum + l.errors, 0);
    if (errors > 0) notes.push(`${workers} worker(s): ${errors} publishes failed, first: ${loops.map((l) => l.firstError).find(Boolean)}`);
    ctx.log(`  ${workers} worker(s): ${rates.map((n) => `${n}/s → ${figures[`w${workers}_${n}_rate`]}/s, most in 1 s ${figures[`w${workers}_${n}_peak`]}`).join('; ')}`);
    return { figures, detail };
  });
}

export const throttle: Scenario = {
  name: 'throttle',
  metrics: [1, 3].flatMap((w) => RATES.flatMap((n) => metricsFor(w, n))),
  skip: (system) => (system.startsWith('hookd') ? null : 'throttles are a hookd feature'),
  async run(system, ctx) {
    const figures: Figures = {};
    const notes: string[] = [];
    const detail: Record<string, unknown> = {};
    for (const workers of workersOf(system.name, ctx.options)) {
      const r = await one(system, ctx, workers, notes);
      Object.assign(figures, r.figures);
      detail[`workers${workers}`] = r.detail;
    }
    return { figures, notes, detail };
  },
};

/**
 * Scenario 7, throttle: two endpoints with `rate_limit` 10 and 500, each with a backlog larger
 * than its limit can drain in the window, in one hookd at once (each endpoint has a bucket of
 * its own). Measured over the window (30 s; quick 5 s) once the backlog is queued: each
 * endpoint's delivered rate and its error against the limit (target ±5 %), and, over the whole
 * run, the most deliveries that arrived within any one second against the promise, N + burst
 * (burst = max(1, ceil(N/10))). On hookd-sqlite with its one process; on hookd-postgres with
 * one process (role all) and with three (role all and two `--role worker`), which share the
 * bucket through the endpoint's row.
 */
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
/** Queueing stops here even if the backlog is not deep enough (a hookd that does not throttle keeps up with any publisher). */
const QUEUE_LIMIT_MS = 20_000;

export const burstOf = (n: number) => Math.max(1, Math.ceil(n / 10));

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
  const endpoints = rates.map((n, i) => ({ path: `/ep/${i}`, types: [EVENT_TYPES[i]!], rateLimit: n }));
  const setup = { receiverUrl: receiver.url, endpoints, retry: 'default' as const, label: `throttle${workers}`, extraWorkers: workers - 1 };
  return withSystem(system, setup, notes, async (sys) => {
    await receiver.reset(true);
    // Each endpoint's backlog deep enough for the window and a second more at its limit, plus
    // what its limit lets drain while queueing goes on.
    const queueStart = monoNow();
    const elapsed = () => (monoNow() - queueStart) / 1000;
    const target = (n: number) => n * (o.throttleMs / 1000 + 1 + elapsed()) + burstOf(n);
    const loops = rates.map((_, i) => closedLoop(8, (seq) => sys.publish(EVENT_TYPES[i]!, sampleObject(seq))));
    const open = new Set(loops);
    while (open.size > 0 && elapsed() * 1000 < QUEUE_LIMIT_MS) {
      loops.forEach((loop, i) => {
        if (open.has(loop) && loop.accepted >= target(rates[i]!)) {
          open.delete(loop);
          void loop.stop();
        }
      });
      await sleep(50);
    }
    await Promise.all(loops.map((l) => l.stop()));
    const queued = loops.reduce((sum, l) => sum + l.accepted, 0) - (await receiver.stats()).unique;
    const deep = rates.reduce((sum, n) => sum + n * (o.throttleMs / 1000 + 1), 0);
    if (queued < deep) notes.push(`${workers} worker(s): only ${queued} of ${deep} deliveries waiting when the window opened (the throttles did not hold them back?)`);
    const start = monoNow();
    await sleep(o.throttleMs);
    const end = monoNow();
    const records: ReceiverRecord[] = await receiver.records();
    const figures: Figures = {};
    const detail: Record<string, unknown> = { queueSeconds: round((start - queueStart) / 1000, 2), waitingAtStart: queued };
    rates.forEach((n, i) => {
      const times = records.filter((r) => r[1] === i).map((r) => r[2]).sort((a, b) => a - b);
      const inWindow = times.filter((t) => t >= start && t < end).length;
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

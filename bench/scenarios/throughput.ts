/**
 * Scenario 1, throughput. 32 publishers send events as fast as each is accepted, over 10 event
 * types; (a) fan-out 1: 10 endpoints, each subscribed to its own type; (b) fan-out 10: every
 * endpoint subscribed to all 10 types. After a warm-up, one window measures deliveries received
 * per second (the steady state: a growing backlog does not count), events accepted per second,
 * and CPU per 1,000 deliveries, of the sending process alone and of the whole machine (which
 * adds Redis or PostgreSQL, the publisher and the receiver: the cost of the whole pipeline).
 */
import { monoNow, sleep } from '../lib/clock.js';
import { closedLoop } from '../lib/drivers.js';
import { machineCpuSeconds, processCpuSeconds } from '../lib/proc.js';
import { round } from '../lib/stats.js';
import { EVENT_TYPES, sampleObject } from '../payload.js';
import type { System, SystemSetup } from '../systems/types.js';
import { withSystem, type Context, type Figures, type MetricDef, type Scenario } from './types.js';

const metricsFor = (p: string, title: string): MetricDef[] => [
  { key: `${p}_deliveries`, label: `${title}: deliveries/s`, unit: 'per_s', better: 'higher', headline: true },
  { key: `${p}_events`, label: `${title}: events accepted/s`, unit: 'per_s', better: 'higher' },
  { key: `${p}_cpu`, label: `${title}: sender CPU s/1k deliveries`, unit: 'cpu', better: 'lower' },
  { key: `${p}_machine_cpu`, label: `${title}: machine CPU s/1k deliv.`, unit: 'cpu', better: 'lower' },
];

/** One fan-out's window; `setup` adds to the system's setup (the cost scenario runs an older hookd through it). */
export async function variant(system: System, ctx: Context, fanout: 1 | 10, notes: string[], setup: Partial<SystemSetup> = {}) {
  const { options: o, receiver } = ctx;
  const endpoints = EVENT_TYPES.map((type, i) => ({ path: `/ep/${i}`, types: fanout === 1 ? [type] : [...EVENT_TYPES] }));
  return withSystem(system, { receiverUrl: receiver.url, endpoints, retry: 'default', label: `throughput${fanout}`, ...setup }, notes, async (sys) => {
    await receiver.reset(false);
    const loop = closedLoop(o.publishers, (seq) => sys.publish(EVENT_TYPES[seq % EVENT_TYPES.length]!, sampleObject(seq)));
    const mark = async () => ({
      t: monoNow(), received: (await receiver.stats()).unique, accepted: loop.accepted,
      cpu: processCpuSeconds(sys.senderPid) ?? NaN, machine: machineCpuSeconds(), publisher: process.cpuUsage(),
    });
    await sleep(o.warmupMs);
    const a = await mark();
    await sleep(o.measureMs);
    const b = await mark();
    await loop.stop();
    const end = await receiver.stats();
    const seconds = (b.t - a.t) / 1000;
    const deliveries = b.received - a.received;
    const per1k = (cpu: number) => (deliveries > 0 ? round((cpu / deliveries) * 1000, 4) : null);
    const publisherCpu = (b.publisher.user + b.publisher.system - a.publisher.user - a.publisher.system) / 1e6;
    if (loop.errors > 0) notes.push(`fan-out ${fanout}: ${loop.errors} publishes failed, first: ${loop.firstError}`);
    if (end.duplicates > 0) notes.push(`fan-out ${fanout}: ${end.duplicates} duplicate deliveries`);
    return {
      deliveries: round(deliveries / seconds, 0),
      events: round((b.accepted - a.accepted) / seconds, 0),
      cpu: per1k(b.cpu - a.cpu),
      machineCpu: per1k(b.machine - a.machine),
      detail: {
        windowSeconds: round(seconds, 3), deliveriesInWindow: deliveries, eventsAccepted: loop.accepted, publishErrors: loop.errors,
        deliveriesReceived: end.unique, duplicates: end.duplicates,
        // Accepted but not yet delivered when publishing stopped: how far sending fell behind accepting.
        backlogAtStop: loop.accepted * fanout - end.unique,
        publisherCpuPer1k: per1k(publisherCpu),
      },
    };
  });
}

export const throughput: Scenario = {
  name: 'throughput',
  metrics: [...metricsFor('fo1', 'fan-out 1'), ...metricsFor('fo10', 'fan-out 10')],
  async run(system, ctx) {
    const figures: Figures = {};
    const notes: string[] = [];
    const detail: Record<string, unknown> = {};
    for (const fanout of [1, 10] as const) {
      const p = `fo${fanout}`;
      const r = await variant(system, ctx, fanout, notes);
      Object.assign(figures, { [`${p}_deliveries`]: r.deliveries, [`${p}_events`]: r.events, [`${p}_cpu`]: r.cpu, [`${p}_machine_cpu`]: r.machineCpu });
      detail[p] = r.detail;
      ctx.log(`  fan-out ${fanout}: ${r.deliveries} deliveries/s, ${r.events} events/s, backlog at stop ${String(r.detail.backlogAtStop)}`);
    }
    return { figures, notes, detail };
  },
};

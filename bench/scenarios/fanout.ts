/**
 * Scenario 4, fan-out: one event to 1, 10, 100 and 1,000 endpoints (each group subscribed to a
 * type of its own, all created before the clock starts); the time from the start of the publish
 * to the arrival of the last of its deliveries. The median of the repeats is reported.
 *
 * All endpoints share the receiver's origin (127.0.0.1:<port>), so connections are reused
 * across endpoints; to 1,000 real hosts each delivery would also open a connection.
 */
import { monoNow } from '../lib/clock.js';
import { median, round } from '../lib/stats.js';
import { EVENT_TYPES, sampleObject } from '../payload.js';
import type { EndpointSpec, System } from '../systems/types.js';
import { withSystem, type Context, type Figures, type Scenario } from './types.js';

const WAIT_MS = 30_000;

/** A group of endpoints on one type of its own; `arrivals` of its deliveries are expected per publish. */
export interface FanoutGroup {
  key: string;
  endpoints: Omit<EndpointSpec, 'path' | 'types'>[];
  arrivals: number;
}

/**
 * Creates every group's endpoints before the clock starts, then publishes one event per group
 * and repeat, and times from the start of the publish to the last expected arrival. Shared by
 * fanout and fanout-filter (fanout-filter.ts), so both measure alike.
 */
export async function timeFanouts(system: System, ctx: Context, groups: FanoutGroup[], label: string, notes: string[]): Promise<Map<string, number[]>> {
  const { options: o, receiver } = ctx;
  const endpoints: EndpointSpec[] = [];
  const typed = groups.map((group, i) => {
    const type = EVENT_TYPES[i]!;
    for (const spec of group.endpoints) endpoints.push({ ...spec, path: `/ep/${endpoints.length}`, types: [type] });
    return { ...group, type };
  });
  const times = new Map<string, number[]>(groups.map((g) => [g.key, []]));
  await withSystem(system, { receiverUrl: receiver.url, endpoints, retry: 'default', label }, notes, async (sys) => {
    // Warm-up on the second group: the first publish of a process pays for compiling its code path.
    const warm = typed[1] ?? typed[0]!;
    await receiver.reset(false);
    await sys.publish(warm.type, sampleObject(0));
    await receiver.waitFor(warm.arrivals, WAIT_MS);
    for (let rep = 0; rep < o.fanoutRepeats; rep++) {
      for (const { key, arrivals, type } of typed) {
        await receiver.reset(false);
        const start = monoNow();
        await sys.publish(type, sampleObject(rep));
        const stats = await receiver.waitFor(arrivals, WAIT_MS);
        if (stats.unique < arrivals) notes.push(`${key}: ${stats.unique} of ${arrivals} arrived within ${WAIT_MS / 1000} s`);
        times.get(key)!.push(stats.unique >= arrivals ? stats.last - start : Infinity);
      }
    }
  });
  return times;
}

/** The median of each group's repeats, and the raw repeats for the report's detail. */
export function fanoutFigures(times: Map<string, number[]>): { figures: Figures; detail: Record<string, unknown> } {
  const figures: Figures = {};
  for (const [key, list] of times) {
    const m = median(list);
    figures[key] = m === null ? null : round(m, 1);
  }
  return { figures, detail: { repeats: Object.fromEntries([...times].map(([k, l]) => [k, l.map((v) => (Number.isFinite(v) ? round(v, 1) : null))])) } };
}

export const fanout: Scenario = {
  name: 'fanout',
  metrics: [
    { key: 'fan_1', label: 'fan-out to 1: last arrival ms', unit: 'ms', better: 'lower' },
    { key: 'fan_10', label: 'fan-out to 10: last arrival ms', unit: 'ms', better: 'lower' },
    { key: 'fan_100', label: 'fan-out to 100: last arrival ms', unit: 'ms', better: 'lower' },
    { key: 'fan_1000', label: 'fan-out to 1,000: last arrival ms', unit: 'ms', better: 'lower', headline: true },
  ],
  async run(system, ctx) {
    const notes: string[] = [];
    const groups = ctx.options.fanoutSizes.map((size) => ({ key: `fan_${size}`, endpoints: Array.from({ length: size }, () => ({})), arrivals: size }));
    const { figures, detail } = fanoutFigures(await timeFanouts(system, ctx, groups, 'fanout', notes));
    ctx.log(`  ${groups.map((g) => `${g.arrivals}: ${figures[g.key]} ms`).join(', ')}`);
    return { figures, notes, detail };
  },
};

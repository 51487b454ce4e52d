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
import type { EndpointSpec } from '../systems/types.js';
import type { Figures, Scenario } from './types.js';
import { withSystem } from './types.js';

const WAIT_MS = 30_000;

export const fanout: Scenario = {
  name: 'fanout',
  metrics: [
    { key: 'fan_1', label: 'fan-out to 1: last arrival ms', unit: 'ms', better: 'lower' },
    { key: 'fan_10', label: 'fan-out to 10: last arrival ms', unit: 'ms', better: 'lower' },
    { key: 'fan_100', label: 'fan-out to 100: last arrival ms', unit: 'ms', better: 'lower' },
    { key: 'fan_1000', label: 'fan-out to 1,000: last arrival ms', unit: 'ms', better: 'lower', headline: true },
  ],
  async run(system, ctx) {
    const { options: o, receiver } = ctx;
    const notes: string[] = [];
    const endpoints: EndpointSpec[] = [];
    const sizes = o.fanoutSizes.map((size, i) => {
      const type = EVENT_TYPES[i]!;
      for (let j = 0; j < size; j++) endpoints.push({ path: `/ep/${endpoints.length}`, types: [type] });
      return { size, type };
    });
    const times = new Map<number, number[]>(sizes.map((s) => [s.size, []]));
    await withSystem(system, { receiverUrl: receiver.url, endpoints, retry: 'default', label: 'fanout' }, notes, async (sys) => {
      // Warm-up on the second group: the first publish of a process pays for compiling its code path.
      const warm = sizes[1] ?? sizes[0]!;
      await receiver.reset(false);
      await sys.publish(warm.type, sampleObject(0));
      await receiver.waitFor(warm.size, WAIT_MS);
      for (let rep = 0; rep < o.fanoutRepeats; rep++) {
        for (const { size, type } of sizes) {
          await receiver.reset(false);
          const start = monoNow();
          await sys.publish(type, sampleObject(rep));
          const stats = await receiver.waitFor(size, WAIT_MS);
          if (stats.unique < size) notes.push(`fan-out to ${size}: ${stats.unique} of ${size} arrived within ${WAIT_MS / 1000} s`);
          times.get(size)!.push(stats.unique >= size ? stats.last - start : Infinity);
        }
      }
    });
    const figures: Figures = {};
    for (const [size, list] of times) {
      const m = median(list);
      figures[`fan_${size}`] = m === null ? null : round(m, 1);
    }
    ctx.log(`  ${[...times.keys()].map((s) => `${s}: ${figures[`fan_${s}`]} ms`).join(', ')}`);
    return { figures, notes, detail: { repeats: Object.fromEntries([...times].map(([s, l]) => [s, l.map((v) => (Number.isFinite(v) ? round(v, 1) : null))])) } };
  },
};

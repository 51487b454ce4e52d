/**
 * Scenario 2, latency: one endpoint, events published at a fixed rate (500/s) for the window;
 * publish-to-receipt time of each delivery, from the moment its publish was scheduled (so a
 * publisher held up by a slow API is charged to the system) to its arrival at the receiver.
 * A delivery that has not arrived when the window and the settle time are over counts as
 * infinitely late: it pushes the percentiles it reaches to "—".
 */
import { fixedRate } from '../lib/drivers.js';
import { round, summarise, type LatencySummary } from '../lib/stats.js';
import { EVENT_TYPES, sampleObject } from '../payload.js';
import type { EndpointSpec, System } from '../systems/types.js';
import { withSystem, type Context, type Scenario } from './types.js';

const WARMUP_EVENTS = 20;

/** Publishes at the scenario's rate to `endpoints`; returns the latency of deliveries to /ep/0. */
export async function measureRate(system: System, ctx: Context, endpoints: EndpointSpec[], label: string, notes: string[]): Promise<{ summary: LatencySummary; detail: Record<string, unknown> }> {
  const { options: o, receiver } = ctx;
  const type = EVENT_TYPES[0]!;
  return withSystem(system, { receiverUrl: receiver.url, endpoints, retry: 'default', label }, notes, async (sys) => {
    // Warm-up: connections opened, statements prepared, code paths compiled; not measured.
    await receiver.reset(false);
    for (let i = 0; i < WARMUP_EVENTS; i++) await sys.publish(type, sampleObject(i));
    await receiver.waitFor(WARMUP_EVENTS, 10_000);
    await receiver.reset(true);
    const published = await fixedRate(o.rate, o.rateMs, (seq) => sys.publish(type, sampleObject(seq)), { settleMs: o.settleMs });
    const stats = await receiver.waitFor(published.accepted, o.settleMs);
    const latencies: number[] = [];
    for (const [id, endpoint, at] of await receiver.records()) {
      const scheduled = published.scheduled.get(id);
      if (endpoint === 0 && scheduled !== undefined) latencies.push(at - scheduled);
    }
    // Dead endpoints would keep the system busy at shutdown; cut them now.
    await receiver.release();
    // Events the system could not even accept in time count as never delivered.
    const summary = summarise(latencies, published.accepted + published.unsent - latencies.length);
    if (published.unsent > 0) notes.push(`${published.unsent} events could not be published within the window + ${o.settleMs / 1000} s (the system accepted events more slowly than the rate)`);
    if (published.errors > 0) notes.push(`${published.errors} publishes failed, first: ${published.firstError}`);
    if (summary.arrived < summary.expected) notes.push(`${summary.arrived} of ${summary.expected} deliveries arrived within the window + ${o.settleMs / 1000} s`);
    if (published.late > published.accepted / 100) notes.push(`${published.late} publishes started over 5 ms late (publisher or API saturated)`);
    return {
      summary,
      detail: {
        ...summary, published: published.accepted, unsent: published.unsent, publishErrors: published.errors, latePublishes: published.late,
        duplicates: stats.duplicates, hangArrivals: stats.hangArrivals, meanMs: latencies.length ? round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : null,
      },
    };
  });
}

export const latency: Scenario = {
  name: 'latency',
  metrics: [
    { key: 'lat_p50', label: 'latency 500/s: p50 ms', unit: 'ms', better: 'lower' },
    { key: 'lat_p95', label: 'latency 500/s: p95 ms', unit: 'ms', better: 'lower' },
    { key: 'lat_p99', label: 'latency 500/s: p99 ms', unit: 'ms', better: 'lower', headline: true },
    { key: 'lat_max', label: 'latency 500/s: max ms', unit: 'ms', better: 'lower' },
  ],
  async run(system, ctx) {
    const notes: string[] = [];
    const { summary, detail } = await measureRate(system, ctx, [{ path: '/ep/0', types: [EVENT_TYPES[0]!] }], 'latency', notes);
    ctx.log(`  p50 ${summary.p50} ms, p99 ${summary.p99} ms, max ${summary.max} ms (${summary.arrived}/${summary.expected})`);
    return { figures: { lat_p50: summary.p50, lat_p95: summary.p95, lat_p99: summary.p99, lat_max: summary.max }, notes, detail };
  },
};

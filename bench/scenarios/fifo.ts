/**
 * Scenario 6, fifo: one ordered endpoint (`ordering: "fifo"`) whose receiver takes 1 ms, then
 * 20 ms, to answer. An ordered endpoint gets one delivery at a time, so its rate is bounded by
 * 1000 / (the round trip of one request): the harness measures that round trip itself (the
 * same receiver path, sequential requests on one keep-alive connection, before hookd starts),
 * queues a backlog larger than the bound can drain in the window, and counts what arrives in
 * the window. Reported: deliveries/s, the bound, achieved ÷ bound, and hookd's own turnaround
 * per delivery (1000 / rate − the round trip: claim, signing, result write between two requests).
 * The receiver also checks the promise: never two requests open at once to the endpoint.
 */
import { Client } from 'undici';
import { monoNow, sleep } from '../lib/clock.js';
import { closedLoop } from '../lib/drivers.js';
import { round } from '../lib/stats.js';
import { EVENT_TYPES, eventObject, newEventId, sampleObject } from '../payload.js';
import type { System } from '../systems/types.js';
import { withSystem, type Context, type Figures, type MetricDef, type Scenario } from './types.js';

/** About a second of sequential requests times the round trip; the median is taken, so a stray pause does not count. */
const probesFor = (latencyMs: number) => Math.min(500, Math.max(50, Math.ceil(1000 / (latencyMs + 1))));

const metricsFor = (ms: number): MetricDef[] => [
  { key: `fifo${ms}_rate`, label: `fifo, receiver ${ms} ms: deliveries/s`, unit: 'per_s', better: 'higher' },
  { key: `fifo${ms}_bound`, label: `fifo, receiver ${ms} ms: bound 1000/round trip`, unit: 'per_s', better: 'higher' },
  { key: `fifo${ms}_ratio`, label: `fifo, receiver ${ms} ms: achieved ÷ bound`, unit: 'pct', better: 'higher' },
  { key: `fifo${ms}_turnaround`, label: `fifo, receiver ${ms} ms: hookd ms/delivery`, unit: 'ms', better: 'lower' },
];

/** The median time (ms) of one POST to `path` and its answer, sequentially on one connection. */
async function roundTrip(receiverUrl: string, path: string, probes: number): Promise<number> {
  const client = new Client(receiverUrl);
  try {
    const body = JSON.stringify(eventObject(newEventId(), EVENT_TYPES[0]!, sampleObject(0)));
    const times: number[] = [];
    for (let i = 0; i < probes; i++) {
      const t = monoNow();
      const res = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
      await res.body.text();
      times.push(monoNow() - t);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  } finally {
    await client.close();
  }
}

async function one(system: System, ctx: Context, latencyMs: number, notes: string[]) {
  const { options: o, receiver } = ctx;
  const path = `/delay/${latencyMs}/0`;
  const rttMs = await roundTrip(receiver.url, path, probesFor(latencyMs));
  const bound = 1000 / rttMs;
  // More than the bound could drain in the window, so the window never runs dry.
  const backlog = Math.ceil(bound * (o.fifoMs / 1000 + 1)) + 50;
  const endpoints = [{ path, types: [EVENT_TYPES[0]!], ordering: 'fifo' as const }];
  return withSystem(system, { receiverUrl: receiver.url, endpoints, retry: 'default', label: `fifo${latencyMs}` }, notes, async (sys) => {
    await receiver.reset(false);
    const loop = closedLoop(16, (seq) => sys.publish(EVENT_TYPES[0]!, sampleObject(seq)), backlog);
    await loop.done;
    const a = { t: monoNow(), received: (await receiver.stats()).unique };
    await sleep(o.fifoMs);
    const b = await receiver.stats();
    const seconds = (monoNow() - a.t) / 1000;
    const delivered = b.unique - a.received;
    const rate = delivered / seconds;
    if (loop.errors > 0) notes.push(`receiver ${latencyMs} ms: ${loop.errors} publishes failed, first: ${loop.firstError}`);
    if (b.unique >= loop.accepted) notes.push(`receiver ${latencyMs} ms: the backlog ran dry within the window: the rate is a lower bound`);
    if (b.maxConcurrent > 1) notes.push(`receiver ${latencyMs} ms: ${b.maxConcurrent} requests were open at once to the FIFO endpoint (at most 1 expected)`);
    if (b.duplicates > 0) notes.push(`receiver ${latencyMs} ms: ${b.duplicates} duplicate deliveries`);
    return {
      rate: round(rate, 1), bound: round(bound, 1), ratio: round((rate / bound) * 100, 1), turnaround: delivered > 0 ? round(1000 / rate - rttMs, 3) : null,
      detail: { roundTripMs: round(rttMs, 3), backlog: loop.accepted, deliveredInWindow: delivered, windowSeconds: round(seconds, 3), maxConcurrent: b.maxConcurrent },
    };
  });
}

export const fifo: Scenario = {
  name: 'fifo',
  // Built from the options' latencies, so a --quick run and a full one show the same rows.
  metrics: [1, 20].flatMap(metricsFor),
  skip: (system) => (system.startsWith('hookd') ? null : 'ordered endpoints are a hookd feature'),
  async run(system, ctx) {
    const figures: Figures = {};
    const notes: string[] = [];
    const detail: Record<string, unknown> = {};
    for (const ms of ctx.options.fifoLatencies) {
      const r = await one(system, ctx, ms, notes);
      Object.assign(figures, { [`fifo${ms}_rate`]: r.rate, [`fifo${ms}_bound`]: r.bound, [`fifo${ms}_ratio`]: r.ratio, [`fifo${ms}_turnaround`]: r.turnaround });
      detail[`receiver${ms}ms`] = r.detail;
      ctx.log(`  receiver ${ms} ms: ${r.rate} deliveries/s of a bound of ${r.bound} (${r.ratio}%), hookd ${String(r.turnaround)} ms per delivery`);
    }
    return { figures, notes, detail };
  },
};

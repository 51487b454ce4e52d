/**
 * Scenario 5, backlog: with the receiver down (connections refused), 32 publishers queue
 * 200,000 deliveries (fan-out 10 events); then the receiver comes back. Reports how fast the
 * backlog was queued, how fast it drained (deliveries from the receiver's return to the last
 * arrival), and the sending process's peak RSS over the whole scenario.
 *
 * Every system runs with its retry delay set to about 1 s here (SystemSetup retry 'fast'), so
 * that everything is due again soon after the receiver returns and the drain measures sending
 * capacity, not where each retry schedule happens to stand. Queueing is cut off after
 * backlogQueueMs (120 s), so a system that accepts slowly is measured on a smaller backlog.
 */
import { monoNow, sleep } from '../lib/clock.js';
import { closedLoop } from '../lib/drivers.js';
import { processMemory, rssSampler } from '../lib/proc.js';
import { round } from '../lib/stats.js';
import { EVENT_TYPES, sampleObject } from '../payload.js';
import { withSystem, type Scenario } from './types.js';

export const backlog: Scenario = {
  name: 'backlog',
  metrics: [
    { key: 'backlog_queue', label: 'backlog: queued deliveries/s', unit: 'per_s', better: 'higher' },
    { key: 'backlog_drain', label: 'backlog: drain deliveries/s', unit: 'per_s', better: 'higher', headline: true },
    { key: 'backlog_rss', label: 'backlog: sender peak RSS MB', unit: 'mb', better: 'lower', headline: true },
    { key: 'backlog_delivered', label: 'backlog: delivered %', unit: 'pct', better: 'higher' },
  ],
  async run(system, ctx) {
    const { options: o, receiver } = ctx;
    const notes: string[] = [];
    const fanoutOf = EVENT_TYPES.length;
    const endpoints = EVENT_TYPES.map((_, i) => ({ path: `/ep/${i}`, types: [...EVENT_TYPES] }));
    let down = false;
    try {
      return await withSystem(system, { receiverUrl: receiver.url, endpoints, retry: 'fast', label: 'backlog' }, notes, async (sys) => {
        await receiver.reset(false);
        await receiver.down();
        down = true;
        const rss = rssSampler(sys.senderPid);
        const queueStart = monoNow();
        const loop = closedLoop(o.publishers, (seq) => sys.publish(EVENT_TYPES[seq % fanoutOf]!, sampleObject(seq)), Math.ceil(o.backlogDeliveries / fanoutOf));
        await Promise.race([loop.done, sleep(o.backlogQueueMs)]);
        await loop.stop();
        const queueMs = monoNow() - queueStart;
        const expected = loop.accepted * fanoutOf;
        await receiver.up();
        down = false;
        const up = monoNow();
        const stats = await receiver.waitFor(expected, o.backlogTimeoutMs);
        const complete = stats.unique >= expected;
        const drainMs = (complete ? stats.last : monoNow()) - up;
        // The ceiling runs in the harness, whose lifetime peak is not this scenario's: sampled RSS only.
        const hwm = sys.senderPid === process.pid ? 0 : (processMemory(sys.senderPid)?.peak ?? 0);
        const peak = Math.max(rss.stop(), hwm);
        if (expected < o.backlogDeliveries) notes.push(`only ${expected} of ${o.backlogDeliveries} deliveries queued within ${o.backlogQueueMs / 1000} s: the drain is measured on those`);
        if (loop.errors > 0) notes.push(`${loop.errors} publishes failed, first: ${loop.firstError}`);
        if (!complete) notes.push(`drain incomplete: ${stats.unique} of ${expected} deliveries within ${o.backlogTimeoutMs / 1000} s`);
        if (stats.duplicates > 0) notes.push(`${stats.duplicates} duplicate deliveries`);
        const figures = {
          backlog_queue: round(expected / (queueMs / 1000), 0),
          backlog_drain: round(stats.unique / (drainMs / 1000), 0),
          backlog_rss: round(peak, 0),
          backlog_delivered: round((stats.unique / Math.max(1, expected)) * 100, 1),
        };
        ctx.log(`  queued ${expected} in ${round(queueMs / 1000, 1)} s; drained ${stats.unique} in ${round(drainMs / 1000, 1)} s (${figures.backlog_drain}/s); peak RSS ${figures.backlog_rss} MB`);
        return {
          figures, notes,
          detail: {
            expected, delivered: stats.unique, duplicates: stats.duplicates, queueSeconds: round(queueMs / 1000, 2), drainSeconds: round(drainMs / 1000, 2),
            firstArrivalAfterUpMs: stats.first ? round(stats.first - up, 1) : null, publishErrors: loop.errors,
          },
        };
      });
    } finally {
      if (down) await receiver.up();
    }
  },
};

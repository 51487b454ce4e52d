/**
 * The BullMQ baseline: what a team builds in an afternoon. The publisher (the platform's
 * backend, here the harness) looks up the endpoints subscribed to the event's type and adds one
 * job per endpoint to a queue on the local Redis; a separate worker process
 * (bullmq-worker.ts, concurrency 64) signs and POSTs each one, and BullMQ retries failures with
 * exponential backoff. Durability is Redis's: by default a crash can lose the last second of jobs.
 */
import { Queue, type JobsOptions } from 'bullmq';
import { eventObject, newEventId } from '../payload.js';
import { spawnNodeScript, waitForMessage } from '../lib/child.js';
import { onCleanup } from '../lib/cleanup.js';
import { REDIS } from '../lib/services.js';
import type { DeliveryJob } from './baseline-sender.js';
import { routesByType, type System } from './types.js';

export const bullmq: System = {
  name: 'bullmq',
  async start(setup) {
    const name = `hookd-bench-${setup.label}-${process.pid}-${Date.now().toString(36)}`;
    const queue = new Queue<DeliveryJob>(name, { connection: { host: REDIS.host, port: REDIS.port } });
    queue.on('error', () => undefined);
    const removeQueue = async () => {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    };
    const unregister = onCleanup(removeQueue);
    const opts: JobsOptions = setup.retry === 'fast'
      ? { attempts: 10_000, backoff: { type: 'fixed', delay: 1_000 }, removeOnComplete: true, removeOnFail: 1_000 }
      // Close to hookd's schedule: the first retry after 5 s, then doubling.
      : { attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: 1_000 };
    const worker = spawnNodeScript(new URL('./bullmq-worker.js', import.meta.url), {
      PATH: process.env.PATH ?? '', BENCH_QUEUE: name, BENCH_REDIS_HOST: REDIS.host, BENCH_REDIS_PORT: String(REDIS.port),
    }, 'bullmq worker');
    await waitForMessage(worker, (m): m is { ready: true } => (m as { ready?: boolean }).ready === true);
    const routes = routesByType(setup);

    return {
      senderPid: worker.pid,
      notes: () => worker.output().split('\n').filter(Boolean).slice(0, 5),
      async publish(type, object) {
        const id = newEventId();
        const event = eventObject(id, type, object) as DeliveryJob['event'];
        const targets = routes.get(type) ?? [];
        if (targets.length === 1) await queue.add('deliver', { event, url: targets[0]!.url, secret: targets[0]!.secret }, opts);
        else await queue.addBulk(targets.map((t) => ({ name: 'deliver', data: { event, url: t.url, secret: t.secret }, opts })));
        return id;
      },
      async stop() {
        await worker.stop(5_000);
        unregister();
        await removeQueue();
      },
    };
  },
};

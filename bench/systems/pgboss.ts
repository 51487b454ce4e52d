/**
 * The pg-boss baseline: the BullMQ baseline's design on PostgreSQL. The publisher inserts one job
 * per (event, endpoint) with pg-boss (committed before insert() returns, like hookd); the worker
 * process (pgboss-worker.ts) sends them; pg-boss retries with exponential backoff. Each start
 * gets a fresh database, dropped at stop.
 */
import PgBoss from 'pg-boss';
import { eventObject, newEventId } from '../payload.js';
import { spawnNodeScript, waitForMessage } from '../lib/child.js';
import { createDatabase } from '../lib/services.js';
import type { DeliveryJob } from './baseline-sender.js';
import { routesByType, type System } from './types.js';

export const pgBoss: System = {
  name: 'pg-boss',
  async start(setup) {
    const db = await createDatabase(`pgboss_${setup.label}`);
    const name = 'deliveries';
    // The publisher's pg-boss installs the schema; maintenance runs in the worker process only.
    const boss = new PgBoss({ connectionString: db.url, max: 10, supervise: false, schedule: false });
    boss.on('error', () => undefined);
    let worker: ReturnType<typeof spawnNodeScript> | null = null;
    try {
      await boss.start();
      await boss.createQueue(name);
      worker = spawnNodeScript(new URL('./pgboss-worker.js', import.meta.url), {
        PATH: process.env.PATH ?? '', BENCH_QUEUE: name, BENCH_DATABASE_URL: db.url,
      }, 'pg-boss worker');
      await waitForMessage(worker, (m): m is { ready: true } => (m as { ready?: boolean }).ready === true);
    } catch (err) {
      await worker?.stop(2_000);
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await db.drop();
      throw err;
    }
    const retry = setup.retry === 'fast'
      ? { retryLimit: 10_000, retryDelay: 1, retryBackoff: false }
      // Close to hookd's schedule: the first retry after 5 s, then doubling.
      : { retryLimit: 8, retryDelay: 5, retryBackoff: true };
    const routes = routesByType(setup);
    const sender = worker;

    return {
      senderPid: sender.pid,
      notes: () => sender.output().split('\n').filter(Boolean).slice(0, 5),
      async publish(type, object) {
        const id = newEventId();
        const event = eventObject(id, type, object) as DeliveryJob['event'];
        const targets = routes.get(type) ?? [];
        const jobs = targets.map((t) => ({ name, data: { event, url: t.url, secret: t.secret }, ...retry }));
        if (jobs.length === 1) await boss.send(name, jobs[0]!.data, retry);
        else await boss.insert(jobs);
        return id;
      },
      async stop() {
        await sender.stop(5_000);
        await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
        await db.drop();
      },
    };
  },
};

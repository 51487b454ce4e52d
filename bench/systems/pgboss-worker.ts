/**
 * The pg-boss baseline's worker process. pg-boss 10's work() sleeps its polling interval
 * (at least 0.5 s) after every batch, busy or not, which caps a worker at batchSize per 0.5 s;
 * so, as a team would once it saw that, this worker runs its own loops over fetch / complete /
 * fail: 4 loops of 16 jobs keep up to 64 deliveries in flight, and a loop sleeps pg-boss's
 * minimum polling interval only when the queue is empty (pg-boss 10 has no LISTEN/NOTIFY).
 * Env: BENCH_QUEUE, BENCH_DATABASE_URL.
 */
import PgBoss from 'pg-boss';
import { createBaselineSender, type DeliveryJob } from './baseline-sender.js';

const LOOPS = 4;
const BATCH = 16;
const IDLE_POLL = 500;

const queue = process.env.BENCH_QUEUE!;
const sender = createBaselineSender();
const boss = new PgBoss({ connectionString: process.env.BENCH_DATABASE_URL, max: 10, migrate: false, schedule: false });
boss.on('error', (err) => process.stderr.write(`pg-boss error: ${err.message}\n`));
let stopping = false;

async function loop(): Promise<void> {
  while (!stopping) {
    let jobs: PgBoss.Job<DeliveryJob>[];
    try {
      jobs = await boss.fetch<DeliveryJob>(queue, { batchSize: BATCH });
    } catch (err) {
      if (!stopping) process.stderr.write(`fetch failed: ${(err as Error).message}\n`);
      await new Promise((r) => setTimeout(r, IDLE_POLL));
      continue;
    }
    if (jobs.length === 0) {
      await new Promise((r) => setTimeout(r, IDLE_POLL));
      continue;
    }
    const outcomes = await Promise.allSettled(jobs.map((job) => sender.deliver(job.data)));
    const done = jobs.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((j) => j.id);
    const failed = jobs.filter((_, i) => outcomes[i]!.status === 'rejected').map((j) => j.id);
    try {
      // fail() puts a job back with its retry delay (or ends it when its retries are spent).
      if (done.length > 0) await boss.complete(queue, done);
      if (failed.length > 0) await boss.fail(queue, failed);
    } catch (err) {
      if (!stopping) process.stderr.write(`complete/fail failed: ${(err as Error).message}\n`);
    }
  }
}

let loops: Promise<void>[] = [];
async function stop(): Promise<void> {
  stopping = true;
  // Loops stuck in hanging requests are not waited for long: the harness is done measuring.
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2_000))]);
  await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
  await sender.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());

await boss.start();
loops = Array.from({ length: LOOPS }, () => loop());
process.send?.({ ready: true });

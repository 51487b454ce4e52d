/**
 * The BullMQ baseline's worker process: one Worker with concurrency 64 on the queue the harness
 * fills. Its own process, as such workers are deployed, so that its CPU and memory are its own.
 * Env: BENCH_QUEUE, BENCH_REDIS_HOST, BENCH_REDIS_PORT.
 */
import { Worker } from 'bullmq';
import { createBaselineSender, type DeliveryJob } from './baseline-sender.js';

const sender = createBaselineSender();
const worker = new Worker<DeliveryJob>(process.env.BENCH_QUEUE!, (job) => sender.deliver(job.data), {
  connection: { host: process.env.BENCH_REDIS_HOST, port: Number(process.env.BENCH_REDIS_PORT), maxRetriesPerRequest: null },
  concurrency: 64,
});
// A job that fails is normal here (the backlog scenario's receiver is down); say nothing per job.
worker.on('error', (err) => process.stderr.write(`bullmq worker error: ${err.message}\n`));

async function stop(): Promise<void> {
  // Hanging requests are not waited for: the harness is done measuring.
  await worker.close(true);
  await sender.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());

await worker.waitUntilReady();
process.send?.({ ready: true });

/**
 * A sender thread's entry (threaded-sender.ts): the in-process sender, fed and answered in
 * batches over the thread's message port.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSender, type SendResult } from './sender.js';
import type { FromThread, ThreadedSenderOptions, ToThread } from './threaded-sender.js';

const port = parentPort!;
const sender = createSender(workerData as Omit<ThreadedSenderOptions, 'threads' | 'entry'>);
const controllers = new Map<number, AbortController>();
let results: [number, SendResult][] = [];
let replying = false;

function reply(): void {
  replying = false;
  port.postMessage({ results } satisfies FromThread);
  results = [];
}

port.on('message', (msg: ToThread) => {
  if ('close' in msg) {
    void sender.close().finally(() => {
      if (results.length > 0) reply();
      port.close();
    });
    return;
  }
  if ('abort' in msg) {
    for (const id of msg.abort) controllers.get(id)?.abort();
    return;
  }
  for (const { id, ...req } of msg.sends) {
    const controller = new AbortController();
    controllers.set(id, controller);
    void sender.send({ ...req, signal: controller.signal }).then((result) => {
      controllers.delete(id);
      results.push([id, result]);
      if (!replying) {
        replying = true;
        setImmediate(reply);
      }
    });
  }
});

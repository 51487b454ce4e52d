/**
 * The ceiling: undici POSTs straight from the harness to the receiver, the same bodies and
 * headers as the baselines, no queue, no persistence, no signing. What this machine can push
 * through one Node process to the receiver; every other system is measured against it.
 *
 * With retry 'fast' (backlog) publish() only puts the deliveries in memory, and failed POSTs
 * are tried again after 1 s, so a receiver that comes back is drained as fast as possible.
 */
import { Agent, request } from 'undici';
import { eventObject, newEventId } from '../payload.js';
import { sleep } from '../lib/clock.js';
import { createLimiter } from '../lib/limiter.js';
import { routesByType, type System } from './types.js';

/** In-flight POSTs at most: hookd's default HOOKD_MAX_IN_FLIGHT, so the ceiling is not held back by its own cap. */
const MAX_IN_FLIGHT = 256;

export const ceiling: System = {
  name: 'ceiling',
  async start(setup) {
    const agent = new Agent({ connect: { timeout: 5_000 }, headersTimeout: 15_000, bodyTimeout: 15_000, keepAliveTimeout: 4_000 });
    const routes = routesByType(setup);
    const limit = createLimiter(MAX_IN_FLIGHT);
    let stopped = false;

    const post = (url: string, id: string, body: string) => limit.run(async () => {
      const res = await request(url, {
        method: 'POST', body, dispatcher: agent,
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'user-agent': 'bench-ceiling' },
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
    });

    // retry 'fast': an in-memory FIFO drained by MAX_IN_FLIGHT workers; a worker whose POST
    // fails puts it back at the end and pauses 1 s, so a dead receiver costs a few hundred
    // attempts a second, and a live one is drained at full speed.
    const queue: { url: string; id: string; body: string }[] = [];
    let head = 0;
    const wakeWorkers: (() => void)[] = [];
    const worker = async () => {
      while (!stopped) {
        const item = queue[head];
        if (!item) {
          await new Promise<void>((resolve) => wakeWorkers.push(resolve));
          continue;
        }
        head++;
        // Drop the consumed front now and then, so memory follows the backlog, not its history.
        if (head > 100_000) {
          queue.splice(0, head);
          head = 0;
        }
        try {
          await post(item.url, item.id, item.body);
        } catch {
          queue.push(item);
          await sleep(1_000);
        }
      }
    };
    const workers = setup.retry === 'fast' ? Array.from({ length: MAX_IN_FLIGHT }, worker) : [];

    return {
      senderPid: process.pid,
      notes: () => [],
      async publish(type, object) {
        const id = newEventId();
        const body = JSON.stringify(eventObject(id, type, object));
        const targets = routes.get(type) ?? [];
        if (setup.retry === 'fast') {
          for (const t of targets) queue.push({ url: t.url, id, body });
          for (const wake of wakeWorkers.splice(0)) wake();
        } else await Promise.all(targets.map((t) => post(t.url, id, body)));
        return id;
      },
      async stop() {
        stopped = true;
        for (const wake of wakeWorkers.splice(0)) wake();
        await agent.destroy();
        await Promise.allSettled(workers);
      },
    };
  },
};

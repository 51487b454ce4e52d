/**
 * A platform backend that keeps publishing across faults (crashes, restarts, store outages):
 * every answer is a 201 (accepted: it must be delivered), a 503 problem (refused: it is retried
 * as a new event), or no answer at all (the process died mid-request: retried too). Anything
 * else is unexpected and kept for the test to show.
 */
import { hookdClient, type HookdClient } from '../hookd-client.js';
import { sleep } from '../wait.js';

export interface PublisherOptions {
  /** The base URL of the process to publish to now: it changes when a process is restarted. */
  target: () => string;
  adminKey: string;
  scope: Record<string, string>;
  /** Stop once this many events are accepted (or at stop()). */
  count?: number;
  concurrency?: number;
  /** Event data to publish for the n-th event; a small object by default. */
  data?: (n: number) => unknown;
}

export interface Publisher {
  /** Ids of the events answered 201. */
  accepted: string[];
  /** ms each 503 problem took to come back. */
  unavailable: number[];
  /** Requests that got no answer (connection refused or reset). */
  unanswered: number;
  /** Answers that are neither 201 nor a 503 problem with Retry-After. */
  unexpected: string[];
  /** Resolves when `count` events are accepted, or after stop(). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function startPublisher({ target, adminKey, scope, count = Infinity, concurrency = 8, data = (n) => ({ object: { n } }) }: PublisherOptions): Publisher {
  const clients = new Map<string, HookdClient>();
  const clientFor = (base: string) => {
    let c = clients.get(base);
    if (!c) clients.set(base, (c = hookdClient(base, adminKey, concurrency)));
    return c;
  };
  let running = true;
  let n = 0;
  const state: Omit<Publisher, 'done' | 'stop'> = { accepted: [], unavailable: [], unanswered: 0, unexpected: [] };
  const worker = async () => {
    while (running && state.accepted.length < count) {
      try {
        const res = await clientFor(target()).call('POST', '/v1/events', { type: 'payment.succeeded', data: data(n++) }, scope);
        if (res.status === 201) state.accepted.push(String(res.json().id));
        else if (res.status === 503 && /^application\/problem\+json/.test(String(res.headers['content-type'])) && Number(res.headers['retry-after']) > 0) {
          state.unavailable.push(res.ms);
          await sleep(50);
        } else state.unexpected.push(`${res.status} ${String(res.headers['content-type'])} ${res.text.slice(0, 300)}`);
      } catch {
        state.unanswered++;
        await sleep(100);
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(async () => {
    for (const c of clients.values()) await c.close().catch(() => undefined);
  });
  return Object.assign(state, {
    done,
    async stop() {
      running = false;
      await done;
    },
  });
}

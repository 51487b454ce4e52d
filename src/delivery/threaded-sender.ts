/**
 * The sender (sender.ts) on worker threads, behind the same interface. One Node event loop ran
 * everything in hookd: the API, the store, the dispatcher and every request it sent; at fan-out
 * 10 on SQLite it saturated one core at about 5,900 deliveries/s while the machine's second core
 * sat a third idle. Signing and HTTP (undici's writes, its parser, the HMACs) were 30 % of that
 * loop; here they run on another core, and the main thread only posts requests and reads results.
 *
 * Requests are posted in batches, one message per thread per turn of the event loop, and
 * results come back the same way: a message costs a few microseconds of structured clone and
 * wakeup on each side, more than a small request's share of a batch.
 *
 * A thread that dies (a bug, not a network failure: those are results) fails its requests as
 * unreachable, so the dispatcher schedules them again; the next request starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import type { Sender, SenderOptions, SendRequest, SendResult } from './sender.js';

/**
 * A sender thread holds little for long (a request, the first 16 KiB of its answer), so its heap
 * is kept small: V8's defaults let it grow to 56 MB during a full-speed drain of 200,000
 * deliveries (the reliability suite's overload scenario, whose bound is the whole process's RSS); with these,
 * 26 MB, and the process peaked at 259–265 MB instead of 284. The limits are per thread and need
 * no flag from whoever starts hookd. The live set is a few MB, far from the old-space limit.
 */
const THREAD_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/** What crosses to a sender thread is plain data: a resolver function cannot. */
export type ThreadedSenderOptions = Omit<SenderOptions, 'resolver' | 'now'> & {
  /** Worker threads, each with its own connection pools. */
  threads: number;
  /** The compiled sender-thread.js. */
  entry: URL;
  /** ms a closing thread gets to finish its requests before it is terminated; default 5 s. */
  closeBound?: number;
};

/** A request as posted to a thread: numbered, without its signal (aborts are messages). */
type ThreadRequest = Omit<SendRequest, 'signal'> & { id: number };

export type ToThread =
  | { sends: ThreadRequest[] }
  | { abort: number[] }
  | { close: true };
export type FromThread = { results: [number, SendResult][] };

interface Lane {
  worker: Worker;
  outbox: ThreadRequest[];
}

/** A result for a request no thread answered. */
const unsent = (error: string): SendResult => ({ status: null, response: null, retryAfter: null, time: 0, error, unreachable: true });

export function createThreadedSender({ threads, entry, closeBound = 5_000, ...options }: ThreadedSenderOptions): Sender {
  const lanes: (Lane | null)[] = Array.from({ length: Math.max(1, threads) }, () => null);
  let seq = 0;
  let flushing = false;
  let closed = false;
  const listening = new WeakSet<AbortSignal>();
  /** Each request not yet answered: its thread, the signal that may abort it, its caller. */
  const inFlight = new Map<number, { lane: Lane; signal?: AbortSignal; resolve: (result: SendResult) => void }>();

  function lane(n: number): Lane {
    const existing = lanes[n];
    if (existing) return existing;
    const worker = new Worker(entry, { workerData: options, resourceLimits: THREAD_HEAP });
    // The server's own handles keep hookd alive; a thread must not keep a finished CLI command alive.
    worker.unref();
    const created: Lane = { worker, outbox: [] };
    worker.on('message', (msg: FromThread) => {
      for (const [id, result] of msg.results) settle(id, result);
    });
    const fail = (why: string) => {
      if (lanes[n] === created) lanes[n] = null;
      for (const [id, { lane: l }] of inFlight) if (l === created) settle(id, unsent(why));
    };
    worker.on('error', (err) => fail(`the sender thread failed: ${err.message}`));
    worker.on('exit', () => fail('the sender thread stopped'));
    lanes[n] = created;
    return created;
  }

  function settle(id: number, result: SendResult): void {
    const request = inFlight.get(id);
    if (!request) return;
    inFlight.delete(id);
    request.resolve(result);
  }

  function flush(): void {
    flushing = false;
    for (const l of lanes) {
      if (!l || l.outbox.length === 0) continue;
      l.worker.postMessage({ sends: l.outbox } satisfies ToThread);
      l.outbox = [];
    }
  }

  function abortBy(signal: AbortSignal): void {
    flush();
    const byLane = new Map<Lane, number[]>();
    for (const [id, { lane: l, signal: s }] of inFlight) if (s === signal) byLane.set(l, [...(byLane.get(l) ?? []), id]);
    for (const [l, ids] of byLane) l.worker.postMessage({ abort: ids } satisfies ToThread);
  }

  return {
    send(req: SendRequest): Promise<SendResult> {
      if (closed) return Promise.resolve(unsent('aborted: hookd was shutting down'));
      const id = ++seq;
      const l = lane(id % lanes.length);
      const { signal, ...plain } = req;
      // Shared signals (the dispatcher's shutdown) get one listener, not one per request.
      if (signal && !listening.has(signal)) {
        listening.add(signal);
        signal.addEventListener('abort', () => abortBy(signal), { once: true });
      }
      l.outbox.push({ ...plain, id });
      const result = new Promise<SendResult>((resolve) => inFlight.set(id, { lane: l, signal, resolve }));
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
      if (signal?.aborted) abortBy(signal);
      return result;
    },
    async close(): Promise<void> {
      closed = true;
      flush();
      await Promise.all(lanes.map(async (l) => {
        if (!l) return;
        const exited = new Promise((resolve) => l.worker.once('exit', resolve));
        l.worker.postMessage({ close: true } satisfies ToThread);
        // The thread closes its pools once their requests end; callers stop or abort theirs
        // first, so this bound only matters if one never ends: then the thread is stopped.
        const bound = setTimeout(() => void l.worker.terminate(), closeBound);
        await exited;
        clearTimeout(bound);
      }));
    },
  };
}

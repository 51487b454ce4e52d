/** The harness's handle on the receiver process (bench/receiver.ts): start it, then command it over IPC. */
import { spawnNodeScript, waitForMessage, type Child } from './lib/child.js';
import type { ReceiverCommand, ReceiverRecord, ReceiverStats } from './receiver.js';

export interface Receiver {
  /** http://127.0.0.1:<port>, without a path. */
  url: string;
  pid: number;
  reset(record?: boolean): Promise<void>;
  stats(): Promise<ReceiverStats>;
  /** Resolves when `unique` distinct deliveries have arrived since reset, or after `timeoutMs`, with the stats. */
  waitFor(unique: number, timeoutMs: number): Promise<ReceiverStats>;
  records(): Promise<ReceiverRecord[]>;
  down(): Promise<void>;
  up(): Promise<void>;
  release(): Promise<void>;
  stop(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const child: Child = spawnNodeScript(new URL('./receiver.js', import.meta.url), { PATH: process.env.PATH ?? '' }, 'receiver');
  const ready = await waitForMessage(child, (m): m is { ready: true; port: number } => (m as { ready?: boolean }).ready === true, 10_000);
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.proc.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(`receiver: ${m.error}`));
    else p?.resolve(m.result);
  });
  void child.exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`the receiver exited\n${child.output().slice(-2000)}`));
    pending.clear();
  });
  const call = <T>(command: ReceiverCommand): Promise<T> => new Promise<T>((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    child.proc.send({ id, ...command });
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    pid: child.pid,
    reset: (record = false) => call({ cmd: 'reset', record }),
    stats: () => call({ cmd: 'stats' }),
    waitFor: (unique, timeoutMs) => call({ cmd: 'wait', unique, timeoutMs }),
    records: () => call({ cmd: 'records' }),
    down: () => call({ cmd: 'down' }),
    up: () => call({ cmd: 'up' }),
    release: () => call({ cmd: 'release' }),
    stop: () => child.stop(3_000),
  };
}

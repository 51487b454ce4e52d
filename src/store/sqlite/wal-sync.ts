/**
 * Durability for SQLite commits without blocking the event loop.
 *
 * better-sqlite3 runs on the main thread, so with synchronous=FULL every commit's fsync stalled
 * all of hookd for its duration: 1–10 ms each on this machine's disk, and at 500 publishes/s
 * (one commit each) the event loop spent most of its time waiting on the disk, which put
 * publish-to-receipt p50 at 378 ms (bench, latency scenario). So the file runs with
 * synchronous=NORMAL, where a WAL commit is a write() and crash-safe but not yet durable, and
 * this makes it durable: an fdatasync of the WAL file in libuv's thread pool, awaited before
 * the API answers. After it, every frame committed before the call is on disk, which is what
 * FULL gave, at the same point (before the 201), minus the stall.
 *
 * Concurrent callers share syncs: a caller that arrives while one is in flight waits for the
 * next one, because the one in flight may have started before its commit.
 */
import { open, type FileHandle } from 'node:fs/promises';

export function createWalSync(walFile: string): { sync(): Promise<void>; close(): Promise<void> } {
  let handle: FileHandle | null = null;
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;

  async function once(): Promise<void> {
    handle ??= await open(walFile, 'r');
    await handle.datasync();
  }

  function sync(): Promise<void> {
    if (!running) {
      running = once().finally(() => {
        running = null;
      });
      return running;
    }
    next ??= running.catch(() => undefined).then(() => {
      next = null;
      return sync();
    });
    return next;
  }

  return {
    sync,
    async close() {
      await running?.catch(() => undefined);
      await handle?.close();
      handle = null;
    },
  };
}

/**
 * Group commit for publishes. Every publish must be durable before its 201, and a durable
 * commit is the expensive part: an fsync on SQLite (~2–4 ms here, and better-sqlite3 holds the
 * event loop while it waits) or four round trips on PostgreSQL. Publishes that arrive while a
 * commit is being prepared or is in flight wait for the next one and share it, so a burst of
 * 32 concurrent publishes costs one or two commits instead of 32. A lone publish waits one
 * `setImmediate`, well under a millisecond.
 *
 * Isolation between publishers is kept: if a group's transaction fails, every event in it is
 * tried again alone, so one bad event fails only its own request.
 */
import type { HookdEvent } from '../../domain/types.js';
import type { PublishResult } from '../types.js';

export interface PublishGroupOptions {
  /** Writes the events in one transaction; results in the same order. */
  write: (events: HookdEvent[]) => Promise<PublishResult[]>;
  /**
   * Called once per committed group that created deliveries, with the endpoints they are for
   * (PostgreSQL NOTIFY); must not throw.
   */
  onCommitted?: (endpoints: string[]) => Promise<void> | void;
  /**
   * Groups in flight at once. 1 on SQLite (one connection; a second group would only queue
   * behind the first); on PostgreSQL a few, so a slow commit does not idle the pool.
   */
  concurrency: number;
  /** Events per transaction at most. */
  maxGroup?: number;
}

interface Waiting {
  event: HookdEvent;
  resolve: (result: PublishResult) => void;
  reject: (err: unknown) => void;
}

export function createPublishGroup({ write, onCommitted, concurrency, maxGroup = 500 }: PublishGroupOptions) {
  let waiting: Waiting[] = [];
  let scheduled = false;
  let inFlight = 0;

  async function commit(group: Waiting[]): Promise<void> {
    try {
      let results: PublishResult[];
      try {
        results = await write(group.map((w) => w.event));
      } catch (err) {
        if (group.length === 1) throw err;
        // Which event broke the group is unknown: each goes again on its own.
        await Promise.all(group.map((w) => commit([w])));
        return;
      }
      group.forEach((w, i) => w.resolve(results[i]!));
      const endpoints = new Set<string>();
      for (const r of results) for (const e of r.endpoints) endpoints.add(e);
      if (endpoints.size > 0) await onCommitted?.([...endpoints]);
    } catch (err) {
      group.forEach((w) => w.reject(err));
    }
  }

  function flush(): void {
    scheduled = false;
    while (waiting.length > 0 && inFlight < concurrency) {
      const group = waiting.slice(0, maxGroup);
      waiting = waiting.slice(group.length);
      inFlight++;
      void commit(group).finally(() => {
        inFlight--;
        schedule();
      });
    }
  }

  function schedule(): void {
    if (scheduled || waiting.length === 0 || inFlight >= concurrency) return;
    scheduled = true;
    // setImmediate runs after the I/O callbacks of this turn: every request already read from a
    // socket in this turn joins the group before it is written.
    setImmediate(flush);
  }

  return {
    publish(event: HookdEvent): Promise<PublishResult> {
      return new Promise((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        schedule();
      });
    },
  };
}

export type PublishGroup = ReturnType<typeof createPublishGroup>;

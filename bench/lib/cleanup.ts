/**
 * Everything the harness starts (children, queues, databases, services) registers how to undo
 * it here, so that Ctrl-C or a failed scenario still leaves the machine as it was found.
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();

/** Registers `fn`; returns the function that unregisters it (call it once the thing is gone). */
export function onCleanup(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Runs every registered cleanup, newest first; failures are reported, not thrown. */
export async function runCleanups(): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`bench: cleanup failed: ${(err as Error).message}\n`);
    }
  }
}

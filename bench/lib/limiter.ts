/** A counting semaphore: at most `max` calls of run() in progress, the rest wait in order. */
export function createLimiter(max: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
      active++;
      try {
        return await fn();
      } finally {
        active--;
        queue.shift()?.();
      }
    },
    get active(): number {
      return active;
    },
  };
}

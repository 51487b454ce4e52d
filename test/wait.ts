/** Waiting in tests that drive real processes: fixed pauses, and polling until a condition holds. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a timed-out wait was for; a function is asked only then, so that the message can show
 * what the test saw last (a child's output, a count so far).
 */
export type WaitingFor = string | (() => string);

/**
 * The pause between two checks: ms, or a wait of the caller's that ends sooner when a check is
 * worth making again (test/receiver.ts wakes on each request).
 */
export type Pause = number | (() => Promise<unknown>);

/**
 * Polls `check` until it answers a value other than undefined, and returns that value; throws,
 * naming `what`, after `timeoutMs`. The one polling loop of the tests: `until()` is this for a
 * yes/no condition.
 */
export async function untilValue<T>(what: WaitingFor, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, every: Pause = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${typeof what === 'string' ? what : what()}`);
    await (typeof every === 'number' ? sleep(every) : every());
  }
}

/** Polls `ok` until it holds; throws, naming `what`, after `timeoutMs`. */
export async function until(what: WaitingFor, ok: () => boolean | Promise<boolean>, timeoutMs: number, every: Pause = 100): Promise<void> {
  await untilValue(what, async () => ((await ok()) ? true : undefined), timeoutMs, every);
}

/**
 * Undo steps for process-level tests: each test pushes what it started (a hookd process, a
 * receiver, a database, a directory), and after it they run in reverse order, every one of them
 * even when an earlier one fails, so that a failing test never leaves processes behind.
 */
import { afterEach } from 'vitest';

export type CleanupStep = () => Promise<void> | void;

/**
 * Registers the afterEach that runs the steps; call inside a describe. A failed step is logged;
 * with `failOnError` (the default) the first failure then fails the test's afterEach, without
 * it cleanup is best effort.
 */
export function cleanupAfterEach({ failOnError = true }: { failOnError?: boolean } = {}): CleanupStep[] {
  const steps: CleanupStep[] = [];
  afterEach(async () => {
    let first: unknown = null;
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        console.error('cleanup failed:', err);
        first ??= err;
      }
    }
    if (failOnError && first !== null) throw first;
  });
  return steps;
}

/** The tests' one polling loop: what it answers, when it gives up, and what it says then (on fake time). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { until, untilValue } from './wait.js';

describe('untilValue and until', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('answers the first value the check finds, checking every `every` ms', async () => {
    let checks = 0;
    const found = untilValue('the third check', () => (++checks === 3 ? 'found' : undefined), 1_000, 100);
    await vi.advanceTimersByTimeAsync(200);
    await expect(found).resolves.toBe('found');
    expect(checks).toBe(3);
  });

  it('takes false and 0 as found values: only undefined means not yet', async () => {
    await expect(untilValue('a value', () => 0, 1_000)).resolves.toBe(0);
    await expect(untilValue('a value', () => false, 1_000)).resolves.toBe(false);
  });

  it('gives up after the bound, naming what it waited for and, from a function, what it saw last', async () => {
    let seen = 0;
    const waiting = until(() => `the count reached 5 (it is ${seen})`, () => ++seen >= 5, 250, 100);
    const failed = expect(waiting).rejects.toThrow('timed out after 250 ms waiting until the count reached 5 (it is 4)');
    await vi.advanceTimersByTimeAsync(300);
    await failed;
  });

  it('checks again when a pause of the caller\'s ends', async () => {
    let wake: () => void = () => undefined;
    let ready = false;
    const waiting = until('woken', () => ready, 1_000, () => new Promise<void>((resolve) => (wake = resolve)));
    await vi.advanceTimersByTimeAsync(0);
    ready = true;
    wake();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('passes a throw from the check on at once', async () => {
    await expect(untilValue('never', () => { throw new Error('the child exited'); }, 1_000)).rejects.toThrow('the child exited');
  });
});

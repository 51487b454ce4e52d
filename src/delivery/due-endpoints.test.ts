import { describe, expect, it } from 'vitest';
import { createDueEndpoints } from './due-endpoints.js';

const slotsOf = (free: Record<string, number>) => (id: string) => free[id] ?? 1;

describe('due endpoints', () => {
  it.each([
    { name: 'nothing marked', marks: [], free: {}, budget: 10, take: [] },
    { name: 'one due endpoint gets its free slots', marks: [['a', 100]], free: { a: 4 }, budget: 10, take: [['a', 4]] },
    { name: 'a future mark is not due yet', marks: [['a', 1_001]], free: {}, budget: 10, take: [] },
    { name: 'a full endpoint is skipped', marks: [['a', 100], ['b', 200]], free: { a: 0, b: 2 }, budget: 10, take: [['b', 2]] },
    { name: 'the longest waiting first, within the budget', marks: [['b', 300], ['a', 100], ['c', 200]], free: { a: 3, b: 3, c: 3 }, budget: 5, take: [['a', 3], ['c', 2]] },
    { name: 'no budget, no claim', marks: [['a', 100]], free: {}, budget: 0, take: [] },
    { name: 'an earlier mark wins over a later one', marks: [['a', 2_000], ['a', 900]], free: {}, budget: 10, take: [['a', 1]] },
  ] as { name: string; marks: [string, number][]; free: Record<string, number>; budget: number; take: [string, number][] }[])('plans: $name', ({ marks, free, budget, take }) => {
    const due = createDueEndpoints();
    for (const [ep, at] of marks) due.mark(ep, at);
    expect(due.plan(1_000, slotsOf(free), budget).take.map((t) => [t.endpoint, t.limit])).toEqual(take);
  });

  it('a deferral replaces an earlier due time, where a mark keeps the earlier one', () => {
    const due = createDueEndpoints();
    due.mark('a', 100);
    due.defer('a', 1_500);
    expect(due.plan(1_000, () => 1, 10).take).toEqual([]);
    expect(due.nextAfter(1_000)).toBe(1_500);
    due.defer('b', 1_200);
    expect(due.nextAfter(1_000)).toBe(1_200);
    due.mark('a', 900);
    expect(due.plan(1_000, () => 1, 10).take.map((t) => t.endpoint)).toEqual(['a']);
  });

  it('forgets an endpoint that returned fewer rows than asked, and sends a full one to the back', () => {
    const due = createDueEndpoints();
    due.mark('a', 100);
    due.mark('b', 200);
    const plan = due.plan(1_000, () => 2, 10);
    due.settle(plan, new Map([['a', 2], ['b', 1]]), 1_000);
    expect(due.size).toBe(1);
    due.mark('c', 500);
    // a was served at 1,000, so c (waiting since 500) goes first now.
    expect(due.plan(1_000, () => 2, 2).take.map((t) => t.endpoint)).toEqual(['c']);
  });

  it('keeps a hint that arrived while the claim was running', () => {
    const due = createDueEndpoints();
    due.mark('a', 100);
    const plan = due.plan(1_000, () => 2, 10);
    due.mark('a', 1_000); // a publish committed after the claim read the queue
    due.settle(plan, new Map(), 1_000);
    expect(due.plan(1_000, () => 2, 10).take).toEqual([{ endpoint: 'a', limit: 2 }]);
  });

  it('tells the loop when the next scheduled work is due', () => {
    const due = createDueEndpoints();
    expect(due.nextAfter(1_000)).toBeNull();
    due.mark('a', 5_000);
    due.mark('b', 3_000);
    due.mark('c', 500);
    expect(due.nextAfter(1_000)).toBe(3_000);
  });
});

import { describe, expect, it } from 'vitest';
import type { Delivery, Endpoint, HookdEvent } from '../domain/types.js';
import { createReadyBuffer, type ReadyJob } from './ready-buffer.js';

const job = (id: string, endpoint: string): ReadyJob => ({
  delivery: { id } as Delivery, event: {} as HookdEvent, endpoint: { id: endpoint } as Endpoint, claimedAt: 0,
});
const ids = (jobs: (ReadyJob | undefined)[]) => jobs.map((j) => j?.delivery.id);

describe('ready buffer', () => {
  it('keeps each endpoint\'s jobs in order, trims the latest, and drains everything', () => {
    const ready = createReadyBuffer();
    for (const [id, ep] of [['a1', 'a'], ['b1', 'b'], ['a2', 'a'], ['a3', 'a'], ['a4', 'a']] as const) ready.push(job(id, ep));
    expect([ready.size, ready.count('a'), ready.count('b'), ready.count('c')]).toEqual([5, 4, 1, 0]);
    expect(ids([ready.peek('a'), ready.shift('a'), ready.peek('a')])).toEqual(['a1', 'a1', 'a2']);
    expect(ids(ready.trim('a', 1))).toEqual(['a3', 'a4']);
    expect(ready.trim('a', 1)).toEqual([]);
    expect([ready.size, ready.endpoints()]).toEqual([2, ['a', 'b']]);
    expect(ids([ready.shift('b'), ready.shift('b')])).toEqual(['b1', undefined]);
    expect(ready.endpoints()).toEqual(['a']);
    expect(ids(ready.drain())).toEqual(['a2']);
    expect([ready.size, ready.endpoints(), ready.peek('a')]).toEqual([0, [], undefined]);
  });
});

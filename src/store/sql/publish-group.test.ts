import { describe, expect, it } from 'vitest';
import type { HookdEvent } from '../../domain/types.js';
import { createPublishGroup } from './publish-group.js';
import type { PublishResult } from '../types.js';

const event = (id: string, type = 'payment.succeeded'): HookdEvent => ({
  id, workspace: 'wksp_1', live: false, type, data: { object: {} }, requestId: 'req_1', idempotencyKey: null,
  redaction: null, created: 0, updated: 0, etag: 'e',
});

function recorder(options: { failWhen?: (events: HookdEvent[]) => boolean; delayMs?: number; until?: Promise<void> } = {}) {
  const groups: string[][] = [];
  let open = 0;
  let maxOpen = 0;
  const write = async (events: HookdEvent[]): Promise<PublishResult[]> => {
    groups.push(events.map((e) => e.id));
    open++;
    maxOpen = Math.max(maxOpen, open);
    await new Promise((r) => setTimeout(r, options.delayMs ?? 0));
    await options.until;
    open--;
    if (options.failWhen?.(events)) throw new Error(`write failed for ${events.map((e) => e.id).join(',')}`);
    // Each event goes to the endpoint named by its type ('none': no endpoint).
    return events.map((e) => ({ event: e, deliveries: e.type === 'none' ? 0 : 1, endpoints: e.type === 'none' ? [] : [`we_${e.type}`] }));
  };
  return { write, groups, maxOpen: () => maxOpen };
}

describe('publish group', () => {
  it('commits publishes made in the same turn as one group, in order', async () => {
    const r = recorder();
    const group = createPublishGroup({ write: r.write, concurrency: 1 });
    const results = await Promise.all(['a', 'b', 'c'].map((id) => group.publish(event(id))));
    expect(r.groups).toEqual([['a', 'b', 'c']]);
    expect(results.map((x) => x.event.id)).toEqual(['a', 'b', 'c']);
  });

  it('gathers publishes that arrive during a commit into the next group, never more groups in flight than allowed', async () => {
    // The first commit lasts until the test ends it: the others arrive during it whatever the timers do.
    let endCommit!: () => void;
    const r = recorder({ until: new Promise((resolve) => (endCommit = resolve)) });
    const group = createPublishGroup({ write: r.write, concurrency: 1 });
    const first = group.publish(event('a'));
    while (r.groups.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const later = ['b', 'c', 'd'].map((id) => group.publish(event(id)));
    endCommit();
    await Promise.all([first, ...later]);
    expect(r.groups).toEqual([['a'], ['b', 'c', 'd']]);
    expect(r.maxOpen()).toBe(1);
  });

  it('splits groups at maxGroup and runs up to `concurrency` of them at once', async () => {
    const r = recorder({ delayMs: 10 });
    const group = createPublishGroup({ write: r.write, concurrency: 2, maxGroup: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => group.publish(event(id))));
    expect(r.groups).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(r.maxOpen()).toBe(2);
  });

  it('when a group fails, retries each event alone so only the bad one is refused', async () => {
    const r = recorder({ failWhen: (events) => events.some((e) => e.id === 'bad') });
    const group = createPublishGroup({ write: r.write, concurrency: 1 });
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((id) => group.publish(event(id))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(r.groups).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('announces once per committed group that created deliveries, naming each endpoint once, and not for one that created none', async () => {
    const r = recorder();
    const announced: string[][] = [];
    const group = createPublishGroup({ write: r.write, concurrency: 1, onCommitted: (eps) => void announced.push(eps) });
    await Promise.all([group.publish(event('a', 'x')), group.publish(event('b', 'y')), group.publish(event('c', 'x'))]);
    expect(announced).toEqual([['we_x', 'we_y']]);
    await group.publish(event('d', 'none'));
    expect(announced).toHaveLength(1);
  });
});

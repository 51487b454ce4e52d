import { describe, expect, it } from 'vitest';
import { createEndpointSlots } from './endpoint-slots.js';

const make = (maxInFlight = 10, maxPerEndpoint = 8) => createEndpointSlots({ maxInFlight, maxPerEndpoint, now: () => 0 });
const takeAll = (slots: ReturnType<typeof make>, id: string, n: number) => Array.from({ length: n }, () => slots.take(id)).filter(Boolean).length;

describe('endpoint slots', () => {
  it('starts an endpoint with one slot and doubles it on each success up to the cap', () => {
    const slots = make(100, 8);
    expect(takeAll(slots, 'a', 3)).toBe(1);
    expect([slots.freeFor('a'), slots.freeFor('unseen'), slots.capOf('a'), slots.capOf('unseen')]).toEqual([0, 1, 1, 1]);
    slots.release('a', false, 'success'); // 2
    expect(takeAll(slots, 'a', 3)).toBe(2);
    slots.release('a', false, 'success'); // 4, one still in flight
    slots.release('a', false, 'success'); // 8, none in flight
    expect(takeAll(slots, 'a', 10)).toBe(8);
    slots.release('a', false, 'success'); // stays 8
    expect(takeAll(slots, 'a', 10)).toBe(1);
  });

  it('drops an unreachable endpoint to one slot and halves it on an error answer', () => {
    const slots = make(100, 8);
    for (let i = 0; i < 3; i++) {
      slots.take('a');
      slots.release('a', false, 'success');
    }
    slots.take('a');
    slots.release('a', false, 'http_error'); // 8 → 4
    expect(takeAll(slots, 'a', 10)).toBe(4);
    for (let i = 0; i < 4; i++) slots.release('a', false, 'unreachable');
    expect(takeAll(slots, 'a', 10)).toBe(1);
  });

  it('moves hanging requests to the slow lane, giving their global slots to others', () => {
    const slots = make(4, 8);
    for (const id of ['a', 'b', 'c', 'd']) expect(slots.take(id)).toBe(true);
    expect(slots.free()).toBe(0);
    expect(slots.take('healthy')).toBe(false);
    for (const id of ['a', 'b', 'c', 'd']) slots.markSlow(id);
    expect(slots.free()).toBe(4);
    expect(slots.take('healthy')).toBe(true);
    expect(slots.take('a')).toBe(false); // still at its own cap
    expect(['a', 'b', 'c', 'd', 'healthy'].map((id) => slots.freeFor(id))).toEqual([0, 0, 0, 0, 0]);
    slots.release('a', true, 'unreachable');
    expect(slots.take('a')).toBe(true);
    expect(slots.inFlight).toBe(5);
  });

  it('bounds the slow lane at four times the global cap', () => {
    const slots = make(2, 8);
    for (let i = 0; i < 8; i++) {
      expect(slots.take(`e${i}`)).toBe(true);
      slots.markSlow(`e${i}`);
    }
    expect(slots.free()).toBe(0);
  });
});

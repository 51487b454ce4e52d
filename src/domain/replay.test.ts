import { describe, expect, it } from 'vitest';
import { replayKey, type ReplayRequest } from './replay.js';

const base: ReplayRequest = { endpoint: 'ep_1', since: 1_000, includeDelivered: false };

describe('replayKey', () => {
  it.each<[string, ReplayRequest, boolean]>([
    ['the same request', { ...base }, true],
    ['types in another order, repeated', { ...base, types: ['b', 'a', 'a'] }, true],
    ['another endpoint', { ...base, endpoint: 'ep_2' }, false],
    ['another since', { ...base, since: 1_001 }, false],
    ['include_delivered', { ...base, includeDelivered: true }, false],
    ['no types filter vs an empty one', { ...base, types: [] }, false],
  ])('%s', (_name, other, same) => {
    const reference = _name.startsWith('types') ? { ...base, types: ['a', 'b'] } : base;
    expect(replayKey(other) === replayKey(reference)).toBe(same);
  });

  it('is a short opaque token', () => {
    expect(replayKey(base)).toMatch(/^rp_[0-9a-f]{32}$/);
  });
});

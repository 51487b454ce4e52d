import { describe, expect, it } from 'vitest';
import { createAgents } from './agents.js';
import { guardedLookup } from './ssrf-guard.js';

const pair = (n: number) => ({ certificate: `certificate ${n}`, privateKey: `key ${n}` });

describe('createAgents', () => {
  const open = (now: () => number) => createAgents({ connectTimeout: 1_000, requestTimeout: 1_000, lookup: guardedLookup([]), proxy: null, max: 2, idle: 60_000, now });

  it('shares one pool among requests without a certificate, and keeps one per certificate', async () => {
    const agents = open(() => 0);
    expect(agents.agentFor()).toBe(agents.agentFor(undefined));
    expect(agents.agentFor(pair(1))).toBe(agents.agentFor(pair(1)));
    expect(agents.agentFor(pair(1))).not.toBe(agents.agentFor(pair(2)));
    expect(agents.agentFor(pair(1))).not.toBe(agents.agentFor());
    // The same certificate with another key is another identity.
    expect(agents.agentFor({ certificate: 'certificate 1', privateKey: 'key 2' })).not.toBe(agents.agentFor(pair(1)));
    await agents.close();
  });

  it('keeps at most `max` certificate pools, closing the least recently used', async () => {
    const agents = open(() => 0);
    const first = agents.agentFor(pair(1));
    agents.agentFor(pair(2));
    agents.agentFor(pair(1));
    agents.agentFor(pair(3));
    expect(agents.certificatePools()).toBe(2);
    expect(agents.agentFor(pair(1))).toBe(first);
    expect(agents.certificatePools()).toBe(2);
    await agents.close();
  });

  it('closes a certificate pool unused for `idle` ms', async () => {
    let now = 0;
    const agents = open(() => now);
    const kept = agents.agentFor(pair(1));
    agents.agentFor(pair(2));
    now = 50_000;
    agents.agentFor(pair(1));
    now = 60_000;
    agents.sweep();
    expect(agents.certificatePools()).toBe(1);
    expect(agents.agentFor(pair(1))).toBe(kept);
    expect(agents.agentFor(pair(2))).not.toBe(kept);
    await agents.close();
  });
});

import { describe, expect, it } from 'vitest';
import type { ClaimPlan } from './due-endpoints.js';
import { MIN_SLEEP, nextStep, RESULTS_WAIT_POLL, type Situation, type Step } from './next-step.js';

const NOW = 10_000;
const PLAN: ClaimPlan = { take: [{ endpoint: 'ep_a', limit: 2 }], seq: 3 };
const NOTHING: ClaimPlan = { take: [], seq: 3 };

/** A running dispatcher with nothing to do; each row changes what it names. */
function situation(change: Partial<Omit<Situation, 'claimable' | 'nextDue'>> & { plan?: ClaimPlan; due?: number | null } = {}): Situation {
  const { plan = NOTHING, due = null, ...rest } = change;
  return {
    now: NOW, running: true, busy: false, startable: new Set(), resultsWaiting: false, retryAt: 0, discoverAt: NOW + 2_000,
    claimable: () => plan, nextDue: () => due, ...rest,
  };
}

describe('nextStep', () => {
  const a = new Set(['ep_a']);
  it.each<[string, Parameters<typeof situation>[0], Step]>([
    ['stopped: nothing, whatever waits', { running: false, startable: a, plan: PLAN, discoverAt: 0 }, { do: 'stop' }],
    ['buffered jobs whose endpoint freed a slot start first', { startable: a, plan: PLAN }, { do: 'start', endpoints: a }],
    ['…even while a claim is in flight', { startable: a, busy: true }, { do: 'start', endpoints: a }],
    ['a store call in flight: its end asks again', { busy: true, plan: PLAN, discoverAt: 0 }, { do: 'wait' }],
    ['outcomes wait for the store: no claim, look again soon', { resultsWaiting: true, plan: PLAN }, { do: 'sleep', until: NOW + RESULTS_WAIT_POLL }],
    ['after a failed store call: nothing before its retry time', { retryAt: NOW + 400, plan: PLAN, discoverAt: 0 }, { do: 'sleep', until: NOW + 400 }],
    ['its retry time reached: claim', { retryAt: NOW, plan: PLAN }, { do: 'claim', plan: PLAN }],
    ['discovery due: discover before claiming', { discoverAt: NOW, plan: PLAN }, { do: 'discover' }],
    ['discovery never ran', { discoverAt: 0 }, { do: 'discover' }],
    ['due endpoints with free slots: claim for them', { plan: PLAN }, { do: 'claim', plan: PLAN }],
    ['nothing to claim: sleep until the next discovery', {}, { do: 'sleep', until: NOW + 2_000 }],
    ['…or the next retry, if sooner', { due: NOW + 500 }, { do: 'sleep', until: NOW + 500 }],
    ['…never less than the shortest sleep', { due: NOW }, { do: 'sleep', until: NOW + MIN_SLEEP }],
  ])('%s', (_name, change, step) => {
    expect(nextStep(situation(change))).toEqual(step);
  });

  it('asks for the claim plan only when the step depends on it', () => {
    let asked = 0;
    const s = { ...situation({ busy: true }), claimable: () => (asked++, PLAN) };
    nextStep(s);
    nextStep({ ...s, busy: false, discoverAt: 0 });
    expect(asked).toBe(0);
    nextStep({ ...s, busy: false });
    expect(asked).toBe(1);
  });
});

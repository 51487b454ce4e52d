/**
 * What the dispatcher does next, decided from its state alone (docs/delivery.md). Pure: every
 * event the dispatcher reacts to (a wake, a finished request, a claim's answer, a written
 * result, a timer) updates its state and asks this function again, so the whole policy is one
 * table of tests (next-step.test.ts) and dispatcher.ts only carries steps out.
 */
import type { ClaimPlan } from './due-endpoints.js';

/**
 * ms between looks at the result writer while outcomes wait for a store that went away
 * (result-writer.ts `storeDown`). Claims wait for those outcomes; a written batch wakes the
 * dispatcher itself, so this only bounds how long a missed wake could cost.
 */
export const RESULTS_WAIT_POLL = 100;
/** ms: the shortest sleep, so that a due time a hair in the future never spins the loop. */
export const MIN_SLEEP = 1;

export interface Situation {
  /** ms epoch, on the dispatcher's clock. */
  now: number;
  /** Between start and stop. */
  running: boolean;
  /** A store call of the loop (start-up, discovery, claim) is in flight; its end asks again. */
  busy: boolean;
  /** Endpoints whose buffered jobs may start now: a slot freed, or a claim brought jobs. */
  startable: ReadonlySet<string>;
  /** Outcomes wait for the store (result-writer.ts): a claim could resend deliveries whose leases ran out. */
  resultsWaiting: boolean;
  /** No claim before this ms epoch: the last store call failed (retry-policy.ts STORE_RETRY). */
  retryAt: number;
  /** When the next discovery query is due (0: now). */
  discoverAt: number;
  /** What a claim made now would ask for (due-endpoints.ts `plan`); called only when the step depends on it. */
  claimable: () => ClaimPlan;
  /** The earliest time an endpoint's work comes due after `now` (due-endpoints.ts `nextAfter`). */
  nextDue: () => number | null;
}

export type Step =
  /** Stopped: start nothing, claim nothing; buffered jobs are released by stop(). */
  | { do: 'stop' }
  /** Start what these endpoints have buffered, as far as their slots allow. */
  | { do: 'start'; endpoints: ReadonlySet<string> }
  /** A store call is in flight: nothing to do until it ends. */
  | { do: 'wait' }
  /** Ask the store which endpoints have work (the safety net for work no wake announced). */
  | { do: 'discover' }
  /** Lease due deliveries for these endpoints. */
  | { do: 'claim'; plan: ClaimPlan }
  /** Nothing to do before `until` (ms epoch) unless an event comes first. */
  | { do: 'sleep'; until: number };

export function nextStep(s: Situation): Step {
  if (!s.running) return { do: 'stop' };
  // Starting buffered work needs no store call, so it goes first, even while one is in flight.
  if (s.startable.size > 0) return { do: 'start', endpoints: s.startable };
  if (s.busy) return { do: 'wait' };
  if (s.resultsWaiting) return { do: 'sleep', until: s.now + RESULTS_WAIT_POLL };
  // Wakes that came while the store was failing are not a reason to hammer it sooner.
  if (s.now < s.retryAt) return { do: 'sleep', until: s.retryAt };
  if (s.now >= s.discoverAt) return { do: 'discover' };
  const plan = s.claimable();
  if (plan.take.length > 0) return { do: 'claim', plan };
  const until = Math.min(s.discoverAt, s.nextDue() ?? Infinity);
  return { do: 'sleep', until: Math.max(until, s.now + MIN_SLEEP) };
}

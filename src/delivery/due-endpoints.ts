/**
 * Where the dispatcher believes work waits: endpoint → the earliest time a claim may find a
 * due, unleased delivery for it. The store is asked for exactly that (per-endpoint claims,
 * store/sql/claim.ts), so a claim is made only for endpoints with free slots, for as many rows
 * as they have slots: nothing claimed has to be handed back, and a full endpoint costs nothing.
 *
 * Fed by hints: wakes (a publish names its endpoints, in-process or through PostgreSQL
 * NOTIFY), written retries (their endpoint and time), and an occasional discovery query for
 * what no wake covered (start, another worker's expired leases). A claim that returns fewer
 * rows than asked proves the endpoint drained, unless a hint arrived after the claim was
 * planned: the sequence number keeps a publish that lands mid-claim from being forgotten.
 */

export interface ClaimPlan {
  take: { endpoint: string; limit: number; controlled?: boolean }[];
  /** Hints up to this number are covered by the claim. */
  seq: number;
}

interface Entry {
  at: number;
  seq: number;
}

export function createDueEndpoints() {
  const due = new Map<string, Entry>();
  let seq = 0;

  return {
    /** Deliveries for `endpoint` may be due from `at` (ms epoch). */
    mark(endpoint: string, at: number): void {
      seq++;
      const current = due.get(endpoint);
      due.set(endpoint, { at: current && current.at < at ? current.at : at, seq });
    },

    /**
     * Which endpoints to claim for now and how many rows each: the longest waiting first, each
     * up to its free slots, all together up to `budget` (the free global slots).
     */
    plan(now: number, freeFor: (endpoint: string) => number, budget: number): ClaimPlan {
      const ready: [string, number][] = [];
      if (budget > 0) {
        for (const [endpoint, entry] of due) if (entry.at <= now && freeFor(endpoint) > 0) ready.push([endpoint, entry.at]);
      }
      ready.sort((a, b) => a[1] - b[1]);
      const take: ClaimPlan['take'] = [];
      for (const [endpoint] of ready) {
        if (budget <= 0) break;
        const limit = Math.min(freeFor(endpoint), budget);
        take.push({ endpoint, limit });
        budget -= limit;
      }
      return { take, seq };
    },

    /**
     * After the claim: an endpoint that got fewer rows than asked has nothing more due; one
     * that got all it asked for may have more, and goes behind those that waited longer.
     */
    settle(plan: ClaimPlan, claimed: Map<string, number>, now: number): void {
      for (const { endpoint, limit } of plan.take) {
        const entry = due.get(endpoint);
        if (!entry || entry.seq > plan.seq) continue; // hinted again since: keep the hint
        if ((claimed.get(endpoint) ?? 0) < limit) due.delete(endpoint);
        else entry.at = now;
      }
    },

    /** The earliest due time after `now`, or null: when a sleeping loop must look again. */
    nextAfter(now: number): number | null {
      let next: number | null = null;
      for (const { at } of due.values()) if (at > now && (next === null || at < next)) next = at;
      return next;
    },

    get size(): number {
      return due.size;
    },
  };
}

export type DueEndpoints = ReturnType<typeof createDueEndpoints>;

/**
 * Claiming due deliveries on PostgreSQL, shared by any number of worker processes.
 *
 * `FOR UPDATE SKIP LOCKED` in each per-endpoint select lets concurrent claimers pass over each
 * other's rows instead of queueing behind them; the lease (`locked_until`) written in the same
 * statement keeps a row claimed after the transaction commits, until the worker writes its
 * outcome or the lease ends (a crashed worker's rows come back then, docs/architecture.md). One
 * statement claims for up to 64 endpoints: a round trip per batch, not per delivery.
 * The per-endpoint query and its index: sql/claim.ts.
 *
 * FIFO and throttled endpoints take the exact path instead, one transaction each
 * (sql/controlled-claim.ts): those the dispatcher names as such, and those the fast statement
 * found nothing for that turn out to be such (a new endpoint, or one changed since the
 * dispatcher last read it). That check is one query, made only when an endpoint came back empty.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { claimPerEndpoint, IS_CONTROLLED } from '../sql/claim.js';
import { claimControlled } from '../sql/controlled-claim.js';
import type { ClaimOptions, ClaimResult } from '../types.js';

export async function claimDeliveries(db: Kysely<Database>, options: ClaimOptions): Promise<ClaimResult> {
  const { now, lease, take } = options;
  const fast = take.filter((t) => !t.controlled && t.limit > 0);
  const slow = take.filter((t) => t.controlled && t.limit > 0);
  const deliveries = fast.length === 0 ? [] : await claimPerEndpoint(db, { now, lease, take: fast }, sql` FOR UPDATE SKIP LOCKED`);
  const got = new Set(deliveries.map((d) => d.endpoint));
  const empty = fast.filter((t) => !got.has(t.endpoint));
  if (empty.length > 0) {
    const found = await db.selectFrom('endpoints').select('id').where('id', 'in', empty.map((t) => t.endpoint)).where(IS_CONTROLLED).execute();
    const ids = new Set(found.map((r) => r.id));
    slow.push(...empty.filter((t) => ids.has(t.endpoint)));
  }
  const controlled: ClaimResult['controlled'] = [];
  for (const t of slow) {
    const claim = await claimControlled(db, t.endpoint, t.limit, options.clock ?? (() => now), lease);
    deliveries.push(...claim.rows);
    if (claim.controlled) controlled.push({ endpoint: t.endpoint, retryAt: claim.retryAt, at: claim.at });
  }
  deliveries.sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
  return { deliveries, controlled };
}

/**
 * Claiming due deliveries on PostgreSQL, shared by any number of worker processes.
 *
 * `FOR UPDATE SKIP LOCKED` in the inner select lets concurrent claimers pass over each other's
 * rows instead of queueing behind them; the lease (`locked_until`) written in the same
 * statement keeps a row claimed after the transaction commits, until the worker writes its
 * outcome or the lease ends (a crashed worker's rows come back then, DESIGN.md §1).
 *
 * Index: `deliveries_due (status, next_attempt_at)` — the planner walks pending rows in due
 * order and stops after `limit` usable ones; the lease and endpoint conditions are filters on
 * that walk. One statement claims a whole batch: a round trip per batch, not per delivery.
 */
import type { Kysely } from 'kysely';
import type { Delivery } from '../../domain/types.js';
import type { Database } from '../schema.js';
import { claimWith } from '../sql/deliveries.js';
import type { ClaimOptions } from '../types.js';

export function claimDeliveries(db: Kysely<Database>, options: ClaimOptions): Promise<Delivery[]> {
  return claimWith(db, options, (q) => q.forUpdate().skipLocked());
}

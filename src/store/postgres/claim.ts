/**
 * Claiming due deliveries on PostgreSQL, shared by any number of worker processes.
 *
 * `FOR UPDATE SKIP LOCKED` in each per-endpoint select lets concurrent claimers pass over each
 * other's rows instead of queueing behind them; the lease (`locked_until`) written in the same
 * statement keeps a row claimed after the transaction commits, until the worker writes its
 * outcome or the lease ends (a crashed worker's rows come back then, docs/architecture.md). One
 * statement claims for up to 64 endpoints: a round trip per batch, not per delivery.
 * The per-endpoint query and its index: sql/claim.ts.
 */
import { sql, type Kysely } from 'kysely';
import type { Delivery } from '../../domain/types.js';
import type { Database } from '../schema.js';
import { claimPerEndpoint } from '../sql/claim.js';
import type { ClaimOptions } from '../types.js';

export function claimDeliveries(db: Kysely<Database>, options: ClaimOptions): Promise<Delivery[]> {
  return claimPerEndpoint(db, options, sql` FOR UPDATE SKIP LOCKED`);
}

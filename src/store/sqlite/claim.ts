/**
 * Claiming due deliveries on SQLite. One process owns the file (locking_mode=EXCLUSIVE), so
 * the lease here guards against this process's own double-claims and records, for the next
 * start, what was in flight; `UPDATE … RETURNING` claims a batch in one statement.
 *
 * Served by deliveries_due (status, next_attempt_at): SQLite walks pending rows in due order
 * and stops after `limit` matches. Endpoints at their in-flight cap are skipped in the walk, so
 * a backlog for a hanging endpoint costs a scan, not a slot.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ClaimOptions } from '../types.js';
import { claimWith } from '../sql/deliveries.js';
import type { Delivery } from '../../domain/types.js';

export function claimDeliveries(db: Kysely<Database>, options: ClaimOptions): Promise<Delivery[]> {
  return claimWith(db, options, (q) => q);
}

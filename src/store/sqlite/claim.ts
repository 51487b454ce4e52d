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
import { deliveryFromRow } from '../sql/deliveries.js';
import type { Delivery } from '../../domain/types.js';

export async function claimDeliveries(db: Kysely<Database>, { now, limit, lease, excludeEndpoints }: ClaimOptions): Promise<Delivery[]> {
  if (limit <= 0) return [];
  const rows = await db.updateTable('deliveries')
    .set({ locked_until: now + lease })
    .where('id', 'in', (eb) => {
      let due = eb.selectFrom('deliveries').select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<=', now)]));
      if (excludeEndpoints.length > 0) due = due.where('endpoint', 'not in', excludeEndpoints);
      return due.orderBy('next_attempt_at').limit(limit);
    })
    .returningAll()
    .execute();
  rows.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at));
  return rows.map((r) => deliveryFromRow(r));
}


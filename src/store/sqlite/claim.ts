/**
 * Claiming due deliveries on SQLite. One process owns the file (locking_mode=EXCLUSIVE), so
 * no row locking is needed: the lease guards against this process's own double-claims and
 * records, for the next start, what was in flight (released at once on start).
 *
 * Because every lease is released on start, a lease need not survive a power cut, and the
 * claim commits with synchronous=NORMAL: no fsync. With FULL each claim was an fsync of its
 * own (measured 1–3 ms here, more than the claim's query), paid once or twice per delivery.
 * The switch happens on kysely's single connection, held for the whole claim, so no publish
 * can commit while it is relaxed; the next FULL commit's fsync covers these WAL frames too.
 * The per-endpoint query and its index: sql/claim.ts.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ClaimOptions } from '../types.js';
import { claimPerEndpoint } from '../sql/claim.js';
import type { Delivery } from '../../domain/types.js';

export function claimDeliveries(db: Kysely<Database>, options: ClaimOptions): Promise<Delivery[]> {
  return db.connection().execute(async (conn) => {
    await sql`PRAGMA synchronous = NORMAL`.execute(conn);
    try {
      return await claimPerEndpoint(conn, options, sql``);
    } finally {
      await sql`PRAGMA synchronous = FULL`.execute(conn);
    }
  });
}

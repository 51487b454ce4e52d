/**
 * Claiming due deliveries on SQLite, with the leases kept in this process's memory.
 *
 * One process owns the file (locking_mode=EXCLUSIVE) and takes back every lease when it
 * starts, so a lease written into the row protects nothing that memory does not: it only
 * guards this process against claiming its own in-flight rows twice. Writing it cost a commit
 * per claim (a WAL append, and checkpoints as the WAL grows), measured at 0.5 ms of the 1 ms
 * of CPU hookd spent per delivery at fan-out 10. Here a claim is a read, and `locked_until`
 * stays NULL (releaseAllLeases clears what an older version wrote), so the queries below leave
 * it out and stay inside the partial index.
 *
 * Each endpoint's leased rows are its oldest due ones, so the scan for its next rows steps over
 * them first. It does so in the index alone: `SELECT rowid` over deliveries_pending (endpoint,
 * next_attempt_at) WHERE status = 'pending' reads no table row and makes no JavaScript object,
 * and only the rows it claims are read whole. Reading `SELECT *` for the leased rows too (up to
 * twice the endpoint's cap of them, to claim a few) was 8 % of hookd's CPU at fan-out 10 and
 * much of its garbage: 210 µs a claim, 340 claims a second.
 *
 * The statements run on kysely's one connection, borrowed through `db.connection()`: a claim
 * between two statements of an open transaction would see its uncommitted rows.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { Delivery } from '../../domain/types.js';
import type { Database, DeliveriesTable } from '../schema.js';
import { deliveryFromRow } from '../../resources/deliveries/queries.js';
import type { ClaimOptions } from '../types.js';

interface Lease {
  id: string;
  endpoint: string;
  until: number;
}

export function createMemoryLeases(sqlite: BetterSqlite3.Database) {
  const dueRowids = sqlite.prepare<[string, number, number], number>(
    `SELECT rowid FROM deliveries WHERE status = 'pending' AND endpoint = ? AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
  ).pluck();
  const rowAt = sqlite.prepare<[number], Selectable<DeliveriesTable>>('SELECT * FROM deliveries WHERE rowid = ?');
  /** By rowid, which the scan yields; no VACUUM runs while hookd does, so rowids hold still. */
  const leases = new Map<number, Lease>();
  const rowidOf = new Map<string, number>();
  const perEndpoint = new Map<string, number>();

  function drop(rowid: number): void {
    const lease = leases.get(rowid);
    if (!lease) return;
    leases.delete(rowid);
    rowidOf.delete(lease.id);
    const n = (perEndpoint.get(lease.endpoint) ?? 1) - 1;
    if (n > 0) perEndpoint.set(lease.endpoint, n);
    else perEndpoint.delete(lease.endpoint);
  }

  function claimNow({ now, lease, take }: ClaimOptions): Delivery[] {
    const claimed: Delivery[] = [];
    for (const { endpoint, limit } of take) {
      if (limit <= 0) continue;
      let n = 0;
      for (const rowid of dueRowids.all(endpoint, now, limit + (perEndpoint.get(endpoint) ?? 0))) {
        const held = leases.get(rowid);
        if (held && held.until > now) continue;
        drop(rowid); // a lease that ran out: the row is free again
        if (n === limit) continue;
        const row = rowAt.get(rowid);
        if (!row) continue;
        leases.set(rowid, { id: row.id, endpoint, until: now + lease });
        rowidOf.set(row.id, rowid);
        perEndpoint.set(endpoint, (perEndpoint.get(endpoint) ?? 0) + 1);
        claimed.push(deliveryFromRow(row));
        n++;
      }
    }
    return claimed.sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
  }

  return {
    claim: (db: Kysely<Database>, options: ClaimOptions): Promise<Delivery[]> =>
      db.connection().execute(async () => claimNow(options)),
    release(ids: string[]): void {
      for (const id of ids) {
        const rowid = rowidOf.get(id);
        if (rowid !== undefined) drop(rowid);
      }
    },
    /** Forgets every lease; returns how many there were. */
    releaseAll(): number {
      const n = leases.size;
      leases.clear();
      rowidOf.clear();
      perEndpoint.clear();
      return n;
    },
  };
}

export type MemoryLeases = ReturnType<typeof createMemoryLeases>;

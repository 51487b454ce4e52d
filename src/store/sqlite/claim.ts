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
import { refund, takeTokens } from '../../domain/rate-limit.js';
import type { Delivery } from '../../domain/types.js';
import type { Database, DeliveriesTable } from '../schema.js';
import { deliveryFromRow } from '../../resources/deliveries/queries.js';
import { HEAD_PLACE } from '../fifo-order.js';
import type { ClaimOptions, ClaimResult } from '../types.js';

interface Lease {
  id: string;
  endpoint: string;
  until: number;
}

interface Traits {
  ordering: string;
  rate_limit: number | null;
  status: string;
  throttle_tokens: number | null;
  throttle_at: number | null;
}

export function createMemoryLeases(sqlite: BetterSqlite3.Database) {
  const dueRowids = sqlite.prepare<[string, number, number], number>(
    `SELECT rowid FROM deliveries WHERE status = 'pending' AND endpoint = ? AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
  ).pluck();
  const rowAt = sqlite.prepare<[number], Selectable<DeliveriesTable>>('SELECT * FROM deliveries WHERE rowid = ?');
  // FIFO and throttles (docs/delivery.md): the endpoint's row says what it is at this claim,
  // and the head comes from deliveries_fifo_pending. One process owns the file, so the
  // in-memory leases below are every lease there is, and these checks are exact.
  const traitsOf = sqlite.prepare<[string], Traits>('SELECT ordering, rate_limit, status, throttle_tokens, throttle_at FROM endpoints WHERE id = ?');
  const headOf = sqlite.prepare<[string, string], { rowid: number; next_attempt_at: number | null }>(
    `SELECT rowid, next_attempt_at FROM deliveries WHERE endpoint = ? AND sequence = ${HEAD_PLACE}`,
  );
  const writeBucket = sqlite.prepare<[number, number, string]>('UPDATE endpoints SET throttle_tokens = ?, throttle_at = ? WHERE id = ?');
  /** By rowid, which the scan yields; no VACUUM runs while hookd does, so rowids hold still. */
  const leases = new Map<number, Lease>();
  const rowidOf = new Map<string, number>();
  const perEndpoint = new Map<string, Set<number>>();

  function drop(rowid: number): void {
    const lease = leases.get(rowid);
    if (!lease) return;
    leases.delete(rowid);
    rowidOf.delete(lease.id);
    const held = perEndpoint.get(lease.endpoint);
    held?.delete(rowid);
    if (held?.size === 0) perEndpoint.delete(lease.endpoint);
  }

  function take(rowid: number, endpoint: string, until: number): Delivery | null {
    const row = rowAt.get(rowid);
    if (!row) return null;
    leases.set(rowid, { id: row.id, endpoint, until });
    rowidOf.set(row.id, rowid);
    const held = perEndpoint.get(endpoint);
    if (held) held.add(rowid);
    else perEndpoint.set(endpoint, new Set([rowid]));
    return deliveryFromRow(row);
  }

  /** Up to `limit` of the endpoint's due, unleased rows, oldest due first. */
  function claimDue(endpoint: string, limit: number, now: number, lease: number, claimed: Delivery[]): number {
    let n = 0;
    for (const rowid of dueRowids.all(endpoint, now, limit + (perEndpoint.get(endpoint)?.size ?? 0))) {
      const held = leases.get(rowid);
      if (held && held.until > now) continue;
      drop(rowid); // a lease that ran out: the row is free again
      if (n === limit) continue;
      const d = take(rowid, endpoint, now + lease);
      if (!d) continue;
      claimed.push(d);
      n++;
    }
    return n;
  }

  /** Any of the endpoint's leases still running; drops those that ran out. */
  function inFlight(endpoint: string, now: number): boolean {
    for (const rowid of [...perEndpoint.get(endpoint) ?? []]) {
      if (leases.get(rowid)!.until > now) return true;
      drop(rowid);
    }
    return false;
  }

  /** A FIFO or throttled endpoint's claim; returns when a claim may next find work. */
  function claimControlled(endpoint: string, t: Traits, limit: number, now: number, lease: number, claimed: Delivery[]): number | null {
    let want = limit;
    let head: number | null = null;
    if (t.ordering === 'fifo') {
      // A disabled FIFO endpoint's queue waits, in order; the head goes alone, once nothing is in flight.
      if (t.status !== 'enabled' || inFlight(endpoint, now)) return null;
      const h = headOf.get(endpoint, endpoint);
      if (!h) return null;
      if (h.next_attempt_at !== null && h.next_attempt_at > now) return Number(h.next_attempt_at);
      head = h.rowid;
      want = 1;
    }
    if (t.rate_limit === null) {
      const d = take(head!, endpoint, now + lease);
      if (d) claimed.push(d);
      return null;
    }
    const grant = takeTokens(t.throttle_at === null ? null : { tokens: t.throttle_tokens ?? 0, at: t.throttle_at }, t.rate_limit, now, want);
    let n = 0;
    if (grant.granted > 0 && head !== null) {
      const d = take(head, endpoint, now + lease);
      if (d) claimed.push(d);
      n = d ? 1 : 0;
    } else if (grant.granted > 0) {
      n = claimDue(endpoint, grant.granted, now, lease, claimed);
    }
    const after = refund(grant.bucket, grant.granted - n);
    // Nothing granted leaves the bucket as it was, accrual included: no write, unless it is new.
    if (t.throttle_at === null || grant.granted > 0) writeBucket.run(after.tokens, after.at, endpoint);
    return grant.nextAt;
  }

  function claimNow({ now, lease, take: asked }: ClaimOptions): ClaimResult {
    const claimed: Delivery[] = [];
    const controlled: ClaimResult['controlled'] = [];
    for (const { endpoint, limit } of asked) {
      if (limit <= 0) continue;
      const t = traitsOf.get(endpoint);
      if (t && (t.ordering === 'fifo' || t.rate_limit !== null)) {
        controlled.push({ endpoint, retryAt: claimControlled(endpoint, t, limit, now, lease, claimed), at: now });
      } else {
        claimDue(endpoint, limit, now, lease, claimed);
      }
    }
    claimed.sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
    return { deliveries: claimed, controlled };
  }

  return {
    claim: (db: Kysely<Database>, options: ClaimOptions): Promise<ClaimResult> =>
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

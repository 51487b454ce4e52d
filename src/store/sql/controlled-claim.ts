/**
 * The claim for FIFO and throttled endpoints on PostgreSQL (docs/delivery.md, "Ordered
 * endpoints" and "Throttles"): exact across any number of worker processes.
 *
 * One transaction per endpoint, serialised with every other worker's claim for the same
 * endpoint by an advisory lock on its id. Inside it, the endpoint's row says what it is now
 * (not what the dispatcher last saw); a FIFO endpoint gives only its head, and only when the
 * head is due and unleased; a throttled one only as many rows as its bucket holds tokens for,
 * and the bucket is written back before the lock is released. The advisory lock, not a row
 * lock on the endpoint, serialises the claimers, because the result writer locks delivery
 * rows and then the endpoint's row: a claim holding the endpoint's row while it leased
 * deliveries would take the two in the other order and could deadlock with it.
 *
 * The fast path (claim.ts) skips controlled endpoints by a check in its own statement, so a
 * dispatcher that does not yet know an endpoint became FIFO sends nothing out of order: it
 * finds nothing there, and its next claim comes here.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { takeTokens, refund, type Bucket } from '../../domain/rate-limit.js';
import type { Delivery } from '../../domain/types.js';
import { deliveryFromRow } from '../../resources/deliveries/queries.js';
import { headPlace, placeUnplaced } from '../fifo-order.js';
import type { Database, DeliveriesTable } from '../schema.js';
import { claimPerEndpoint } from './claim.js';

/** The first key of the advisory lock pair: hookd's claims, apart from any other user of advisory locks. */
const CLAIM_LOCK_SPACE = 0x686b64; // "hkd"

export interface ControlledClaim {
  rows: Delivery[];
  /** The endpoint is FIFO or throttled now. */
  controlled: boolean;
  /** When a claim may next find work for it (ClaimResult `controlled`). */
  retryAt: number | null;
  /** When the claim held the lock: its tokens' time. */
  at: number;
}

/** Leases the FIFO head, by id; the advisory lock keeps every other claim of the endpoint out. */
async function leaseHead(tx: Kysely<Database>, id: string, now: number, leaseMs: number): Promise<Delivery[]> {
  const rows = await tx.updateTable('deliveries').set({ locked_until: now + leaseMs })
    .where('id', '=', id).where('status', '=', 'pending')
    .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<=', now)]))
    .returningAll().execute();
  return rows.map((r) => deliveryFromRow(r as Selectable<DeliveriesTable>));
}

/** The FIFO head: the first pending delivery in the endpoint's order (deliveries_fifo_pending). */
async function headOf(tx: Kysely<Database>, endpoint: string) {
  const head = () => tx.selectFrom('deliveries').select(['id', 'next_attempt_at', 'locked_until'])
    .where('endpoint', '=', endpoint).where('sequence', '=', headPlace(sql`${endpoint}`)).where('status', '=', 'pending')
    .executeTakeFirst();
  // With no head, place what waits without one: nothing should, since every write that queues
  // for a FIFO endpoint places it, but a delivery without a place would never be sent.
  return (await head()) ?? ((await placeUnplaced(tx, endpoint)) > 0 ? head() : undefined);
}

/**
 * `clock` is read once the lock is held: measured with three workers, a claim waited up to
 * 170 ms for a connection and the lock, and tokens stamped with the time it was planned let
 * one second start more than the throttle allows.
 */
export async function claimControlled(db: Kysely<Database>, endpoint: string, limit: number, clock: () => number, leaseMs: number): Promise<ControlledClaim> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_SPACE}, hashtext(${endpoint}))`.execute(tx);
    const now = clock();
    const ep = await tx.selectFrom('endpoints').select(['ordering', 'rate_limit', 'status', 'throttle_tokens', 'throttle_at'])
      .where('id', '=', endpoint).executeTakeFirst();
    if (!ep) return { rows: [], controlled: false, retryAt: null, at: now };
    const fifo = ep.ordering === 'fifo';
    const rate = ep.rate_limit === null ? null : Number(ep.rate_limit);
    // Up to n due rows, by the same select as every other claim (claim.ts).
    const due = (n: number) => claimPerEndpoint(tx, { now, lease: leaseMs, take: [{ endpoint, limit: n }] }, sql` FOR UPDATE SKIP LOCKED`, { controlledToo: true });
    if (!fifo && rate === null) return { rows: await due(limit), controlled: false, retryAt: null, at: now };
    let head: string | null = null;
    let want = limit;
    if (fifo) {
      // A disabled FIFO endpoint's queue waits, in order, for it to be enabled again.
      if (ep.status !== 'enabled') return { rows: [], controlled: true, retryAt: null, at: now };
      const found = await headOf(tx, endpoint);
      if (!found || (found.locked_until !== null && Number(found.locked_until) > now)) return { rows: [], controlled: true, retryAt: null, at: now };
      if (found.next_attempt_at !== null && Number(found.next_attempt_at) > now) return { rows: [], controlled: true, retryAt: Number(found.next_attempt_at), at: now };
      head = found.id;
      want = Math.min(want, 1);
    }
    if (rate === null) return { rows: await leaseHead(tx, head!, now, leaseMs), controlled: true, retryAt: null, at: now };
    const bucket: Bucket | null = ep.throttle_at === null ? null : { tokens: Number(ep.throttle_tokens ?? 0), at: Number(ep.throttle_at) };
    const grant = takeTokens(bucket, rate, now, want);
    const rows = grant.granted === 0 ? [] : head !== null ? await leaseHead(tx, head, now, leaseMs) : await due(grant.granted);
    const after = refund(grant.bucket, grant.granted - rows.length);
    // Nothing granted leaves the bucket as it was, accrual included: no write, unless it is new.
    if (bucket !== null && grant.granted === 0) return { rows, controlled: true, retryAt: grant.nextAt, at: now };
    await tx.updateTable('endpoints').set({ throttle_tokens: after.tokens, throttle_at: after.at }).where('id', '=', endpoint).execute();
    return { rows, controlled: true, retryAt: grant.nextAt, at: now };
  });
}

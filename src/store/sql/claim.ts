/**
 * The delivery queue's two reads, per endpoint: discovery for both dialects, and the claim
 * that writes its lease in the row (PostgreSQL adds its row locking in postgres/claim.ts;
 * SQLite keeps its leases in memory and claims in sqlite/claim.ts).
 *
 * Both walk the partial index deliveries_pending (endpoint, next_attempt_at) WHERE status =
 * 'pending' (migration 0003). The index holds only work that is still owed, so it stays the
 * size of the backlog, not of the history; and because it leads with the endpoint, a claim for
 * endpoint E reads E's rows and nothing else. The earlier single claim (oldest due first, minus
 * the endpoints at their cap) walked past every due row of every full endpoint on each call:
 * with 200,000 rows queued for a hanging endpoint that was 200,000 index entries per claim, and
 * the dispatcher claimed several times per delivery (measured: 276 µs a call with a 10-endpoint
 * backlog of a few thousand, a third of hookd's CPU at fan-out 10).
 *
 * `status = 'pending'` is written as a literal: SQLite uses a partial index only when the query
 * states its condition, and a bound parameter does not.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Delivery } from '../../domain/types.js';
import type { Database, DeliveriesTable } from '../schema.js';
import type { ClaimOptions, DueEndpoint } from '../types.js';
import { deliveryFromRow } from '../../resources/deliveries/queries.js';
import { headPlace } from '../fifo-order.js';

/** The SQL condition, over an endpoints row, that sends an endpoint's claims to controlled-claim.ts. */
export const IS_CONTROLLED = sql<SqlBool>`(ordering = 'fifo' OR rate_limit IS NOT NULL)`;

/** Endpoints per claim statement: 4 parameters each, well under either dialect's limit. */
const ENDPOINTS_PER_STATEMENT = 64;

export type ClaimTake = ClaimOptions['take'];

/**
 * For each endpoint asked, its first `limit` due, unleased rows in due order, as one UNION ALL
 * of per-endpoint selects. Each select stops after `limit` rows; the rows it steps over are that
 * endpoint's own leased ones (in flight), at most its in-flight cap per worker. `lock` is the
 * dialect's row locking for each select.
 *
 * A FIFO or throttled endpoint gets nothing here, whatever the dispatcher believed: the check
 * is one primary-key probe per endpoint per statement, and its claims take the exact path
 * (controlled-claim.ts), which reuses this select, without the check, once it holds the
 * endpoint's lock (`controlledToo`).
 */
function duePerEndpoint(now: number, take: ClaimTake, lock: RawBuilder<unknown>, controlledToo: boolean): RawBuilder<unknown> {
  const selects = take.map((t, n) => sql`SELECT * FROM (
      SELECT * FROM deliveries
      WHERE status = 'pending' AND endpoint = ${t.endpoint} AND next_attempt_at <= ${now}
        AND (locked_until IS NULL OR locked_until <= ${now})
        ${controlledToo ? sql`` : sql`AND NOT EXISTS (SELECT 1 FROM endpoints WHERE id = ${t.endpoint} AND ${IS_CONTROLLED})`}
      ORDER BY next_attempt_at LIMIT ${t.limit}${lock}) AS ${sql.raw(`e${n}`)}`);
  return sql.join(selects, sql` UNION ALL `);
}

/** Runs `statement` over the asked endpoints 64 at a time, oldest due first in the answer. */
async function perChunk(take: ClaimTake, statement: (chunk: ClaimTake) => Promise<Selectable<DeliveriesTable>[]>): Promise<Selectable<DeliveriesTable>[]> {
  const wanted = take.filter((t) => t.limit > 0);
  const rows: Selectable<DeliveriesTable>[] = [];
  for (let i = 0; i < wanted.length; i += ENDPOINTS_PER_STATEMENT) rows.push(...await statement(wanted.slice(i, i + ENDPOINTS_PER_STATEMENT)));
  return rows.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at));
}

/**
 * Leases, for each endpoint asked, up to its `limit` of due, unleased deliveries, oldest due
 * first, writing the lease in the row: `UPDATE … SET locked_until WHERE id IN (per-endpoint
 * selects) RETURNING *`, one statement per 64 endpoints (PostgreSQL, postgres/claim.ts).
 */
export async function claimPerEndpoint(
  db: Kysely<Database>, { now, lease, take }: ClaimOptions, lock: RawBuilder<unknown>, { controlledToo = false } = {},
): Promise<Delivery[]> {
  const rows = await perChunk(take, async (chunk) => (await sql<Selectable<DeliveriesTable>>`
    UPDATE deliveries SET locked_until = ${now + lease}
    WHERE id IN (SELECT id FROM (${duePerEndpoint(now, chunk, lock, controlledToo)}) AS due)
    RETURNING *`.execute(db)).rows);
  return rows.map((r) => deliveryFromRow(r));
}

/**
 * Every endpoint with unleased pending deliveries, and when its earliest one is due (past or
 * future). A loose index scan, written as a recursive CTE because neither dialect does one by
 * itself: each step seeks the next endpoint after the last one found, so the cost is two index
 * seeks per endpoint with work, however many rows each has queued (a GROUP BY would read them
 * all). The dispatcher runs it at start, on a wake that names no endpoints, and every few
 * seconds as a safety net; everything else reaches it as wakes and written retries.
 *
 * A FIFO endpoint is due when its head is (deliveries_fifo_pending), not when the rows waiting
 * behind it are, and not at all while it is disabled or its head is in flight: a queue blocked
 * on a failing head costs no claim until the head's retry, however many wait behind it.
 */
export async function dueEndpoints(db: Kysely<Database>, now: number): Promise<DueEndpoint[]> {
  const { rows } = await sql<{ endpoint: string; due: number | string | null; fifo: number | string | null; head: number | string | null; controlled: number | string | null }>`
    WITH RECURSIVE eps(endpoint) AS (
      SELECT (SELECT endpoint FROM deliveries WHERE status = 'pending' ORDER BY endpoint LIMIT 1)
      UNION ALL
      SELECT (SELECT d.endpoint FROM deliveries d WHERE d.status = 'pending' AND d.endpoint > eps.endpoint ORDER BY d.endpoint LIMIT 1)
      FROM eps WHERE eps.endpoint IS NOT NULL
    )
    SELECT endpoint, (
      SELECT d.next_attempt_at FROM deliveries d
      WHERE d.status = 'pending' AND d.endpoint = eps.endpoint AND (d.locked_until IS NULL OR d.locked_until <= ${now})
      ORDER BY d.next_attempt_at LIMIT 1
    ) AS due,
    (SELECT CASE WHEN ordering <> 'fifo' THEN 0 WHEN status = 'enabled' THEN 1 ELSE 2 END FROM endpoints WHERE id = eps.endpoint) AS fifo,
    (
      SELECT CASE WHEN f.locked_until IS NULL OR f.locked_until <= ${now} THEN f.next_attempt_at ELSE -1 END FROM deliveries f
      WHERE f.endpoint = eps.endpoint AND f.sequence = ${headPlace(sql.ref('eps.endpoint'))}
    ) AS head,
    (SELECT 1 FROM endpoints WHERE id = eps.endpoint AND ${IS_CONTROLLED}) AS controlled
    FROM eps WHERE endpoint IS NOT NULL`.execute(db);
  const out: DueEndpoint[] = [];
  for (const r of rows) {
    const fifo = Number(r.fifo ?? 0);
    if (fifo === 2) continue; // disabled: its queue waits
    // A FIFO queue with no placed head (none should exist) goes by its rows, so that the claim places them.
    const due = fifo === 1 && r.head !== null ? Number(r.head) : r.due === null ? null : Number(r.due);
    if (due === null || due < 0) continue; // nothing unleased, or the head in flight
    out.push({ endpoint: r.endpoint, due, controlled: r.controlled !== null && Number(r.controlled) === 1 });
  }
  return out;
}

/**
 * Places in a FIFO endpoint's order (docs/delivery.md, "Ordered endpoints"). Every write that
 * makes a delivery pending for a FIFO endpoint gives it a place here, inside the writer's own
 * transaction: the publish, a replay, a recover, and switching an endpoint to FIFO.
 *
 * The counter is the endpoint row's `last_sequence`, advanced by an UPDATE: on PostgreSQL that
 * takes the row's lock until the transaction ends, so of two publishes to one FIFO endpoint
 * the second waits for the first to commit before it takes its places. Places therefore follow
 * the order of commits, whatever the number of API processes; on SQLite, which has one writer,
 * they do so trivially.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/**
 * The head's place: MIN over deliveries_fifo_pending, not ORDER BY sequence LIMIT 1. For the
 * latter SQLite picks the unique deliveries_sequence, which holds every place ever given, and
 * would walk the endpoint's whole delivered history to its first pending row (EXPLAIN QUERY
 * PLAN). One text, the endpoint spliced in where it is named: a bound value, a column reference,
 * or `?` in a prepared statement (HEAD_PLACE, for SQLite's claim).
 */
const [HEAD_BEFORE, HEAD_AFTER] = ["(SELECT MIN(h.sequence) FROM deliveries h WHERE h.status = 'pending' AND h.sequence IS NOT NULL AND h.endpoint = ", ')'];

export const headPlace = (endpoint: RawBuilder<unknown>): RawBuilder<number> => sql<number>`${sql.raw(HEAD_BEFORE)}${endpoint}${sql.raw(HEAD_AFTER)}`;

/** The head's place for a prepared statement: `WHERE endpoint = ? AND sequence = ${HEAD_PLACE}`, the endpoint bound twice. */
export const HEAD_PLACE = `${HEAD_BEFORE}?${HEAD_AFTER}`;

/** Takes `n` places in the endpoint's order; returns the first. */
export async function takePlaces(tx: Kysely<Database>, endpoint: string, n: number): Promise<number> {
  const row = await tx.updateTable('endpoints').set({ last_sequence: sql`last_sequence + ${n}` })
    .where('id', '=', endpoint).returning('last_sequence').executeTakeFirstOrThrow();
  return Number(row.last_sequence) - n + 1;
}

/**
 * Gives the endpoint's pending deliveries that have no place one, after every place given so
 * far, in the order they were accepted (created, then id). That is all a queue switched to FIFO
 * can go by: those deliveries were written while nothing ordered them. Returns how many.
 * Reads the endpoint's pending rows (deliveries_pending): a one-off at a switch or a recover.
 */
export async function placeUnplaced(tx: Kysely<Database>, endpoint: string): Promise<number> {
  const { n } = await tx.selectFrom('deliveries').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('endpoint', '=', endpoint).where('status', '=', 'pending').where('sequence', 'is', null)
    .executeTakeFirstOrThrow();
  const count = Number(n);
  if (count === 0) return 0;
  const first = await takePlaces(tx, endpoint, count);
  // UPDATE … FROM with a window function: PostgreSQL, and SQLite since 3.33.
  await sql`UPDATE deliveries SET sequence = ${first - 1} + placed.n
    FROM (SELECT id, row_number() OVER (ORDER BY created, id) AS n FROM deliveries
          WHERE endpoint = ${endpoint} AND status = 'pending' AND sequence IS NULL) AS placed
    WHERE deliveries.id = placed.id`.execute(tx);
  return count;
}

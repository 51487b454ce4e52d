/**
 * How a transaction writes many rows at once: the publish transaction's events and deliveries,
 * and the result writer's attempts and outcomes. These portable forms batch 500 rows into one
 * statement, because on PostgreSQL every statement is a round trip (a batch of 500 row-by-row
 * updates cost ~500 of them). SQLite has no round trips and prefers one prepared single-row
 * statement per row instead (sqlite/prepared-writes.ts): a multi-row statement there costs more
 * to build and compile in JavaScript than to run, and each row count is a new SQL text.
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Inserts rows of one table inside the caller's transaction `tx`. Attempt rows already there
 * (same id) are skipped: the result writer writes a batch again when its commit's answer was
 * lost (a connection cut mid-COMMIT), and the first write may have committed.
 */
export type RowInserter = <T extends 'events' | 'deliveries' | 'attempts'>(tx: Kysely<Database>, table: T, rows: Insertable<Database[T]>[]) => Promise<void>;

/** What one attempt (or its absence) did to its delivery. */
export interface OutcomeRow {
  delivery: string;
  status: string;
  /** 1 when the attempt counts towards the retry schedule (a dispatcher attempt, not a manual one). */
  counted: 0 | 1;
  nextAttemptAt: number | null;
  /** ms epoch of the attempt, or null when none was made. */
  attempted: number | null;
  etag: string;
}

/**
 * Writes each outcome into its delivery row inside the caller's transaction `tx`; clears the
 * lease. A row that already carries the outcome's etag has it: written again (a batch retried
 * after a lost answer), it is left alone, so the attempt is not counted twice.
 */
export type OutcomeWriter = (tx: Kysely<Database>, rows: OutcomeRow[], now: number) => Promise<void>;

export interface BatchWrites {
  insertRows: RowInserter;
  updateOutcomes: OutcomeWriter;
}

const insertMultiRow: RowInserter = async (tx, table, rows) => {
  // 13 columns × 500 rows stays under SQLite's bound-parameter limit (32766).
  for (let i = 0; i < rows.length; i += 500) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one table of three, chosen at run time
    const insert = tx.insertInto(table).values(rows.slice(i, i + 500) as any);
    await (table === 'attempts' ? insert.onConflict((c) => c.column('id').doNothing()) : insert).execute();
  }
};

/**
 * `UPDATE … FROM (VALUES …)` reads the same in SQLite (3.33+) and PostgreSQL; VALUES columns
 * are named column1…N in both, and are cast because parameters arrive untyped.
 */
const updateOutcomesInBatches: OutcomeWriter = async (tx, outcomes, now) => {
  for (let i = 0; i < outcomes.length; i += 500) {
    const rows = outcomes.slice(i, i + 500)
      .map((o) => sql`(${o.delivery}, ${o.status}, ${o.counted}, ${o.nextAttemptAt}, ${o.attempted}, ${o.etag})`);
    await sql`
      UPDATE deliveries SET
        status = v.column2,
        attempts = deliveries.attempts + CAST(v.column3 AS integer),
        next_attempt_at = CAST(v.column4 AS bigint),
        locked_until = NULL,
        last_attempt_at = COALESCE(CAST(v.column5 AS bigint), deliveries.last_attempt_at),
        updated = ${now},
        etag = v.column6
      FROM (VALUES ${sql.join(rows)}) AS v
      WHERE deliveries.id = v.column1 AND deliveries.etag <> v.column6`.execute(tx);
  }
};

export const portableWrites: BatchWrites = { insertRows: insertMultiRow, updateOutcomes: updateOutcomesInBatches };

/**
 * Bulk writes on SQLite (store/batch-writes.ts): one prepared single-row statement per column
 * set, run once per row. kysely's multi-row insert builds an operation node per value and
 * compiles SQL with up to 6,500 placeholders, and each batch's row count makes a new SQL text
 * to prepare: at fan-out 51 (the isolation bench) that JavaScript, not SQLite, bounded how many
 * events hookd accepted, and on the result path it was a third of what recording an outcome
 * cost. A run of a prepared statement is a few microseconds.
 *
 * Runs on kysely's single connection inside its transaction (better-sqlite3 is synchronous and
 * kysely holds the connection for the whole transaction), so the rows commit or roll back with
 * the rest of it.
 */
import type Database from 'better-sqlite3';
import type { BatchWrites } from '../batch-writes.js';

export function createPreparedWrites(sqlite: Database.Database): BatchWrites {
  const inserts = new Map<string, Database.Statement>();
  const updateOutcome = sqlite.prepare(`
    UPDATE deliveries SET status = ?, attempts = attempts + ?, next_attempt_at = ?, locked_until = NULL,
      last_attempt_at = COALESCE(?, last_attempt_at), updated = ?, etag = ?
    WHERE id = ? AND etag <> ?`);
  return {
    async insertRows(_tx, table, rows) {
      if (rows.length === 0) return;
      const columns = Object.keys(rows[0]!);
      const key = `${table}(${columns.join(',')})`;
      let insert = inserts.get(key);
      if (!insert) {
        const skipWritten = table === 'attempts' ? ' ON CONFLICT DO NOTHING' : '';
        insert = sqlite.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${skipWritten}`);
        inserts.set(key, insert);
      }
      for (const row of rows) insert.run(columns.map((c) => (row as Record<string, unknown>)[c]));
    },
    async updateOutcomes(_tx, outcomes, now) {
      for (const o of outcomes) updateOutcome.run(o.status, o.counted, o.nextAttemptAt, o.attempted, now, o.etag, o.delivery, o.etag);
    },
  };
}

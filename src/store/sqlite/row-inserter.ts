/**
 * Bulk inserts for the publish transaction on SQLite: one prepared single-row INSERT per
 * column set, run once per row. kysely's multi-row insert builds an operation node per value
 * and compiles SQL with up to 6,500 placeholders, and each group's row count makes a new SQL
 * text to prepare: at fan-out 51 (the isolation bench) that JavaScript, not SQLite, bounded
 * how many events hookd accepted. A run of a prepared statement is a few microseconds.
 *
 * Runs on kysely's single connection inside its transaction (better-sqlite3 is synchronous and
 * kysely holds the connection for the whole transaction), so the rows commit or roll back with
 * the rest of it. PostgreSQL keeps kysely's multi-row insert: there a statement is a round trip.
 */
import type Database from 'better-sqlite3';
import type { RowInserter } from '../sql/events.js';

export function createRowInserter(sqlite: Database.Database): RowInserter {
  const statements = new Map<string, Database.Statement>();
  return async (_tx, table, rows) => {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const key = `${table}(${columns.join(',')})`;
    let insert = statements.get(key);
    if (!insert) {
      insert = sqlite.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      statements.set(key, insert);
    }
    for (const row of rows) insert.run(columns.map((c) => (row as Record<string, unknown>)[c]));
  };
}

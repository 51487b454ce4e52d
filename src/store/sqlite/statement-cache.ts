/**
 * kysely's SQLite driver prepares every query it runs, and a better-sqlite3 prepare is a
 * compile of the SQL (measured: 7 % of hookd's CPU under load, more than most queries take to
 * run). The same few dozen statements run over and over, so prepared statements are kept by SQL
 * text, least recently used evicted. Statements whose text carries their row count (multi-row
 * VALUES, IN lists) vary, which is why the cache is bounded rather than unbounded.
 *
 * Safe because kysely runs one statement at a time on this one connection and never holds a
 * statement across queries (it streams nothing here); SQLite recompiles a cached statement by
 * itself when the schema changes.
 */
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Statements kept; each is a few KB of SQLite memory. */
const DEFAULT_SIZE = 200;

export function withStatementCache(sqlite: Database.Database, size = DEFAULT_SIZE): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        // Map order is insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

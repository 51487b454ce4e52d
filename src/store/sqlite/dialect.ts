/**
 * Kysely's SQLite dialect with one change: no ROLLBACK once SQLite has already ended the
 * transaction itself. SQLite rolls a transaction back on its own when a statement or the COMMIT
 * fails with SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM; kysely's ROLLBACK after
 * that fails with "cannot rollback - no transaction is active", and that error replaced the
 * one that says what happened (a full disk became a 500 instead of a 503).
 * Its statements go through the statement cache (statement-cache.ts).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { withStatementCache } from './statement-cache.js';

class RollbackAwareDriver extends SqliteDriver {
  constructor(private readonly sqlite: BetterSqlite3.Database) {
    super({ database: withStatementCache(sqlite) });
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.sqlite.inTransaction) return;
    await super.rollbackTransaction(connection);
  }
}

class RollbackAwareDialect extends SqliteDialect {
  constructor(private readonly sqlite: BetterSqlite3.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new RollbackAwareDriver(this.sqlite);
  }
}

export function createSqliteDialect(sqlite: BetterSqlite3.Database): SqliteDialect {
  return new RollbackAwareDialect(sqlite);
}

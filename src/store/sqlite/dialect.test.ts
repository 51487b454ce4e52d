import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteDialect } from './dialect.js';

describe('the SQLite dialect', () => {
  const sqlite = new Database(':memory:');
  const db = new Kysely<{ t: { x: number } }>({ dialect: createSqliteDialect(sqlite) });
  afterEach(() => void sqlite.exec('DELETE FROM t'));
  sqlite.exec('CREATE TABLE t (x INTEGER)');

  it('keeps the error that ended a transaction SQLite already rolled back (as it does on SQLITE_FULL or SQLITE_IOERR)', async () => {
    const failing = db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ x: 1 }).execute();
      // What SQLite does by itself when a write fails with a full disk.
      await sql`ROLLBACK`.execute(tx);
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    await expect(failing).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    expect(sqlite.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
  });

  it('still rolls back a transaction that is open when its callback fails', async () => {
    const failing = db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ x: 1 }).execute();
      throw new Error('callback failed');
    });
    await expect(failing).rejects.toThrow('callback failed');
    expect(sqlite.inTransaction).toBe(false);
    expect(sqlite.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    await db.insertInto('t').values({ x: 2 }).execute();
    expect(sqlite.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });
});

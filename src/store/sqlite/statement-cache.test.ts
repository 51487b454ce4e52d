import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('statement cache', () => {
  it('prepares each SQL text once, evicts the least recently used, and still sees schema changes', () => {
    const sqlite = new Database(':memory:');
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((sql: string) => {
      prepared++;
      return prepare(sql);
    }) as typeof sqlite.prepare;
    const db = withStatementCache(sqlite, 2);
    sqlite.exec('CREATE TABLE t (a INTEGER)');
    db.prepare('INSERT INTO t (a) VALUES (?)').run([1]);
    db.prepare('INSERT INTO t (a) VALUES (?)').run([2]);
    expect(db.prepare('SELECT a FROM t ORDER BY a').all([])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(prepared).toBe(2);
    db.prepare('INSERT INTO t (a) VALUES (?)'); // most recent now; the SELECT is the oldest
    db.prepare('SELECT count(*) AS n FROM t'); // evicts the SELECT
    db.prepare('SELECT a FROM t ORDER BY a');
    expect(prepared).toBe(4);
    expect(db.prepare('SELECT * FROM t ORDER BY a').all([])).toEqual([{ a: 1 }, { a: 2 }]);
    sqlite.exec('ALTER TABLE t ADD COLUMN b TEXT');
    // The cached statement, recompiled by SQLite for the new schema.
    expect(db.prepare('SELECT * FROM t ORDER BY a').all([])).toEqual([{ a: 1, b: null }, { a: 2, b: null }]);
    expect(prepared).toBe(5);
    db.close();
  });
});

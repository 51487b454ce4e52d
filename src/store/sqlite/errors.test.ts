import { describe, expect, it } from 'vitest';
import { classifySqliteError } from './errors.js';

const sqliteError = (code: string) => Object.assign(new Error('sqlite said no'), { code });

describe('classifySqliteError', () => {
  it.each([
    ['SQLITE_FULL', /disk .* is full/],
    ['SQLITE_READONLY', /cannot be written/],
    ['SQLITE_READONLY_DBMOVED', /cannot be written/],
    ['SQLITE_IOERR_WRITE', /Reading or writing the SQLite file failed \(SQLITE_IOERR_WRITE\).*can still be written/],
    ['SQLITE_BUSY', /locked by another process/],
  ])('%s is a 503 store_unavailable problem that says what to check', (code, detail) => {
    const err = classifySqliteError(sqliteError(code));
    expect(err?.code).toBe('store_unavailable');
    expect(err?.retryAfter).toBeGreaterThan(0);
    expect(err?.detail).toMatch(detail);
  });

  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_FULLNESS'])('%s is not an outage (a bug or bad input stays a bug)', (code) => {
    expect(classifySqliteError(sqliteError(code))).toBeUndefined();
  });

  it('ignores values that are not SQLite errors', () => {
    expect(classifySqliteError(new Error('plain'))).toBeUndefined();
    expect(classifySqliteError(null)).toBeUndefined();
  });
});

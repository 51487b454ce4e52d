/**
 * The data directory holds the SQLite database (everything but the sealed secrets is plain
 * text) and the key file: what hookd creates there is its owner's alone (docs/security.md,
 * "Files on disk").
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretBox, loadKeyRing } from '../src/store/secret-box.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { startHookd } from './helpers.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('files in the data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the database, its WAL and its shared-memory file with mode 0600', async () => {
    const h = await startHookd();
    try {
      expect(h.database.kind).toBe('sqlite');
      const file = h.database.kind === 'sqlite' ? h.database.file : '';
      await h.workspace();
      expect(modeOf(file).toString(8)).toBe('600');
      expect(modeOf(`${file}-wal`).toString(8)).toBe('600');
      // hookd's exclusive lock keeps WAL's index in memory: no -shm while it runs.
      expect(existsSync(`${file}-shm`)).toBe(false);
      await h.stop();
      // Any other opener (the sqlite3 shell, a backup tool) makes -wal and -shm: SQLite gives them the database's mode.
      const other = new Database(file);
      try {
        other.prepare('SELECT count(*) FROM workspaces').get();
        expect(existsSync(`${file}-shm`)).toBe(true);
        expect(modeOf(`${file}-shm`).toString(8)).toBe('600');
        expect(modeOf(`${file}-wal`).toString(8)).toBe('600');
      } finally {
        other.close();
      }
    } finally {
      await h.close();
    }
  });

  it('creates a data directory that does not exist yet with mode 0700', async () => {
    const keyDir = join(dir, 'keys', 'data');
    loadKeyRing(null, [], keyDir);
    expect(modeOf(join(dir, 'keys')).toString(8)).toBe('700');
    expect(modeOf(keyDir).toString(8)).toBe('700');

    const dbDir = join(dir, 'db', 'data');
    const store = await openSqliteStore({ file: join(dbDir, 'hookd.db'), box: createSecretBox(randomBytes(32)) });
    await store.close();
    expect(modeOf(join(dir, 'db')).toString(8)).toBe('700');
    expect(modeOf(dbDir).toString(8)).toBe('700');
    expect(modeOf(join(dbDir, 'hookd.db')).toString(8)).toBe('600');
  });
});

/**
 * The embedded store: one SQLite file (WAL) under the data directory, owned by one process.
 * `locking_mode=EXCLUSIVE` makes that ownership a lock the OS enforces, so a second `hookd
 * serve` on the same file fails at start instead of corrupting leases; it also lets WAL skip
 * its shared-memory index.
 */
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { closeSync, existsSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { HookdError } from '../../domain/errors.js';
import { createKyselyStore } from '../sql/kysely-store.js';
import { createMemoryLeases } from './claim.js';
import { createWalSync } from './wal-sync.js';
import { createPreparedWrites } from './prepared-writes.js';
import { createSqliteDialect } from './dialect.js';
import { classifySqliteError } from './errors.js';
import { migrateToLatest } from '../migrations/index.js';
import { createPrivateFile, makePrivateDir } from '../private-files.js';
import type { Database as Schema } from '../schema.js';
import type { SecretBox } from '../secret-box.js';
import type { Store } from '../types.js';

export { classifySqliteError };

export interface SqliteStoreOptions {
  file: string;
  box: SecretBox;
  /** ms before a published delivery's first attempt (kysely-store.ts). */
  firstAttemptDelay?: number;
}

export async function openSqliteStore({ file, box, firstAttemptDelay }: SqliteStoreOptions): Promise<Store> {
  if (file !== ':memory:') {
    makePrivateDir(dirname(file));
    createPrivateFile(file);
  }
  const sqlite = new Database(file);
  try {
    // EXCLUSIVE before WAL: only then does WAL keep its index in heap memory instead of a -shm file.
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('journal_mode = WAL');
    // FULL until the WAL file is known (below): then NORMAL, with the fsync done off the main
    // thread before each answer (wal-sync.ts). hookd promises (docs/reliability.md) that an accepted event
    // survives whatever crashes next, power cuts included.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    // Takes the exclusive lock now, at start, rather than at the first write; with no busy
    // timeout yet, a second process fails at once instead of waiting for a lock it never gets.
    sqlite.exec('BEGIN IMMEDIATE; COMMIT;');
    sqlite.pragma('busy_timeout = 5000');
  } catch (err) {
    sqlite.close();
    const known = classifySqliteError(err);
    if (known?.detail?.includes('locked')) {
      throw new HookdError('store_unavailable', `Another process holds ${file}`, {
        detail: 'The SQLite store belongs to one hookd process. Stop the other one, or use PostgreSQL (DATABASE_URL) to run several.',
        cause: err,
      });
    }
    throw known ?? err;
  }
  const db = new Kysely<Schema>({ dialect: createSqliteDialect(sqlite) });
  await migrateToLatest(db, box);
  const leases = createMemoryLeases(sqlite);
  const wal = file === ':memory:' ? null : `${file}-wal`;
  let walSync: ReturnType<typeof createWalSync> | null = null;
  if (wal && existsSync(wal)) {
    // The WAL's directory entry must survive a power cut too, once.
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    sqlite.pragma('synchronous = NORMAL');
    walSync = createWalSync(wal);
  }
  return createKyselyStore({
    dialect: 'sqlite', db, box, classifyError: classifySqliteError, claim: leases.claim, memoryLeases: leases, publishConcurrency: 1,
    syncCommitted: walSync?.sync, onClose: walSync?.close, batchWrites: createPreparedWrites(sqlite), firstAttemptDelay,
  });
}

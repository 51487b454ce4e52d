/**
 * The data directory holds the SQLite database, where everything but the sealed secrets is
 * plain text (events, endpoint URLs, attempts), and the key file: what hookd creates there is
 * its owner's alone, whatever the umask (docs/security.md, "Files on disk"). What exists
 * already keeps its mode: an operator may have chosen it.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/** Creates `dir` and any missing parent with mode 0700. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Creates `file` empty with mode 0600 unless it exists. For the SQLite database: SQLite creates
 * its -wal, -shm and -journal files with the database file's mode, so they follow it.
 */
export function createPrivateFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    // The umask can only take bits away; this puts back any it took from the owner.
    chmodSync(file, 0o600);
  } finally {
    closeSync(fd);
  }
}

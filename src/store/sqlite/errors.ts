/**
 * SQLite failures that mean "the store cannot answer now" (a full disk, a file that cannot be
 * written, a lock held elsewhere) rather than a bug: they become 503 store_unavailable
 * problems whose detail tells the operator what to check.
 */
import { HookdError } from '../../domain/errors.js';

const UNAVAILABLE = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB'];

function detailOf(code: string): string {
  if (code.startsWith('SQLITE_FULL')) return 'The disk that holds the SQLite file is full. Free space on it; hookd resumes on its own.';
  if (code.startsWith('SQLITE_READONLY')) return 'The SQLite file cannot be written (read-only file or directory).';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'The SQLite file is locked by another process.';
  // A write refused by the OS (EPERM on an immutable file, EROFS after the file system turned
  // read-only, EIO from a failing disk) all arrive as one I/O error code.
  if (code.startsWith('SQLITE_IOERR')) {
    return `Reading or writing the SQLite file failed (${code}): check the disk, and that the file and its file system can still be written.`;
  }
  return `The SQLite store failed (${code}).`;
}

export function classifySqliteError(err: unknown): HookdError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…) share their family's meaning.
  if (!UNAVAILABLE.some((c) => code === c || code.startsWith(`${c}_`))) return undefined;
  return new HookdError('store_unavailable', 'The store is unavailable', { detail: detailOf(code), retryAfter: 5, cause: err });
}

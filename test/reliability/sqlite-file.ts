/**
 * Faults of the disk under a SQLite store, made real for a test, and the checks after them:
 * a small tmpfs that fills up (mounting needs root, as in CI here), an immutable file (ext4's
 * `chattr +i`, which refuses writes even through descriptors already open), and what is in
 * the file once hookd has stopped.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory on a tmpfs of `sizeMb`, or null where mounting is not allowed (not root). */
export function smallDisk(sizeMb: number): { dir: string; remove: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    remove() {
      execFileSync('umount', ['--lazy', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system that holds `dir` until `leaveBytes` or less are free, with one file; returns its path. */
export function fillDisk(dir: string, leaveBytes: number): string {
  const path = join(dir, 'ballast');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(256 * 1024);
  try {
    // In chunks: whoever else writes there (hookd) takes space meanwhile.
    for (let free = freeBytes(dir); free > leaveBytes; free = freeBytes(dir)) writeSync(fd, chunk, 0, Math.min(chunk.length, free - leaveBytes));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return path;
}

function freeBytes(dir: string): number {
  const { bavail, bsize } = statfsSync(dir);
  return bavail * bsize;
}

/** Sets or clears the immutable attribute; false where the file system or user cannot. */
export function setImmutable(paths: string[], on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', ...paths], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** PRAGMA integrity_check of a SQLite file no process holds, and the ids of its events. */
export function inspectStore(file: string): { integrity: string; eventIds: Set<string> } {
  const db = new Database(file);
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    const ids = db.prepare("SELECT id FROM events WHERE type = 'payment.succeeded'").pluck().all() as string[];
    return { integrity, eventIds: new Set(ids) };
  } finally {
    db.close();
  }
}

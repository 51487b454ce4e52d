import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWalSync } from './wal-sync.js';

describe('WAL sync', () => {
  it('resolves every caller once the WAL is synced, callers arriving together included, and fails loudly on a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-wal-'));
    try {
      const wal = join(dir, 'hookd.db-wal');
      writeFileSync(wal, 'frames');
      const walSync = createWalSync(wal);
      let settled = 0;
      // The first starts a sync; the other four arrive while it runs and share the next one.
      await Promise.all(Array.from({ length: 5 }, () => walSync.sync().then(() => settled++)));
      expect(settled).toBe(5);
      await walSync.close();
      const missing = createWalSync(join(dir, 'nothing-wal'));
      await expect(missing.sync()).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Builds the dashboard (dashboard/, Vite) into a directory of the test's own, so that browser
 * tests run against the sources as they are, without `npm run build` first and without
 * touching dist/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function buildDashboard(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'hookd-dashboard-'));
  const { build } = await import('vite');
  await build({
    configFile: fileURLToPath(new URL('../dashboard/vite.config.ts', import.meta.url)),
    build: { outDir, emptyOutDir: true },
    logLevel: 'error',
  });
  return outDir;
}

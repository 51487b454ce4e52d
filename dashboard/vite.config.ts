/**
 * Builds the dashboard into dist/dashboard (served by src/api/dashboard.ts). Relative asset
 * URLs, so hookd can sit behind a path prefix; nothing inlined as data: URIs, so the strict
 * same-origin CSP holds; hashed names, so the server may cache assets for a year.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: 'es2022',
    chunkSizeWarningLimit: 200,
  },
  logLevel: 'warn',
});

/**
 * packages/client/src/types.ts is generated from the OpenAPI document the server serves
 * (scripts/client-types.mjs): a route's schema changed without regenerating it fails here.
 * It reads dist/, which test/global-setup.ts has just built. The document is the same on both
 * stores, so this runs once, on the SQLite project.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('packages/client/src/types.ts', () => {
  it('is what scripts/client-types.mjs generates from the served OpenAPI document', () => {
    const script = fileURLToPath(new URL('../scripts/client-types.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    // On a difference the script names the command that regenerates the file.
    expect(run.stderr + run.stdout).toBe('packages/client/src/types.ts is up to date.\n');
    expect(run.status).toBe(0);
  });
});

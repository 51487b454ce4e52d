/**
 * The cost scenario's older hookd: the server of `commit` compiled into a scratch directory,
 * so that one run compares it with this checkout's build on the same machine at the same time.
 * `git archive` (not a worktree: the repository's metadata is left alone), this checkout's
 * node_modules linked in (no install), and tsc as `npm run build` runs it for the server; the
 * dashboard is not built (the benchmark never loads it). Removed at the end of the run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Builds hookd at `commit`; returns its CLI (dist/cli/main.js). */
export function buildBase(commit: string, log: (line: string) => void): string {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), `hookd-bench-base-${sha.slice(0, 7)}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  log(`building hookd at ${sha.slice(0, 7)} in ${dir} …`);
  const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.build.json')], { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    // Type errors against today's node_modules still emit JavaScript; only a missing CLI is fatal.
    const out = String((err as { stdout?: Buffer }).stdout ?? '').split('\n').slice(0, 5).join('\n');
    log(`  tsc reported errors (emitted anyway):\n${out}`);
  }
  const cli = join(dir, 'dist/cli/main.js');
  if (!existsSync(cli)) throw new Error(`building ${sha.slice(0, 7)} produced no ${cli}`);
  return cli;
}

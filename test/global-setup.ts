/**
 * Builds dist/ once before the suite: the process tests start `node dist/cli/main.js serve` as a
 * real child process (SIGKILL and SIGTERM need a process of their own), and must run the code
 * under test, not a stale build. @hookd/client first: the CLI imports its dist/.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'packages/client'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: root, stdio: 'inherit' });
}

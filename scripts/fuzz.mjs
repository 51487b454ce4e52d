// `npm run fuzz`: the route fuzzer (test/fuzz) with 20 000 requests per store, through vitest,
// which compiles the TypeScript and builds dist/ for the server process (test/global-setup.ts).
//   npm run fuzz -- --count 50000 --seed 123 --concurrency 16 --project sqlite
// --count, --seed and --concurrency become HOOKD_FUZZ_*; anything else goes to vitest.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env = { ...process.env, HOOKD_FUZZ_COUNT: process.env.HOOKD_FUZZ_COUNT ?? '20000' };
const passOn = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const m = /^--(count|seed|concurrency)(?:=(.*))?$/.exec(args[i]);
  if (!m) {
    passOn.push(args[i]);
    continue;
  }
  const value = m[2] ?? args[++i];
  if (!/^\d+$/.test(value ?? '')) {
    console.error(`--${m[1]} takes a whole number`);
    process.exit(2);
  }
  env[`HOOKD_FUZZ_${m[1].toUpperCase()}`] = value;
}
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const run = spawnSync(process.execPath, [vitest, 'run', 'test/fuzz/fuzz.test.ts', ...passOn], { cwd: root, env, stdio: 'inherit' });
process.exit(run.status ?? 1);

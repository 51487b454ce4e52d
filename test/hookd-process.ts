/**
 * hookd as a real child process (`node dist/cli/main.js serve`) on a data directory that outlives
 * it, so tests can SIGKILL or SIGTERM it and start it again on the same SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

export interface HookdProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export async function spawnHookd(env: Record<string, string>): Promise<HookdProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOOKD_HOST: '127.0.0.1', HOOKD_PORT: '0', HOOKD_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Nobody will hold a handle on a process that never said where it listens: end it here.
      child.kill('SIGKILL');
      reject(new Error(`hookd did not start:\n${out}`));
    }, 45_000);
    const check = () => {
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        // Stop scanning: a busy process's output grows with every request it logs.
        child.stdout!.off('data', check);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`hookd exited before listening:\n${out}`));
    });
  });
  return { url, child, output: () => out, exited };
}

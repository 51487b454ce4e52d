/**
 * Child processes of the benchmark (receiver, baseline workers, hookd): their output is kept
 * (bounded) for the report when something goes wrong, and stop() always ends them, politely
 * first, so that nothing the harness starts outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { onCleanup } from './cleanup.js';

const KEEP_OUTPUT = 256 * 1024;

export interface Child {
  proc: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnChild(command: string, args: string[], options: { env: NodeJS.ProcessEnv; ipc?: boolean; name: string; cwd?: string }): Child {
  const proc = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > KEEP_OUTPUT) out = out.slice(out.length - KEEP_OUTPUT);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const stop = async (graceMs = 10_000) => {
    if (done) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  // An interrupted run (Ctrl-C, a crash of the harness) still ends its children.
  const unregister = onCleanup(() => stop(3_000));
  void exited.then(unregister);
  if (proc.pid === undefined) throw new Error(`${options.name} did not start`);
  return { proc, pid: proc.pid, output: () => out, exited, stop };
}

/** Runs `node <script>` for a compiled file of this harness, with an IPC channel. */
export function spawnNodeScript(script: URL, env: NodeJS.ProcessEnv, name: string): Child {
  return spawnChild(process.execPath, [script.pathname], { env, ipc: true, name });
}

/** Resolves with the first IPC message that passes `match`, or rejects when the child exits or time runs out. */
export function waitForMessage<T>(child: Child, match: (m: unknown) => m is T, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no answer from child ${child.pid} within ${timeoutMs} ms\n${child.output().slice(-2000)}`)), timeoutMs);
    const onMessage = (m: unknown) => {
      if (!match(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = () => fail(new Error(`child ${child.pid} exited early\n${child.output().slice(-2000)}`));
    function cleanup() {
      clearTimeout(timer);
      child.proc.off('message', onMessage);
      child.proc.off('exit', onExit);
    }
    function fail(err: Error) {
      cleanup();
      reject(err);
    }
    child.proc.on('message', onMessage);
    child.proc.on('exit', onExit);
  });
}

/**
 * A real forward proxy for egress tests: Debian's tinyproxy in the foreground on a port of its
 * own, with its own config and log in a temporary directory. Absent binary: the tests skip,
 * unless HOOKD_REQUIRE_PROXY=1 (CI, .ci/run) makes that a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './wait.js';

export const TINYPROXY = '/usr/bin/tinyproxy';

/** Whether the proxy tests can run; throws when they must and cannot. */
export function tinyproxyAvailable(): boolean {
  if (existsSync(TINYPROXY)) return true;
  if (process.env.HOOKD_REQUIRE_PROXY === '1') throw new Error(`HOOKD_REQUIRE_PROXY=1 but ${TINYPROXY} is missing (apt-get install -y tinyproxy)`);
  console.log(`${TINYPROXY} is missing: the egress proxy tests are skipped (apt-get install -y tinyproxy; HOOKD_REQUIRE_PROXY=1 fails instead).`);
  return false;
}

export interface Tinyproxy {
  url: string;
  /** Its log so far: one `Request (file descriptor n): CONNECT host:port HTTP/1.1` line per tunnel. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = new Socket();
  socket.once('error', () => resolve(false));
  socket.connect(port, '127.0.0.1', () => {
    socket.destroy();
    resolve(true);
  });
});

export async function startTinyproxy(): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  // No ConnectPort line: tinyproxy then tunnels to any port (the receivers' are random).
  writeFileSync(join(dir, 'tinyproxy.conf'), [
    `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${logFile}"`, 'LogLevel Info', 'MaxClients 50', 'Allow 127.0.0.1', '',
  ].join('\n'));
  const child: ChildProcess = spawn(TINYPROXY, ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  await until(() => `tinyproxy listens on ${port}; its log:\n${log()}`, () => accepts(port), 10_000);
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

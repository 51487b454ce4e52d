/**
 * `hookd listen` end to end, as a developer runs it: hookd serving, `hookd listen
 * --forward-to` a local server, `hookd trigger`; the event arrives at the local server within
 * 2 s, signed with the local secret the CLI printed and kept.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHookd, type HookdProcess } from './hookd-process.js';
import { startReceiver, type Receiver } from './receiver.js';
import { TEST_STORE } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ADMIN = 'hkp_listen_test_platform_key_0123456789';

describe.skipIf(TEST_STORE !== 'sqlite')('hookd listen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-'));
  let hookd: HookdProcess | undefined;
  let listen: ChildProcess | undefined;
  let receiver: Receiver | undefined;
  afterAll(async () => {
    listen?.kill('SIGTERM');
    hookd?.child.kill('SIGKILL');
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards a triggered event to a local server, signed with the local secret', async () => {
    hookd = await spawnHookd({ HOOKD_DATA_DIR: join(dir, 'data'), HOOKD_ADMIN_KEY: ADMIN });
    receiver = await startReceiver();
    const env = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: join(dir, 'config'), HOOKD_API_URL: hookd.url, HOOKD_API_KEY: ADMIN };
    const run = promisify(execFile);
    const ws = JSON.parse((await run(process.execPath, [CLI, 'workspaces', 'create', 'Acme', '--json'], { env })).stdout) as { id: string };

    let output = '';
    listen = spawn(process.execPath, [CLI, 'listen', '--workspace', ws.id, '--forward-to', receiver.url, '--events', 'message.*'], { env });
    listen.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    listen.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 10_000;
    while (!output.includes('Ready.') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain('Ready.');
    const secret = /local signing secret is (fwhs_\S+)/.exec(output)?.[1];
    expect(secret).toBe(readFileSync(join(dir, 'config', 'hookd', 'listen-secret'), 'utf8').trim());

    const triggered = Date.now();
    await run(process.execPath, [CLI, 'trigger', 'customer.created', '--workspace', ws.id], { env });
    const event = JSON.parse((await run(process.execPath, [CLI, 'trigger', 'message.delivered', '--workspace', ws.id, '--json'], { env })).stdout) as { id: string };
    // The issue asks for arrival within 2 s; on a quiet machine it takes a few hundred ms. The
    // bound here is looser so a loaded CI machine does not fail it (speed is the bench's job).
    const [got] = await receiver.waitFor(1, 10_000);
    console.log(`hookd trigger → local server: ${got!.at - triggered} ms`);
    expect(new Webhook(secret!.slice('fwhs_'.length)).verify(got!.body, got!.headers as Record<string, string>)).toMatchObject({ id: event.id, type: 'message.delivered' });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1); // customer.created is outside --events
    expect(output).toMatch(new RegExp(`message\\.delivered\\s+${event.id}\\s+→ 200`));
  }, 60_000);
});

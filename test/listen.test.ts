/**
 * `hookd listen` end to end, as a developer runs it: hookd serving, `hookd listen
 * --forward-to` a local server, `hookd trigger`; the event arrives at the local server within
 * 2 s, signed with the local secret the CLI printed and kept. Once with a recording server
 * checked by the `standardwebhooks` package, once with an Express app behind @hookd/verify's
 * Express middleware (the receiver a developer would write).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressWebhook, type WebhookEvent } from '../packages/verify/src/index.js';
import { spawnHookd, type HookdProcess } from './hookd-process.js';
import { startReceiver, type Receiver } from './receiver.js';
import { TEST_STORE } from './helpers.js';
import { until } from './wait.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ADMIN = 'hkp_listen_test_platform_key_0123456789';
const run = promisify(execFile);


describe.skipIf(TEST_STORE !== 'sqlite')('hookd listen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-'));
  const listens: ChildProcess[] = [];
  let hookd: HookdProcess;
  let env: Record<string, string>;
  let receiver: Receiver | undefined;
  let expressServer: Server | undefined;

  beforeAll(async () => {
    hookd = await spawnHookd({ HOOKD_DATA_DIR: join(dir, 'data'), HOOKD_ADMIN_KEY: ADMIN });
    env = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: join(dir, 'config'), HOOKD_API_URL: hookd.url, HOOKD_API_KEY: ADMIN };
  });
  afterAll(async () => {
    for (const l of listens) l.kill('SIGTERM');
    hookd?.child.kill('SIGKILL');
    await receiver?.close();
    expressServer?.closeAllConnections();
    await new Promise((r) => (expressServer ? expressServer.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A workspace of the test's own, so one test's events never reach the other's listener. */
  async function workspace(name: string): Promise<string> {
    return (JSON.parse((await run(process.execPath, [CLI, 'workspaces', 'create', name, '--json'], { env })).stdout) as { id: string }).id;
  }

  /** Starts `hookd listen` and waits for its Ready line; resolves with the secret it printed and its output so far. */
  async function listen(args: string[]): Promise<{ secret: string; output: () => string }> {
    let output = '';
    const child = spawn(process.execPath, [CLI, 'listen', ...args], { env });
    listens.push(child);
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await until(() => `hookd listen printed "Ready.". It printed:\n${output}`, () => output.includes('Ready.'), 15_000, 25);
    const secret = /local signing secret is (fwhs_\S+)/.exec(output)?.[1];
    expect(secret, output).toBeDefined();
    return { secret: secret!, output: () => output };
  }

  it('forwards a triggered event to a local server, signed with the local secret', async () => {
    const ws = await workspace('Acme');
    receiver = await startReceiver();
    const { secret, output } = await listen(['--workspace', ws, '--forward-to', receiver.url, '--events', 'message.*']);
    expect(secret).toBe(readFileSync(join(dir, 'config', 'hookd', 'listen-secret'), 'utf8').trim());

    const triggered = Date.now();
    await run(process.execPath, [CLI, 'trigger', 'customer.created', '--workspace', ws], { env });
    const event = JSON.parse((await run(process.execPath, [CLI, 'trigger', 'message.delivered', '--workspace', ws, '--json'], { env })).stdout) as { id: string };
    // The issue asks for arrival within 2 s; on a quiet machine it takes a few hundred ms. The
    // bound here is looser so a loaded CI machine does not fail it (speed is the bench's job).
    const [got] = await receiver.waitFor(1, 10_000);
    console.log(`hookd trigger → local server: ${got!.at - triggered} ms`);
    expect(new Webhook(secret.slice('fwhs_'.length)).verify(got!.body, got!.headers as Record<string, string>)).toMatchObject({ id: event.id, type: 'message.delivered' });
    // hookd listen prints its line once the local server's answer is back, in its own process.
    const line = new RegExp(`message\\.delivered\\s+${event.id}\\s+→ 200`);
    await until(() => `hookd listen printed a "→ 200" line for ${event.id}. It printed:\n${output()}`, () => line.test(output()), 10_000, 25);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1); // customer.created is outside --events
  }, 60_000);

  it('a triggered message.delivered reaches an Express app through @hookd/verify\'s middleware, verified', async () => {
    const ws = await workspace('Express receiver');
    // The port first (listen needs the URL), the app once listen has printed the secret it signs with.
    expressServer = createServer();
    await new Promise<void>((r) => expressServer!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}/webhooks`;
    const { secret, output } = await listen(['--workspace', ws, '--forward-to', url]);

    const verified: { event: WebhookEvent; at: number }[] = [];
    let arrived = 0;
    const app = express();
    app.use((_req, _res, next) => {
      arrived++;
      next();
    });
    app.post('/webhooks', expressWebhook({ secret }), (_req, res) => {
      verified.push({ event: res.locals.webhookEvent as WebhookEvent, at: Date.now() });
      res.status(200).json({ received: true });
    });
    expressServer.on('request', app);

    const started = Date.now();
    const published = JSON.parse((await run(process.execPath, [CLI, 'trigger', 'message.delivered', '--workspace', ws, '--json'], { env })).stdout) as { id: string; created: string };
    // Generous: the 2 s of the issue is measured and logged below, not asserted, on a shared machine.
    await until(() => `the Express handler got a verified event (${arrived} request(s) reached the app). hookd listen printed:\n${output()}`,
      () => verified.length > 0, 15_000, 25);
    const { event, at } = verified[0]!;
    console.log(`hookd trigger message.delivered → verified in the Express handler: ${at - started} ms ` +
      `(of which CLI start and publish ${Date.parse(published.created) - started} ms; the target is under 2 s)`);
    expect(event).toMatchObject({ id: published.id, type: 'message.delivered', workspace: ws, live: false });
    expect(event.data.object).toHaveProperty('id');
    const line = new RegExp(`message\\.delivered\\s+${published.id}\\s+→ 200\\s+\\d+ ms`);
    await until(() => `hookd listen printed a "→ 200" line for ${published.id}. It printed:\n${output()}`, () => line.test(output()), 10_000, 25);

    // The middleware is really in the path: a request it cannot verify never reaches the handler.
    const forged = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-falu-signature': `t=${Math.floor(Date.now() / 1000)},sha256=${'0'.repeat(64)}` },
      body: JSON.stringify({ id: 'evt_forged', type: 'message.delivered' }),
    });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('signature_mismatch');
    expect(verified).toHaveLength(1);
  }, 60_000);
});
